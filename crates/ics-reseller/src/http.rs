//! HTTP encode and decode, sans IO.
//!
//! [`Client::encode`] turns a typed request into an [`HttpRequest`] description (method,
//! URL, headers, body); the caller's transport sends it and hands the status and body bytes
//! to [`Client::decode`], which yields the typed response or an [`Error`]. All status
//! mapping lives in [`decode`], exhaustively, so every transport means the same thing by
//! a status.

use crate::actions::{Action, Method, ResponseBody};
use crate::error::Error;
use crate::types::ErrorBody;
use crate::validate::Prepare;
use serde_json::Value;
use std::fmt;

/// An API key. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; refuses an empty one or one with characters a header cannot carry.
    pub fn new(key: impl Into<String>) -> Result<ApiKey, Error> {
        let key = key.into();
        if key.trim().is_empty() {
            return Err(Error::invalid("apiKey", "the API key is empty"));
        }
        if key.bytes().any(|b| !(0x21..=0x7e).contains(&b)) {
            return Err(Error::invalid(
                "apiKey",
                "the API key may hold only visible ASCII characters",
            ));
        }
        Ok(ApiKey(key))
    }

    /// The key itself, for the transport only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// Where the API key travels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthMode {
    /// `X-API-Key` header (the default).
    #[default]
    Header,
    /// `apikey` query parameter: the key lands in URLs and logs, so only on request.
    Query,
}

/// Name of the header that carries the key.
pub const API_KEY_HEADER: &str = "X-API-Key";
/// Name of the query parameter that carries the key in [`AuthMode::Query`].
pub const API_KEY_QUERY: &str = "apikey";

/// Where and how to call the API.
#[derive(Clone, Debug)]
pub struct Config {
    /// Base URL, e.g. `https://reseller.ics-store.my.id` or `http://127.0.0.1:8080/gateway`.
    pub base_url: String,
    /// The key; `None` behind a gateway that adds it.
    pub api_key: Option<ApiKey>,
    /// Where the key travels.
    pub auth: AuthMode,
}

impl Config {
    /// A configuration with header auth; checks the base URL.
    pub fn new(base_url: impl Into<String>, api_key: Option<ApiKey>) -> Result<Config, Error> {
        let base_url = base_url.into();
        let b = base_url.trim();
        let rest = b
            .strip_prefix("https://")
            .or_else(|| b.strip_prefix("http://"))
            .ok_or_else(|| Error::invalid("baseUrl", "the base URL must start with http:// or https://"))?;
        if rest.is_empty() || rest.starts_with('/') || b.contains(['?', '#', ' ']) {
            return Err(Error::invalid(
                "baseUrl",
                "the base URL must name a host and hold no query, fragment or spaces",
            ));
        }
        Ok(Config {
            base_url: b.trim_end_matches('/').to_owned(),
            api_key,
            auth: AuthMode::Header,
        })
    }
}

/// An HTTP request to send. Its `Debug` hides the key in the header and in the URL.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL, query included.
    pub url: String,
    /// Headers to set.
    pub headers: Vec<(&'static str, String)>,
    /// The JSON body of a POST.
    pub body: Option<String>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    if k.eq_ignore_ascii_case(API_KEY_HEADER) {
                        "***"
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &redact_query_key(&self.url))
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

/// The URL with the value of any `apikey` query parameter replaced by `***`.
pub fn redact_query_key(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case(API_KEY_QUERY) => format!("{k}=***"),
            _ => p.to_owned(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are).
pub fn encode_component(s: &str, out: &mut String) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b',' => out.push(','),
            _ => {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
                out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
            }
        }
    }
}

/// The query parameters of a request: each field of its JSON form, lists joined by commas,
/// absent and null fields left out.
pub fn query_pairs(value: &Value) -> Vec<(String, String)> {
    let Value::Object(map) = value else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        let text = match v {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        out.push((k.clone(), text));
    }
    out
}

/// A sans-IO client: a [`Config`] plus encode and decode.
#[derive(Clone, Debug)]
pub struct Client {
    config: Config,
}

impl Client {
    /// A client for this configuration.
    pub fn new(config: Config) -> Client {
        Client { config }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Validates and normalises `request`, then describes the HTTP request for action `A`.
    pub fn encode<A: Action>(&self, request: A::Request) -> Result<HttpRequest, Error> {
        let request = request.prepare()?;
        let value = serde_json::to_value(&request).map_err(|e| Error::invalid("request", e.to_string()))?;
        let mut url = String::with_capacity(self.config.base_url.len() + 64);
        url.push_str(&self.config.base_url);
        url.push_str("/?action=");
        url.push_str(A::NAME);
        let mut headers = vec![("Accept", "application/json".to_owned())];
        let body = match A::METHOD {
            Method::Get => {
                for (k, v) in query_pairs(&value) {
                    url.push('&');
                    encode_component(&k, &mut url);
                    url.push('=');
                    encode_component(&v, &mut url);
                }
                None
            }
            Method::Post => {
                headers.push(("Content-Type", "application/json".to_owned()));
                Some(value.to_string())
            }
        };
        if let Some(key) = &self.config.api_key {
            match self.config.auth {
                AuthMode::Header => headers.push((API_KEY_HEADER, key.expose().to_owned())),
                AuthMode::Query => {
                    url.push('&');
                    url.push_str(API_KEY_QUERY);
                    url.push('=');
                    encode_component(key.expose(), &mut url);
                }
            }
        }
        Ok(HttpRequest {
            method: A::METHOD,
            url,
            headers,
            body,
        })
    }

    /// Reads an answer for action `A`; see [`decode`]. The key, should the server echo it,
    /// is cut out of every error text.
    pub fn decode<A: Action>(
        &self,
        status: u16,
        retry_after: Option<&str>,
        body: &[u8],
    ) -> Result<A::Response, Error> {
        decode::<A>(status, retry_after, body).map_err(|e| self.redact(e))
    }

    /// Replaces the API key, wherever it appears in an error's texts, by `***`.
    pub fn redact(&self, e: Error) -> Error {
        match &self.config.api_key {
            Some(k) => redact_error(e, k.expose()),
            None => e,
        }
    }
}

fn redact_error(e: Error, key: &str) -> Error {
    let r = |s: String| if s.contains(key) { s.replace(key, "***") } else { s };
    match e {
        Error::Unauthorized { message } => Error::Unauthorized {
            message: message.map(r),
        },
        Error::Forbidden { message } => Error::Forbidden {
            message: message.map(r),
        },
        Error::NotFound { message } => Error::NotFound {
            message: message.map(r),
        },
        Error::Rejected {
            status,
            mut body,
            retry_after_ms,
        } => {
            body.error = r(body.error);
            body.extra.retain(|_, v| !v.to_string().contains(key));
            Error::Rejected {
                status,
                body,
                retry_after_ms,
            }
        }
        Error::HttpStatus {
            status,
            retry_after_ms,
            snippet,
        } => Error::HttpStatus {
            status,
            retry_after_ms,
            snippet: r(snippet),
        },
        Error::Network { message } => Error::Network { message: r(message) },
        Error::Decode {
            status,
            message,
            snippet,
        } => Error::Decode {
            status,
            message: r(message),
            snippet: r(snippet),
        },
        Error::MaybeCommitted { refid, cause } => Error::MaybeCommitted {
            refid,
            cause: Box::new(redact_error(*cause, key)),
        },
        other => other,
    }
}

/// How many bytes of a body an error keeps.
pub const SNIPPET_BYTES: usize = 300;

/// The first [`SNIPPET_BYTES`] of a body as text (lossy UTF-8, cut at a character boundary).
pub fn snippet(body: &[u8]) -> String {
    let cut = &body[..body.len().min(SNIPPET_BYTES)];
    let text = String::from_utf8_lossy(cut);
    let mut s = text.into_owned();
    if s.ends_with('\u{fffd}') && body.len() > SNIPPET_BYTES {
        s.pop();
    }
    s
}

/// Reads `Retry-After` given in seconds (an HTTP date is ignored); capped at one hour.
pub fn parse_retry_after(v: &str) -> Option<u64> {
    let secs: f64 = v.trim().parse().ok()?;
    if secs.is_finite() && secs >= 0.0 {
        Some((secs.min(3600.0) * 1000.0) as u64)
    } else {
        None
    }
}

/// The string `error` of a body, if it has one (API.md rule 1). `null`, `false` and `""`
/// do not count.
fn error_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("true".to_owned()),
        _ => None,
    }
}

/// Reads an answer (status, `Retry-After` header, body bytes) for action `A`.
///
/// 401/403/404 become their own errors; a body with a string `error` on any other status is
/// [`Error::Rejected`]; another non-2xx status is [`Error::HttpStatus`]; a 2xx body that is
/// not the expected JSON is [`Error::Decode`]. Total: never panics.
pub fn decode<A: Action>(status: u16, retry_after: Option<&str>, body: &[u8]) -> Result<A::Response, Error> {
    // Every typed read here is `from_slice`, so each type has one deserializer in the binary
    // (no second, `from_value` one), and all but this first step is one non-generic
    // function: both keep the wasm package smaller.
    // Fast path: a 2xx success body parses straight into the typed response.
    let typed = if (200..300).contains(&status) {
        match serde_json::from_slice::<A::Response>(body) {
            // A success shape that also says `error` falls through to the failure path.
            Ok(resp) if resp.extra().get("error").and_then(error_text).is_none() => return Ok(resp),
            // (a success that says `error` is refused below, so only the error matters)
            Ok(_) => None,
            Err(e) => Some(e),
        }
    } else {
        None
    };
    Err(failure(A::NAME, status, retry_after, body, typed))
}

/// Why an answer is not a success of action `name`: everything [`decode`] decides past
/// its typed read, whose error (for a 2xx status) is `typed`.
fn failure(
    name: &str,
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    typed: Option<serde_json::Error>,
) -> Error {
    let parsed: Result<Value, _> = serde_json::from_slice(body);
    let error_body = match &parsed {
        Ok(Value::Object(map)) => map.get("error").and_then(error_text).map(|text| {
            serde_json::from_slice::<ErrorBody>(body).unwrap_or_else(|_| ErrorBody {
                error: text,
                refid: None,
                saldo_awal: None,
                saldo_akhir: None,
                extra: Default::default(),
            })
        }),
        _ => None,
    };
    let message = error_body.as_ref().map(|b| b.error.clone());
    match status {
        401 => return Error::Unauthorized { message },
        403 => return Error::Forbidden { message },
        404 => return Error::NotFound { message },
        _ => {}
    }
    if let Some(body) = error_body {
        return Error::Rejected {
            status,
            body: Box::new(body),
            // Only a failing server asks to come back later; a refusal on 200 has no say.
            retry_after_ms: if status == 429 || status >= 500 {
                retry_after.and_then(parse_retry_after)
            } else {
                None
            },
        };
    }
    if !(200..300).contains(&status) {
        return Error::HttpStatus {
            status,
            retry_after_ms: retry_after.and_then(parse_retry_after),
            snippet: snippet(body),
        };
    }
    let message = match (parsed, typed) {
        (Err(_), _) if body.iter().all(u8::is_ascii_whitespace) => "the body is empty".to_owned(),
        (Err(e), _) => format!("the body is not JSON ({e})"),
        (Ok(_), Some(e)) => format!("the body is not a {name} answer: {e}"),
        // Unreachable: a 2xx JSON body the typed read accepted had an `error` (see decode).
        (Ok(_), None) => format!("the body is not a {name} answer"),
    };
    Error::Decode {
        status,
        message,
        snippet: snippet(body),
    }
}
