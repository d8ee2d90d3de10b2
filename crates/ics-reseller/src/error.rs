//! One error taxonomy for every surface (DESIGN.md, "Errors").
//!
//! Each error has a stable [`ErrorCode`], the HTTP status when there was one, and says
//! whether retrying the same request is safe. Messages never contain the API key: nothing
//! here ever formats it, and `Client::decode` scrubs it from every text (see [`crate::http::scrub`]).

use crate::types::ErrorBody;
use serde::Serialize;
use std::fmt;

/// The `code` of the gateway's 409 for a re-send of a refid whose last send may still be
/// landing upstream (ics-gateway's `order_in_flight`): the order's outcome is unknown.
pub const ORDER_IN_FLIGHT: &str = "order_in_flight";

/// The stable, machine-readable kind of an [`Error`]; the `code` of the JS error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// HTTP 401: the API key is missing or wrong.
    Unauthorized,
    /// HTTP 403: the account is not active.
    Forbidden,
    /// HTTP 404: the data (e.g. a refid) does not exist.
    NotFound,
    /// The server refused the call with an `error` body.
    Rejected,
    /// An HTTP status with no meaning of its own (5xx, 429, other 4xx).
    HttpStatus,
    /// The request could not be sent or the connection dropped.
    Network,
    /// No answer within the timeout.
    Timeout,
    /// The caller aborted the call.
    Aborted,
    /// The answer could not be read as the expected body.
    Decode,
    /// The input was refused before anything was sent.
    InvalidInput,
    /// A createTransaction whose outcome is unknown and could not be reconciled.
    MaybeCommitted,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Rejected,
        ErrorCode::HttpStatus,
        ErrorCode::Network,
        ErrorCode::Timeout,
        ErrorCode::Aborted,
        ErrorCode::Decode,
        ErrorCode::InvalidInput,
        ErrorCode::MaybeCommitted,
    ];

    /// The wire/JS spelling, e.g. `maybe_committed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Rejected => "rejected",
            ErrorCode::HttpStatus => "http_status",
            ErrorCode::Network => "network",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Aborted => "aborted",
            ErrorCode::Decode => "decode",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::MaybeCommitted => "maybe_committed",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an input was refused before sending.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvalidInput {
    /// The field at fault, with its wire name (e.g. `nomor_tujuan`).
    pub field: &'static str,
    /// Why, in plain English.
    pub reason: String,
}

/// Every way a call can fail.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// HTTP 401: the API key is missing or wrong.
    Unauthorized {
        /// The server's `error` text, if it sent one.
        message: Option<String>,
    },
    /// HTTP 403: the account is not active.
    Forbidden {
        /// The server's `error` text, if it sent one.
        message: Option<String>,
    },
    /// HTTP 404: the data does not exist (for checkTransaction: no order with this refid).
    NotFound {
        /// The server's `error` text, if it sent one.
        message: Option<String>,
    },
    /// The server answered with an `error` body (on any status, 200 included).
    Rejected {
        /// HTTP status of the answer.
        status: u16,
        /// The parsed error body, with `refid`, `saldo_awal`, `saldo_akhir` when sent.
        body: Box<ErrorBody>,
        /// `Retry-After`, in milliseconds, when the server sent one (with a 429 or 5xx).
        retry_after_ms: Option<u64>,
    },
    /// An HTTP status that means nothing more specific (5xx, 429, other 4xx).
    HttpStatus {
        /// HTTP status of the answer.
        status: u16,
        /// `Retry-After`, in milliseconds, when the server sent one.
        retry_after_ms: Option<u64>,
        /// The first bytes of the body, as text.
        snippet: String,
    },
    /// The request could not be sent or the connection dropped.
    Network {
        /// What the transport said.
        message: String,
    },
    /// No answer within the timeout.
    Timeout {
        /// The timeout that ran out, in milliseconds.
        after_ms: u64,
    },
    /// The caller aborted the call.
    Aborted,
    /// The answer was not the expected body (HTML from a proxy, an empty body, a wrong shape).
    Decode {
        /// HTTP status of the answer.
        status: u16,
        /// What did not parse.
        message: String,
        /// The first bytes of the body, as text.
        snippet: String,
        /// The JSON path of the field at fault (`data.ready[3].harga_final`), when the
        /// body is JSON and the fault is in one field; see [`Error::path`].
        path: Option<String>,
    },
    /// The input was refused before anything was sent.
    InvalidInput(InvalidInput),
    /// createTransaction ended without a readable answer and reconciliation could not tell
    /// whether the order exists. Check `refid` later; never re-send with a new refid.
    MaybeCommitted {
        /// The order's refid.
        refid: String,
        /// The last error seen while reconciling.
        cause: Box<Error>,
    },
}

impl Error {
    /// Shorthand for an [`Error::InvalidInput`].
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Error {
        Error::InvalidInput(InvalidInput {
            field,
            reason: reason.into(),
        })
    }

    /// A [`Error::Decode`] with no field path.
    pub fn decode(status: u16, message: impl Into<String>, snippet: impl Into<String>) -> Error {
        Error::Decode {
            status,
            message: message.into(),
            snippet: snippet.into(),
            path: None,
        }
    }

    /// The JSON path of the field a decode error is about, e.g. `data.ready[3].harga_final`
    /// (for a missing field, the path it should have had). `None` for other errors and
    /// for a body that is not JSON or not an object at all.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Decode { path, .. } => path.as_deref(),
            Error::MaybeCommitted { cause, .. } => cause.path(),
            _ => None,
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::Unauthorized { .. } => ErrorCode::Unauthorized,
            Error::Forbidden { .. } => ErrorCode::Forbidden,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Rejected { .. } => ErrorCode::Rejected,
            Error::HttpStatus { .. } => ErrorCode::HttpStatus,
            Error::Network { .. } => ErrorCode::Network,
            Error::Timeout { .. } => ErrorCode::Timeout,
            Error::Aborted => ErrorCode::Aborted,
            Error::Decode { .. } => ErrorCode::Decode,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::MaybeCommitted { .. } => ErrorCode::MaybeCommitted,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized { .. } => Some(401),
            Error::Forbidden { .. } => Some(403),
            Error::NotFound { .. } => Some(404),
            Error::Rejected { status, .. }
            | Error::HttpStatus { status, .. }
            | Error::Decode { status, .. } => Some(*status),
            Error::MaybeCommitted { cause, .. } => cause.status(),
            _ => None,
        }
    }

    /// Whether sending the same *read* again may succeed: network errors, timeouts,
    /// 429 and 5xx. A write is never retried on this flag alone (see [`crate::reconcile`]).
    pub fn retryable(&self) -> bool {
        match self {
            Error::Network { .. } | Error::Timeout { .. } => true,
            // An `error` body with 429 or 5xx is the server failing, not refusing: a read
            // may succeed later.
            Error::HttpStatus { status, .. } | Error::Rejected { status, .. } => {
                *status == 429 || *status >= 500
            }
            Error::Decode { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Whether this is the gateway's 409 [`ORDER_IN_FLIGHT`]: a re-send refused because
    /// the refid's last send may still be landing upstream. Nothing was sent, but the order
    /// may yet exist: its outcome is unknown, and re-sending again would change nothing
    /// before the gateway's grace is over (the gateway's own reconciler settles it).
    pub fn in_flight(&self) -> bool {
        matches!(
            self,
            Error::Rejected { status: 409, body, .. }
                if body.extra.get("code").and_then(|c| c.as_str()) == Some(ORDER_IN_FLIGHT)
        )
    }

    /// Whether a createTransaction that failed this way may still have placed the order
    /// (no readable answer: timeout, dropped connection, 5xx, unreadable body, abort after
    /// send; or the gateway's [`ORDER_IN_FLIGHT`], see [`Error::in_flight`]).
    pub fn outcome_unknown(&self) -> bool {
        if self.in_flight() {
            return true;
        }
        match self {
            Error::Network { .. } | Error::Timeout { .. } | Error::Aborted => true,
            Error::HttpStatus { status, .. } => *status >= 500 || *status == 429,
            // A 5xx is no definite refusal even with an `error` body: reconcile by refid
            // (always safe: only a 404 from checkTransaction allows a re-send).
            Error::Rejected { status, .. } => *status >= 500,
            Error::Decode { .. } => true,
            Error::MaybeCommitted { .. } => true,
            _ => false,
        }
    }

    /// The refid this error concerns, when known.
    pub fn refid(&self) -> Option<&str> {
        match self {
            Error::Rejected { body, .. } => body.refid.as_deref(),
            Error::MaybeCommitted { refid, .. } => Some(refid),
            _ => None,
        }
    }

    /// `Retry-After` in milliseconds, when the server sent one.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            Error::HttpStatus { retry_after_ms, .. } | Error::Rejected { retry_after_ms, .. } => {
                *retry_after_ms
            }
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let server = |m: &Option<String>| m.as_deref().map(|m| format!(": {m}")).unwrap_or_default();
        match self {
            Error::Unauthorized { message } => {
                write!(f, "unauthorized (HTTP 401): the API key is missing or wrong{}", server(message))
            }
            Error::Forbidden { message } => {
                write!(f, "forbidden (HTTP 403): the account is not active{}", server(message))
            }
            Error::NotFound { message } => write!(f, "not found (HTTP 404){}", server(message)),
            Error::Rejected { status, body, .. } => {
                write!(f, "rejected by the server (HTTP {status}): {}", body.error)
            }
            Error::HttpStatus { status, snippet, .. } => {
                write!(f, "unexpected HTTP status {status}")?;
                if !snippet.is_empty() {
                    write!(f, ": {snippet:?}")?;
                }
                Ok(())
            }
            Error::Network { message } => write!(f, "network error: {message}"),
            Error::Timeout { after_ms } => write!(f, "no answer within {after_ms} ms"),
            Error::Aborted => f.write_str("aborted by the caller"),
            Error::Decode {
                status,
                message,
                snippet,
                path,
            } => {
                write!(f, "could not read the answer (HTTP {status}): ")?;
                if let Some(p) = path {
                    write!(f, "at {p}: ")?;
                }
                write!(f, "{message}; body starts {snippet:?}")
            }
            Error::InvalidInput(i) => write!(f, "invalid {}: {}", i.field, i.reason),
            Error::MaybeCommitted { refid, cause } => write!(
                f,
                "order {refid} may or may not exist: its outcome is unknown ({cause}); check it later with checkTransaction, do not re-order with a new refid"
            ),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_snake_case() {
        let names: std::collections::BTreeSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for c in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
        }
    }

    #[test]
    fn retryable_table() {
        let http = |status| Error::HttpStatus {
            status,
            retry_after_ms: None,
            snippet: String::new(),
        };
        let check = |e: Error, retry: bool, unknown: bool| {
            assert_eq!((e.retryable(), e.outcome_unknown()), (retry, unknown), "{e:?}");
        };
        check(http(500), true, true);
        check(http(502), true, true);
        check(http(429), true, true);
        check(http(400), false, false);
        check(Error::Network { message: "x".into() }, true, true);
        check(Error::Timeout { after_ms: 5 }, true, true);
        check(Error::Aborted, false, true);
        check(Error::Unauthorized { message: None }, false, false);
        check(Error::NotFound { message: None }, false, false);
        check(Error::invalid("refid", "empty"), false, false);
    }
}
