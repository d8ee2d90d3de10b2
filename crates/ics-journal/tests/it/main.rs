//! Integration tests of the journal against real databases (SQLite files, a throwaway
//! PostgreSQL) and the real sandbox over HTTP, with its faults.

mod admission;
mod bound;
mod concurrency;
mod crash;
mod events;
mod faults;
mod resend;
mod util;
mod webhooks;
