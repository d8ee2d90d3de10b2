//! The one table of actions (DESIGN.md invariant 1).
//!
//! [`for_each_action!`](crate::for_each_action) holds the table, one row per action; every
//! list of actions in the workspace is derived from it. Here, each action becomes an
//! uninhabited type implementing [`Action`] (wire name, JS name, HTTP method, request and
//! response type, write or not, parameters or not), and [`ActionKind`] the same as a runtime
//! value with [`ActionKind::ALL`], its tag and the gateway's default allow-lists.
//! [`with_action!`](crate::with_action) turns a runtime [`ActionKind`] into the static type
//! with an exhaustive `match` over the same rows, so the sandbox router and the OpenAPI
//! builder handle every action; the wasm client's methods are another callback of the table.

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

/// The group an action is listed under (the OpenAPI document's tags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tag {
    /// Connectivity, profile, balance and statistics.
    Account,
    /// Products and prices.
    Catalog,
    /// Placing and tracking orders.
    Orders,
}

impl Tag {
    /// The tag's name, as the OpenAPI document spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Account => "Account",
            Tag::Catalog => "Catalog",
            Tag::Orders => "Orders",
        }
    }
}

/// One upstream action: `/?action=NAME`.
pub trait Action {
    /// Wire name, the value of the `action` query parameter.
    const NAME: &'static str;
    /// Name of the npm package's method (`client.getProfile()`).
    const JS_NAME: &'static str;
    /// HTTP method the SDK sends.
    const METHOD: Method;
    /// The same action as a runtime value.
    const KIND: ActionKind;
    /// Whether calling it twice may change state twice (only createTransaction and
    /// resubmitWebhook); such calls are never retried blindly.
    const WRITE: bool;
    /// Whether it takes parameters (`false`: its request is [`NoParams`]).
    const HAS_PARAMS: bool;
    /// One line for documentation.
    const SUMMARY: &'static str;
    /// Parameters (query for GET, JSON body for POST).
    type Request: Serialize + DeserializeOwned + JsonSchema + Prepare + Clone + Debug + PartialEq;
    /// The success body.
    type Response: Serialize + DeserializeOwned + JsonSchema + ResponseBody + Clone + Debug + PartialEq;
}

/// The table of actions, written once: calls `$callback! { rows }` with one row per action
/// (rust-analyzer's callback-macro style), after any extra tokens given after a comma
/// (`for_each_action!(my_macro, extra tokens)` calls `my_macro! { extra tokens; rows }`,
/// `for_each_action!(my_macro)` calls `my_macro! { ; rows }`). Everything that lists the
/// actions is derived from it: the action types and [`ActionKind`] here,
/// [`with_action!`](crate::with_action), the [`ResponseBody`] impls, the wasm client's
/// methods, the JS method table and the gateway's default allow-lists.
///
/// A row, with its doc comment:
///
/// ```text
/// /// `ping`: test connectivity and the API key.
/// Ping {
///     name: "ping",            // wire name (`?action=`)
///     js: "ping",              // the npm package's method
///     snake: ping,             // the Rust method (the wasm crate's `ResellerClient`)
///     method: Get,             // the HTTP method the SDK sends (`Method::Get`/`Post`)
///     request: $crate::types::NoParams,
///     response: $crate::types::PingResponse,
///     write: false,            // changes state: never retried blindly
///     params: false,           // takes parameters (`false` exactly when the request is `NoParams`)
///     tag: Account,            // `Tag::Account`: the OpenAPI group
///     public: false,           // allowed by default on the gateway's `/gateway/`
///     backoffice: false,       // allowed by default on the gateway's `/gateway/backoffice/`
///     summary: "Test connectivity and the API key.",
/// }
/// ```
///
/// Adding an action is one row here, its request and response types in
/// [`types`](crate::types), and its `Simulate` impl in the sandbox (which does not compile
/// without it).
#[macro_export]
macro_rules! for_each_action {
    ($($callback:ident)::+ $(, $($args:tt)*)?) => {
        $($callback)::+! {
            $($($args)*)?;
            /// `ping`: test connectivity and the API key.
            Ping {
                name: "ping", js: "ping", snake: ping, method: Get,
                request: $crate::types::NoParams, response: $crate::types::PingResponse,
                write: false, params: false, tag: Account, public: false, backoffice: false,
                summary: "Test connectivity and the API key.",
            }
            /// `getProfile`: the reseller's full profile.
            GetProfile {
                name: "getProfile", js: "getProfile", snake: get_profile, method: Get,
                request: $crate::types::NoParams, response: $crate::types::GetProfileResponse,
                write: false, params: false, tag: Account, public: false, backoffice: true,
                summary: "The reseller's full profile: kodereseller, nama, nomor, email, saldo, verif.",
            }
            /// `getBalance`: balance and verification status.
            GetBalance {
                name: "getBalance", js: "getBalance", snake: get_balance, method: Get,
                request: $crate::types::NoParams, response: $crate::types::GetBalanceResponse,
                write: false, params: false, tag: Account, public: false, backoffice: true,
                summary: "Balance and verification status.",
            }
            /// `listProducts`: the catalog, split into ready and empty.
            ListProducts {
                name: "listProducts", js: "listProducts", snake: list_products, method: Get,
                request: $crate::types::ListProductsRequest,
                response: $crate::types::ListProductsResponse,
                write: false, params: true, tag: Catalog, public: true, backoffice: false,
                summary: "Products of a type, split into ready and empty; harga_final includes the global API markup.",
            }
            /// `createTransaction`: place an order (debits the balance).
            CreateTransaction {
                name: "createTransaction", js: "createTransaction", snake: create_transaction,
                method: Post,
                request: $crate::types::CreateTransactionRequest,
                response: $crate::types::CreateTransactionResponse,
                write: true, params: true, tag: Orders, public: true, backoffice: false,
                summary: "Place an order. The balance is debited; the order is pending or success. refid is the idempotency key.",
            }
            /// `checkTransaction`: the current status of one order.
            CheckTransaction {
                name: "checkTransaction", js: "checkTransaction", snake: check_transaction,
                method: Get,
                request: $crate::types::RefIdRequest,
                response: $crate::types::CheckTransactionResponse,
                write: false, params: true, tag: Orders, public: true, backoffice: true,
                summary: "Current status of one order: success, pending, failed or unpaid. 404 when no order has this refid.",
            }
            /// `getHistory`: the reseller's orders, paged, newest first.
            GetHistory {
                name: "getHistory", js: "getHistory", snake: get_history, method: Get,
                request: $crate::types::GetHistoryRequest,
                response: $crate::types::GetHistoryResponse,
                write: false, params: true, tag: Orders, public: false, backoffice: true,
                summary: "The reseller's orders, paged, newest first; the last page is the first one shorter than limit.",
            }
            /// `getStatistik`: count and total per status, plus the balance.
            GetStatistik {
                name: "getStatistik", js: "getStatistik", snake: get_statistik, method: Get,
                request: $crate::types::NoParams,
                response: $crate::types::GetStatistikResponse,
                write: false, params: false, tag: Account, public: false, backoffice: true,
                summary: "Count and total per status, plus the balance.",
            }
            /// `resubmitWebhook`: re-send an order's webhook.
            ResubmitWebhook {
                name: "resubmitWebhook", js: "resubmitWebhook", snake: resubmit_webhook,
                method: Post,
                request: $crate::types::RefIdRequest,
                response: $crate::types::ResubmitWebhookResponse,
                write: true, params: true, tag: Orders, public: false, backoffice: true,
                summary: "Re-send the order's webhook (only when a webhook URL is set); returns the receiver's reply cut to 500 characters.",
            }
        }
    };
}

/// The table's callback that defines the action types, their [`Action`] impls, the
/// [`ResponseBody`] impls and [`ActionKind`].
macro_rules! define_actions {
    (; $(
        $(#[$doc:meta])*
        $ty:ident {
            name: $name:literal, js: $js:literal, snake: $snake:ident, method: $method:ident,
            request: $req:ty, response: $resp:ty,
            write: $write:literal, params: $params:literal, tag: $tag:ident,
            public: $public:literal, backoffice: $backoffice:literal,
            summary: $summary:literal $(,)?
        }
    )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub enum $ty {}

            impl Action for $ty {
                const NAME: &'static str = $name;
                const JS_NAME: &'static str = $js;
                const METHOD: Method = Method::$method;
                const KIND: ActionKind = ActionKind::$ty;
                const WRITE: bool = $write;
                const HAS_PARAMS: bool = $params;
                const SUMMARY: &'static str = $summary;
                type Request = $req;
                type Response = $resp;
            }

            impl ResponseBody for $resp {
                fn extra(&self) -> &Extra {
                    &self.extra
                }
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

            /// The actions the gateway allows on `/gateway/` unless configured otherwise.
            pub const DEFAULT_PUBLIC: &'static [ActionKind] = &{
                const N: usize = 0 $(+ $public as usize)*;
                let mut list = [ActionKind::Ping; N];
                let mut i = 0;
                $(
                    if $public {
                        list[i] = ActionKind::$ty;
                        i += 1;
                    }
                )*
                let _ = i;
                list
            };

            /// The actions the gateway allows on `/gateway/backoffice/` (signed-in
            /// operators) unless configured otherwise.
            pub const DEFAULT_BACKOFFICE: &'static [ActionKind] = &{
                const N: usize = 0 $(+ $backoffice as usize)*;
                let mut list = [ActionKind::Ping; N];
                let mut i = 0;
                $(
                    if $backoffice {
                        list[i] = ActionKind::$ty;
                        i += 1;
                    }
                )*
                let _ = i;
                list
            };

            /// Wire name.
            pub fn name(self) -> &'static str {
                match self { $(ActionKind::$ty => $name,)* }
            }

            /// Name of the npm package's method.
            pub fn js_name(self) -> &'static str {
                match self { $(ActionKind::$ty => $js,)* }
            }

            /// Name of the Rust method (the wasm crate's `ResellerClient`).
            pub fn snake_name(self) -> &'static str {
                match self { $(ActionKind::$ty => stringify!($snake),)* }
            }

            /// HTTP method the SDK sends.
            pub fn method(self) -> Method {
                match self { $(ActionKind::$ty => Method::$method,)* }
            }

            /// Whether the action changes state (never retried blindly).
            pub fn is_write(self) -> bool {
                match self { $(ActionKind::$ty => $write,)* }
            }

            /// Whether the action takes parameters (`false`: its request is [`NoParams`]).
            pub fn has_params(self) -> bool {
                match self { $(ActionKind::$ty => $params,)* }
            }

            /// The group it is listed under.
            pub fn group(self) -> Tag {
                match self { $(ActionKind::$ty => Tag::$tag,)* }
            }

            /// The OpenAPI tag it is listed under ([`ActionKind::group`]'s name).
            pub fn tag(self) -> &'static str {
                self.group().as_str()
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

for_each_action!(define_actions);

/// Runs `$body` with `$A` bound to the static action type of a runtime
/// [`ActionKind`]: `with_action!(kind, A => handle::<A>(req))`. The `match` is exhaustive
/// and its arms come from [`for_each_action!`](crate::for_each_action), so every use
/// handles every action of the table.
#[macro_export]
macro_rules! with_action {
    ($kind:expr, $A:ident => $body:expr) => {
        $crate::for_each_action!($crate::__with_action_arms, $kind, $A, $body)
    };
}

/// [`with_action!`](crate::with_action)'s callback of the table (not public API).
#[doc(hidden)]
#[macro_export]
macro_rules! __with_action_arms {
    ($kind:expr, $A:ident, $body:expr; $($(#[$doc:meta])* $ty:ident { $($row:tt)* })*) => {
        match $kind {
            $($crate::actions::ActionKind::$ty => {
                #[allow(dead_code)]
                type $A = $crate::actions::$ty;
                $body
            })*
        }
    };
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
        for &k in ActionKind::ALL {
            assert_eq!(ActionKind::from_name(k.name()), Some(k));
            let (name, js, method, write, params, summary) = crate::with_action!(k, A => (A::NAME, A::JS_NAME, A::METHOD, A::WRITE, A::HAS_PARAMS, A::SUMMARY));
            assert_eq!(
                (name, js, method, write, params, summary),
                (
                    k.name(),
                    k.js_name(),
                    k.method(),
                    k.is_write(),
                    k.has_params(),
                    k.summary()
                )
            );
            assert_eq!(crate::with_action!(k, A => A::KIND), k);
        }
        assert_eq!(ActionKind::from_name("Ping"), None);
    }

    /// The `params` column says exactly which requests are [`NoParams`].
    #[test]
    fn has_params_agrees_with_the_request_type() {
        use std::any::TypeId;
        for &k in ActionKind::ALL {
            let no_params = crate::with_action!(k, A => TypeId::of::<<A as Action>::Request>() == TypeId::of::<NoParams>());
            assert_eq!(k.has_params(), !no_params, "{}", k.name());
        }
    }

    /// Wire, JS and Rust names are unique, and the Rust name is the JS name in snake case.
    #[test]
    fn names_are_unique_and_consistent() {
        fn snake(camel: &str) -> String {
            let mut out = String::new();
            for c in camel.chars() {
                if c.is_ascii_uppercase() {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
            }
            out
        }
        for names in [
            ActionKind::ALL.iter().map(|k| k.name()).collect::<Vec<_>>(),
            ActionKind::ALL.iter().map(|k| k.js_name()).collect(),
            ActionKind::ALL.iter().map(|k| k.snake_name()).collect(),
        ] {
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), ActionKind::ALL.len(), "duplicate in {names:?}");
        }
        for &k in ActionKind::ALL {
            assert_eq!(k.snake_name(), snake(k.js_name()), "{}", k.name());
            assert!(
                k.js_name().chars().all(|c| c.is_ascii_alphanumeric()),
                "{}",
                k.js_name()
            );
        }
    }

    /// The default allow-lists are the table's `public`/`backoffice` columns, in table
    /// order, each action once; writes are public only when they are orders (the gateway
    /// authorises those with a signed token).
    #[test]
    fn default_allow_lists_come_from_the_table() {
        for list in [ActionKind::DEFAULT_PUBLIC, ActionKind::DEFAULT_BACKOFFICE] {
            let in_table_order: Vec<ActionKind> = ActionKind::ALL
                .iter()
                .copied()
                .filter(|k| list.contains(k))
                .collect();
            assert_eq!(in_table_order, list, "a subset of ALL, in order, no repeats");
        }
        for &k in ActionKind::DEFAULT_PUBLIC {
            assert!(
                !k.is_write() || k == ActionKind::CreateTransaction,
                "{}",
                k.name()
            );
        }
        assert!(!ActionKind::DEFAULT_PUBLIC.is_empty());
        assert!(!ActionKind::DEFAULT_BACKOFFICE.is_empty());
    }

    #[test]
    fn every_group_is_used() {
        for tag in [Tag::Account, Tag::Catalog, Tag::Orders] {
            assert!(ActionKind::ALL.iter().any(|k| k.group() == tag), "{tag:?}");
            assert!(ActionKind::ALL.iter().any(|k| k.tag() == tag.as_str()));
        }
    }
}
