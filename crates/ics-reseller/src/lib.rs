//! Typed, sans-IO core of the ICS-Store Reseller API SDK.
//!
//! - [`actions`]: the one table of actions ([`Action`], [`ActionKind`], [`with_action!`]).
//! - [`types`]: every request and response body, read leniently, unknown fields kept.
//! - [`http`]: [`Client::encode`] a typed request into an [`HttpRequest`] description and
//!   [`Client::decode`] a status + body into the typed response or an [`Error`].
//! - [`error`]: one error taxonomy with stable codes.
//! - [`float`]: an `f64`'s text as std writes it, without `core::fmt`'s float code.
//! - [`value`]: the core's own JSON value (`extra` fields, requests on their way out); the
//!   default feature `json` adds serde_json (byte decoding, the generators) for native users.
//! - [`validate`]: phone numbers, refids, paging; [`refid`]: the refid generator.
//! - [`retry`]: backoff for reads; [`reconcile`]: the order reconciliation state machine.
//! - [`token`]: order tokens, a shop backend's signed authorisation of exactly one order.
//!
//! With the `schema` feature every body implements `schemars::JsonSchema`: the JSON Schemas,
//! the OpenAPI document and the npm package's generated files come from them, written by the
//! `ics-codegen` crate (`cargo xtask codegen`), not by this one.
//!
//! No I/O happens here: no sockets, no clocks, no randomness. No input makes it panic.
//!
//! ```
//! use ics_reseller::{actions::Ping, ApiKey, Client, Config, NoParams};
//! let client = Client::new(Config::new("https://reseller.ics-store.my.id", Some(ApiKey::new("k").unwrap())).unwrap());
//! let req = client.encode::<Ping>(NoParams {}).unwrap();
//! assert_eq!(req.url, "https://reseller.ics-store.my.id/?action=ping");
//! let resp = client.decode::<Ping>(200, None, br#"{"success":true,"kodereseller":"RS00001"}"#).unwrap();
//! assert_eq!(resp.kodereseller, "RS00001");
//! ```

#![warn(missing_docs)]

/// This crate's version (the API description's `info.version`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod actions;
pub mod error;
pub mod float;
#[cfg(feature = "json")]
pub mod fuzzing;
pub mod http;
pub mod lenient;
pub mod reconcile;
pub mod refid;
pub mod retry;
pub mod token;
pub mod types;
pub mod validate;
pub mod value;
pub mod webhook;

pub use actions::{Action, ActionKind, Method};
pub use error::{Error, ErrorCode, InvalidInput};
pub use http::{ApiKey, AuthMode, Client, Config, HttpRequest};
pub use reconcile::{Placed, ReconcilePolicy, Reconciler, Step};
pub use refid::new_refid;
pub use retry::RetryPolicy;
pub use types::*;
pub use validate::{normalize_phone, Operator, Phone};
#[cfg(feature = "json")]
pub use webhook::parse_webhook;
pub use webhook::parse_webhook_parsed;
