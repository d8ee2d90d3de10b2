//! ics-gateway over real HTTP on 127.0.0.1:0, with the sandbox in-process as upstream and
//! small local servers standing in for hostile upstreams (PHP parsing, key echo,
//! redirects, TLS).

mod backoffice;
mod binary;
mod checks;
mod hostile;
mod journal;
mod metrics;
mod orders;
mod requests;
mod util;
