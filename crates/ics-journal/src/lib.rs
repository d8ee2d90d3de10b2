//! The gateway's durable order journal.
//!
//! - [`Journal`]: one storage API over SQLite (the default, WAL, one file) or PostgreSQL
//!   (more than one gateway instance), opened from a URL; migrations run at open.
//!   [`Journal::admit`] checks the limits and writes the order **before** it is forwarded
//!   (write-ahead), in one transaction; [`Journal::record_answer`] and
//!   [`Journal::record_check`] keep every answer.
//! - [`reconcile`]: the background [`Reconciler`] that settles every open order by
//!   checkTransaction through an [`Upstream`], re-sending only after a 404, under the same
//!   refid.
//! - [`webhook`]: upstream webhooks taken as hints, confirmed by checkTransaction.
//! - [`events`]: the outbox of final orders, POSTed to the shop signed with HMAC-SHA256.
//! - [`backoffice`]: orders by state (to refund and still open first) and CSV export.
//! - [`upstream`]: the [`Upstream`] trait and [`HttpUpstream`] (reqwest + the core).
//! - [`testing`]: a throwaway PostgreSQL for tests and benches.

#![warn(missing_docs)]

pub mod backoffice;
pub mod events;
mod journal;
pub mod reconcile;
pub mod testing;
pub mod upstream;
pub mod webhook;

pub use journal::{
    client_ip_hash, now_ms, Admitted, Backend, Journal, JournalError, JournalOptions, Limits, NewOrder,
    OrderRecord, OrderState, Refusal,
};
pub use reconcile::{Reconciler, ReconcilerConfig, StopHandle};
#[cfg(feature = "reqwest")]
pub use upstream::HttpUpstream;
pub use upstream::Upstream;
