//! The one table of actions (DESIGN.md invariant 1).
//!
//! Each action is an uninhabited type implementing [`Action`], which names its wire name,
//! HTTP method, request type and response type. [`ActionKind::ALL`] lists them all for code
//! that iterates, and [`with_action!`](crate::with_action) turns a runtime [`ActionKind`] into
//! the static type with an exhaustive `match`, so the sandbox router, the OpenAPI builder and
//! the wasm client stop compiling when an action is added here and not there.

use crate::types::MaybeJsonSchema as JsonSchema;
use crate::types::*;
use crate::validate::Prepare;
use serde::{de::DeserializeOwned, Serialize};
use std::fmt::Debug;

/// HTTP method of an action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// Parameters in the query string.
    Get,
    /// Parameters in a JSON body.
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A success body: gives access to the fields the server sent that the SDK does not know.
pub trait ResponseBody {
    /// Undocumented fields kept as sent.
    fn extra(&self) -> &Extra;
}

macro_rules! response_bodies {
    ($($t:ty),*) => {$(
        impl ResponseBody for $t {
            fn extra(&self) -> &Extra {
                &self.extra
            }
        }
    )*};
}

response_bodies!(
    PingResponse,
    GetProfileResponse,
    GetBalanceResponse,
    ListProductsResponse,
    CreateTransactionResponse,
    CheckTransactionResponse,
    GetHistoryResponse,
    GetStatistikResponse,
    ResubmitWebhookResponse
);

/// One upstream action: `/?action=NAME`.
pub trait Action {
    /// Wire name, the value of the `action` query parameter.
    const NAME: &'static str;
    /// HTTP method the SDK sends.
    const METHOD: Method;
    /// The same action as a runtime value.
    const KIND: ActionKind;
    /// Whether calling it twice may change state twice (only createTransaction and
    /// resubmitWebhook); such calls are never retried blindly.
    const WRITE: bool;
    /// One line for documentation.
    const SUMMARY: &'static str;
    /// Parameters (query for GET, JSON body for POST).
    type Request: Serialize + DeserializeOwned + JsonSchema + Prepare + Clone + Debug + PartialEq;
    /// The success body.
    type Response: Serialize + DeserializeOwned + JsonSchema + ResponseBody + Clone + Debug + PartialEq;
}

macro_rules! actions {
    ($(
        $(#[$doc:meta])*
        $ty:ident = $name:literal, $method:ident, write: $write:literal,
            $req:ty => $resp:ty, $summary:literal;
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub enum $ty {}

            impl Action for $ty {
                const NAME: &'static str = $name;
                const METHOD: Method = Method::$method;
                const KIND: ActionKind = ActionKind::$ty;
                const WRITE: bool = $write;
                const SUMMARY: &'static str = $summary;
                type Request = $req;
                type Response = $resp;
            }
        )*

        /// Every action as a runtime value.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ActionKind {
            $(
                $(#[$doc])*
                $ty,
            )*
        }

        impl ActionKind {
            /// Every action, in documentation order.
            pub const ALL: &'static [ActionKind] = &[$(ActionKind::$ty),*];

            /// Wire name.
            pub fn name(self) -> &'static str {
                match self { $(ActionKind::$ty => $name,)* }
            }

            /// HTTP method the SDK sends.
            pub fn method(self) -> Method {
                match self { $(ActionKind::$ty => Method::$method,)* }
            }

            /// Whether the action changes state (never retried blindly).
            pub fn is_write(self) -> bool {
                match self { $(ActionKind::$ty => $write,)* }
            }

            /// One line for documentation.
            pub fn summary(self) -> &'static str {
                match self { $(ActionKind::$ty => $summary,)* }
            }

            /// The action with this wire name (exact, case-sensitive).
            pub fn from_name(name: &str) -> Option<ActionKind> {
                match name { $($name => Some(ActionKind::$ty),)* _ => None }
            }
        }

    };
}

/// Runs `$body` with `$A` bound to the static action type of a runtime
/// [`ActionKind`]: `with_action!(kind, A => handle::<A>(req))`. The `match` is exhaustive,
/// so adding an action to the table breaks every use until this list names it too.
#[macro_export]
macro_rules! with_action {
    ($kind:expr, $A:ident => $body:expr) => {
        $crate::with_action!(@arms $kind, $A, $body,
            Ping GetProfile GetBalance ListProducts CreateTransaction CheckTransaction
            GetHistory GetStatistik ResubmitWebhook)
    };
    (@arms $kind:expr, $A:ident, $body:expr, $($ty:ident)*) => {
        match $kind {
            $($crate::actions::ActionKind::$ty => {
                #[allow(dead_code)]
                type $A = $crate::actions::$ty;
                $body
            })*
        }
    };
}

actions! {
    /// `ping`: test connectivity and the API key.
    Ping = "ping", Get, write: false, NoParams => PingResponse,
        "Test connectivity and the API key.";
    /// `getProfile`: the reseller's full profile.
    GetProfile = "getProfile", Get, write: false, NoParams => GetProfileResponse,
        "The reseller's full profile: kodereseller, nama, nomor, email, saldo, verif.";
    /// `getBalance`: balance and verification status.
    GetBalance = "getBalance", Get, write: false, NoParams => GetBalanceResponse,
        "Balance and verification status.";
    /// `listProducts`: the catalog, split into ready and empty.
    ListProducts = "listProducts", Get, write: false, ListProductsRequest => ListProductsResponse,
        "Products of a type, split into ready and empty; harga_final includes the global API markup.";
    /// `createTransaction`: place an order (debits the balance).
    CreateTransaction = "createTransaction", Post, write: true,
        CreateTransactionRequest => CreateTransactionResponse,
        "Place an order. The balance is debited; the order is pending or success. refid is the idempotency key.";
    /// `checkTransaction`: the current status of one order.
    CheckTransaction = "checkTransaction", Get, write: false, RefIdRequest => CheckTransactionResponse,
        "Current status of one order: success, pending, failed or unpaid. 404 when no order has this refid.";
    /// `getHistory`: the reseller's orders, paged, newest first.
    GetHistory = "getHistory", Get, write: false, GetHistoryRequest => GetHistoryResponse,
        "The reseller's orders, paged, newest first; the last page is the first one shorter than limit.";
    /// `getStatistik`: count and total per status, plus the balance.
    GetStatistik = "getStatistik", Get, write: false, NoParams => GetStatistikResponse,
        "Count and total per status, plus the balance.";
    /// `resubmitWebhook`: re-send an order's webhook.
    ResubmitWebhook = "resubmitWebhook", Post, write: true, RefIdRequest => ResubmitWebhookResponse,
        "Re-send the order's webhook (only when a webhook URL is set); returns the receiver's reply cut to 500 characters.";
}

impl ActionKind {
    /// Every HTTP method the API answers this action on: the one the SDK sends
    /// ([`ActionKind::method`]), plus POST with a JSON body for checkTransaction, which
    /// upstream documents as "GET/POST". The OpenAPI document has one operation per method
    /// and the sandbox answers any other method with 405.
    pub fn methods(self) -> &'static [Method] {
        match (self, self.method()) {
            (ActionKind::CheckTransaction, _) => &[Method::Get, Method::Post],
            (_, Method::Get) => &[Method::Get],
            (_, Method::Post) => &[Method::Post],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_start_with_the_sdks() {
        for &k in ActionKind::ALL {
            assert_eq!(k.methods()[0], k.method(), "{}", k.name());
        }
        let both: Vec<_> = ActionKind::ALL.iter().filter(|k| k.methods().len() > 1).collect();
        assert_eq!(both, [&ActionKind::CheckTransaction]);
    }

    #[test]
    fn table_is_consistent() {
        assert_eq!(ActionKind::ALL.len(), 9);
        for &k in ActionKind::ALL {
            assert_eq!(ActionKind::from_name(k.name()), Some(k));
            let (name, method) = crate::with_action!(k, A => (A::NAME, A::METHOD));
            assert_eq!((name, method), (k.name(), k.method()));
        }
        assert_eq!(ActionKind::from_name("Ping"), None);
    }
}
