//! Integration tests of the sandbox, one binary (dropshot's layout), all over real HTTP on
//! 127.0.0.1:0 with the core's encode/decode; every JSON answer is validated against the
//! committed `schema/json` schemas.

mod actions;
#[cfg(unix)]
mod cli;
mod concurrency;
mod errors;
mod faults;
mod http;
mod quirks;
mod router;
mod surfaces;
mod util;
mod webhooks;
