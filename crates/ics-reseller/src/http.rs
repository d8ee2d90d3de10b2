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
use crate::value;
#[cfg(feature = "json")]
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
    let mut out = format!("{base}?");
    for (i, p) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match p.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case(API_KEY_QUERY) => {
                out.push_str(k);
                out.push_str("=***");
            }
            _ => out.push_str(p),
        }
    }
    out
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
pub fn query_pairs(value: &value::Value) -> Vec<(String, String)> {
    use value::Value;
    let Value::Object(map) = value else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(map.len());
    for (k, v) in map {
        let text = match v {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Array(items) => {
                // joined by hand: `[String]::join` is ~1 KB of the wasm
                let mut text = String::new();
                for (n, i) in items.iter().enumerate() {
                    if n > 0 {
                        text.push(',');
                    }
                    match i {
                        Value::String(s) => text.push_str(s),
                        other => text.push_str(&other.to_json()),
                    }
                }
                text
            }
            other => other.to_json(),
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
        let value = value::to_value(&request).map_err(|e| Error::invalid("request", e.to_string()))?;
        Ok(self.request(A::NAME, A::METHOD, &value))
    }

    /// The HTTP request of action `name` with the prepared request `value`: everything
    /// [`Client::encode`] does past the typed steps, one function for every action.
    fn request(&self, name: &str, method: Method, value: &value::Value) -> HttpRequest {
        let mut url = String::with_capacity(self.config.base_url.len() + 64);
        url.push_str(&self.config.base_url);
        url.push_str("/?action=");
        url.push_str(name);
        let mut headers = vec![("Accept", "application/json".to_owned())];
        let body = match method {
            Method::Get => {
                for (k, v) in query_pairs(value) {
                    url.push('&');
                    encode_component(&k, &mut url);
                    url.push('=');
                    encode_component(&v, &mut url);
                }
                None
            }
            Method::Post => {
                headers.push(("Content-Type", "application/json".to_owned()));
                Some(value.to_json())
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
        HttpRequest {
            method,
            url,
            headers,
            body,
        }
    }

    /// Reads an answer for action `A`; see [`decode`]. The key, should the server echo it,
    /// is scrubbed from every text of the error in every spelling ([`scrub`]), and the
    /// body snippet is cut from the scrubbed body, so no part of the key survives the cut.
    #[cfg(feature = "json")]
    pub fn decode<A: Action>(
        &self,
        status: u16,
        retry_after: Option<&str>,
        body: &[u8],
    ) -> Result<A::Response, Error> {
        decode::<A>(status, retry_after, body).map_err(|e| match &self.config.api_key {
            Some(k) => redact_error_with_body(e, k.expose(), Some(body)),
            None => e,
        })
    }

    /// [`Client::decode`] of a body the caller already parsed ([`decode_parsed`]): the same
    /// scrubbing, and the snippet cut again from the scrubbed `text` (asked for only when
    /// the error has a snippet).
    pub fn decode_parsed<'de, A: Action, D: serde::Deserializer<'de>>(
        &self,
        status: u16,
        retry_after: Option<&str>,
        parsed: Result<impl Fn() -> D, String>,
        text: &dyn Fn() -> Vec<u8>,
    ) -> Result<A::Response, Error> {
        decode_parsed::<A, D>(status, retry_after, parsed, text).map_err(|e| self.redact_decoded(e, text))
    }

    /// The scrubbing of [`Client::decode_parsed`], one function for every action.
    fn redact_decoded(&self, e: Error, text: &dyn Fn() -> Vec<u8>) -> Error {
        match &self.config.api_key {
            Some(k) => {
                let body = matches!(e, Error::HttpStatus { .. } | Error::Decode { .. }).then(text);
                redact_error_with_body(e, k.expose(), body.as_deref())
            }
            None => e,
        }
    }

    /// Scrubs the API key, wherever and however it appears in an error's texts, to `***`.
    pub fn redact(&self, e: Error) -> Error {
        match &self.config.api_key {
            Some(k) => redact_error(e, k.expose()),
            None => e,
        }
    }
}

/// The mark that replaces a scrubbed key.
fn mark(key: &[u8]) -> &'static [u8] {
    if key.iter().all(|&b| b == b'*') {
        b"[redacted]"
    } else {
        b"***"
    }
}

fn hex_val(b: u8) -> Option<u32> {
    (b as char).to_digit(16)
}

fn hex_run(t: &[u8]) -> Option<u32> {
    t.iter()
        .try_fold(0u32, |acc, &b| hex_val(b).map(|h| acc * 16 + h))
}

/// Pushes the end of every spelling of the byte `k` that starts at `t[p]`: itself, `%HH`,
/// and after a run of backslashes (JSON, doubled JSON, Rust and JS escapes): `uHHHH`,
/// `u{H…}`, `xHH`, or `k` itself when `k` is `"`, `'`, `/` or a backslash.
fn spellings(t: &[u8], p: usize, k: u8, out: &mut Vec<usize>) {
    let Some(&c) = t.get(p) else { return };
    let k32 = u32::from(k);
    if c == k {
        out.push(p + 1);
    }
    if c == b'%' && t.get(p + 1..p + 3).and_then(hex_run) == Some(k32) {
        out.push(p + 3);
    }
    let mut q = p;
    while q < t.len() && t[q] == b'\\' && q - p < 8 {
        q += 1;
        // an escape introduced by the backslashes up to q
        match t.get(q) {
            Some(&b) if b == k && matches!(k, b'"' | b'/' | b'\\' | b'\'') => out.push(q + 1),
            Some(b'u') if t.get(q + 1) == Some(&b'{') => {
                let digits = t[q + 2..]
                    .iter()
                    .take(8)
                    .take_while(|b| b.is_ascii_hexdigit())
                    .count();
                let close = q + 2 + digits;
                if digits > 0 && t.get(close) == Some(&b'}') && hex_run(&t[q + 2..close]) == Some(k32) {
                    out.push(close + 1);
                }
            }
            Some(b'u') if t.get(q + 1..q + 5).and_then(hex_run) == Some(k32) => out.push(q + 5),
            Some(b'x') if t.get(q + 1..q + 3).and_then(hex_run) == Some(k32) => out.push(q + 3),
            _ => {}
        }
    }
}

/// `v` sorted ascending, each value once (what `sort_unstable` + `dedup` give), by marking
/// the span the values lie in: linear, and no sort code in the wasm (~4 KB).
fn ascending_once(v: &mut Vec<usize>) {
    let (Some(&lo), Some(&hi)) = (v.iter().min(), v.iter().max()) else {
        return;
    };
    let mut seen = vec![false; hi - lo + 1];
    for &x in v.iter() {
        seen[x - lo] = true;
    }
    v.clear();
    v.extend(seen.iter().enumerate().filter(|(_, s)| **s).map(|(i, _)| lo + i));
}

/// The end of the longest spelling of `key` that starts at `t[p]`, if any.
fn key_at(t: &[u8], p: usize, key: &[u8]) -> Option<usize> {
    let mut here = vec![p];
    let mut next = Vec::new();
    for &k in key {
        next.clear();
        for &q in &here {
            spellings(t, q, k, &mut next);
        }
        if next.is_empty() {
            return None;
        }
        ascending_once(&mut next);
        std::mem::swap(&mut here, &mut next);
    }
    here.last().copied()
}

/// `t` with every spelling of `key` replaced by `***`: raw, JSON-escaped per character
/// (`\u005f`, `\/`, `\"`, and escapes doubled by a second encoding), Rust and JS escapes
/// (`\u{5f}`, `\x5f`) and percent-encoded (`%5F`), in any mix. `None` when there was
/// none. `key` is visible ASCII (see [`ApiKey::new`]), so each span replaced is ASCII and
/// UTF-8 text stays UTF-8.
pub fn scrub_bytes(t: &[u8], key: &str) -> Option<Vec<u8>> {
    let key = key.as_bytes();
    let first = *key.first()?;
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut p = 0;
    while p < t.len() {
        let c = t[p];
        if c == first || c == b'%' || c == b'\\' {
            if let Some(end) = key_at(t, p, key) {
                let o = out.get_or_insert_with(|| Vec::with_capacity(t.len()));
                o.extend_from_slice(&t[copied..p]);
                o.extend_from_slice(mark(key));
                copied = end;
                p = end;
                continue;
            }
        }
        p += 1;
    }
    let mut o = out?;
    o.extend_from_slice(&t[copied..]);
    Some(o)
}

/// [`scrub_bytes`] on text.
pub fn scrub(s: &str, key: &str) -> String {
    match scrub_bytes(s.as_bytes(), key) {
        // Only ASCII spans were replaced, by ASCII: still UTF-8.
        Some(v) => {
            String::from_utf8(v).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
        None => s.to_owned(),
    }
}

fn scrub_value(v: &mut value::Value, key: &str) {
    use value::Value;
    match v {
        Value::String(s) => *s = scrub(s, key),
        Value::Array(items) => items.iter_mut().for_each(|i| scrub_value(i, key)),
        Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut item) in old {
                scrub_value(&mut item, key);
                map.insert(scrub(&k, key), item);
            }
        }
        _ => {}
    }
}

/// Scrubs `key` from every text of `e` ([`scrub`]): messages, snippets, paths, refids,
/// the error body (its `error`, `refid` and every extra field, names included), and the
/// cause of a [`Error::MaybeCommitted`].
pub fn redact_error(e: Error, key: &str) -> Error {
    redact_error_with_body(e, key, None)
}

/// [`redact_error`]; given the body the error came from, its snippet is cut again from
/// the scrubbed body, so a key straddling the cut leaves no part behind.
fn redact_error_with_body(e: Error, key: &str, body: Option<&[u8]>) -> Error {
    let r = |s: String| scrub(&s, key);
    let snip = |s: String| match body.and_then(|b| scrub_bytes(b, key)) {
        Some(clean) => snippet(&clean),
        None => r(s),
    };
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
            body.refid = body.refid.map(r);
            let mut extra = value::Value::Object(std::mem::take(&mut body.extra));
            scrub_value(&mut extra, key);
            if let value::Value::Object(m) = extra {
                body.extra = m;
            }
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
            snippet: snip(snippet),
        },
        Error::Network { message } => Error::Network { message: r(message) },
        Error::Decode {
            status,
            message,
            snippet,
            path,
        } => Error::Decode {
            status,
            message: r(message),
            snippet: snip(snippet),
            path: path.map(r),
        },
        Error::InvalidInput(mut i) => {
            i.reason = r(i.reason);
            Error::InvalidInput(i)
        }
        Error::MaybeCommitted { refid, cause } => Error::MaybeCommitted {
            refid: r(refid),
            cause: Box::new(redact_error_with_body(*cause, key, body)),
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
    let secs = crate::float::parse(v.trim())?;
    if secs.is_finite() && secs >= 0.0 {
        Some((secs.min(3600.0) * 1000.0) as u64)
    } else {
        None
    }
}

/// The string `error` of a body, if it has one (API.md rule 1). `null`, `false` and `""`
/// do not count.
#[cfg(feature = "json")]
fn error_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("true".to_owned()),
        _ => None,
    }
}

/// The body without a UTF-8 byte-order mark (a PHP file saved with one sends it first;
/// `Response.json()` in browsers skips it too).
pub fn strip_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body)
}

/// [`error_text`] of a value the core holds (an `extra` field, a parsed body).
fn value_error_text(v: &value::Value) -> Option<String> {
    use value::{Number, Value};
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(Number::PosInt(n)) => Some(n.to_string()),
        Value::Number(Number::NegInt(n)) => Some(n.to_string()),
        Value::Number(n @ Number::Float(_)) => Some(Value::Number(*n).to_json()),
        Value::Bool(true) => Some("true".to_owned()),
        _ => None,
    }
}

/// A typed read that failed: serde's error and the JSON path of the field at fault.
#[cfg(feature = "json")]
pub struct ReadError {
    /// What serde said.
    pub error: serde_json::Error,
    /// The field's path (`data.ready[3].harga_final`); `None` at the top level.
    pub path: Option<String>,
}

/// Reads one JSON value of type `T` from `body` (byte-order mark skipped, nothing but
/// whitespace after it); on failure, with the path of the field at fault (the lenient
/// readers track it, see [`crate::lenient`]).
#[cfg(feature = "json")]
pub fn read_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ReadError> {
    crate::lenient::clear_path();
    let mut de = serde_json::Deserializer::from_slice(strip_bom(body));
    let value = T::deserialize(&mut de).map_err(|error| ReadError {
        error,
        path: crate::lenient::take_path(),
    })?;
    de.end().map_err(|error| ReadError { error, path: None })?;
    Ok(value)
}

/// Reads an answer (status, `Retry-After` header, body bytes) for action `A`.
///
/// 401/403/404 become their own errors; a body with a string `error` on any other status is
/// [`Error::Rejected`]; another non-2xx status is [`Error::HttpStatus`]; a 2xx body that is
/// not the expected JSON is [`Error::Decode`], with the JSON path of the field at fault.
/// A UTF-8 byte-order mark before the JSON is skipped. Total: never panics.
#[cfg(feature = "json")]
pub fn decode<A: Action>(status: u16, retry_after: Option<&str>, body: &[u8]) -> Result<A::Response, Error> {
    // Every typed read here is `read_json`, so each type has one deserializer in the binary
    // (no second, `from_value` one), and all but this first step is one non-generic
    // function: both keep the wasm package smaller.
    // Fast path: a 2xx success body parses straight into the typed response.
    let typed = if (200..300).contains(&status) {
        match read_json::<A::Response>(body) {
            // A success shape that also says `error` falls through to the failure path.
            Ok(resp) if resp.extra().get("error").and_then(value_error_text).is_none() => return Ok(resp),
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
#[cfg(feature = "json")]
fn failure(
    name: &str,
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    typed: Option<ReadError>,
) -> Error {
    let parsed: Result<Value, _> = read_json(body).map_err(|e| e.error);
    let error_body = match &parsed {
        Ok(Value::Object(map)) => map
            .get("error")
            .and_then(error_text)
            .map(|text| read_json::<ErrorBody>(body).unwrap_or_else(|_| ErrorBody::from_text(text))),
        _ => None,
    };
    let message = error_body.as_ref().map(|b| b.error.clone());
    // One exhaustive match on the status (progenitor's shape): the first arm that fits wins.
    match (status, error_body) {
        (401, _) => Error::Unauthorized { message },
        (403, _) => Error::Forbidden { message },
        (404, _) => Error::NotFound { message },
        // A body with a string `error`, on any other status, is a refusal. Only a failing
        // server asks to come back later; a refusal on 200 has no say.
        (429 | 500.., Some(refusal)) => Error::Rejected {
            status,
            body: Box::new(refusal),
            retry_after_ms: retry_after.and_then(parse_retry_after),
        },
        (_, Some(refusal)) => Error::Rejected {
            status,
            body: Box::new(refusal),
            retry_after_ms: None,
        },
        // A 2xx body that is neither the success nor an error body.
        (200..=299, None) => {
            let (message, path) = match (parsed, typed) {
                (Err(_), _) if body.iter().all(u8::is_ascii_whitespace) => {
                    ("the body is empty".to_owned(), None)
                }
                (Err(e), _) => (format!("the body is not JSON ({e})"), None),
                (Ok(_), Some(e)) => (format!("the body is not a {name} answer: {}", e.error), e.path),
                // Unreachable: a 2xx JSON body the typed read accepted had an `error` (see decode).
                (Ok(_), None) => (format!("the body is not a {name} answer"), None),
            };
            Error::Decode {
                status,
                message,
                snippet: snippet(body),
                path,
            }
        }
        (_, None) => Error::HttpStatus {
            status,
            retry_after_ms: retry_after.and_then(parse_retry_after),
            snippet: snippet(body),
        },
    }
}

/// [`decode`] of a body the caller's JSON parser already read (in the npm package, the JS
/// engine's `JSON.parse`): `parsed` makes a deserializer of the parsed body each time it is
/// called (the typed read, then on failure the error body), or holds the parser's message
/// when the body is not JSON; `text` gives the body's text, asked for only when an error
/// keeps a snippet. The same statuses, rules, errors and paths as [`decode`]; a message
/// that quotes the parser or serde quotes the caller's ones.
pub fn decode_parsed<'de, A: Action, D: serde::Deserializer<'de>>(
    status: u16,
    retry_after: Option<&str>,
    parsed: Result<impl Fn() -> D, String>,
    text: &dyn Fn() -> Vec<u8>,
) -> Result<A::Response, Error> {
    let typed = match &parsed {
        Ok(de) if (200..300).contains(&status) => {
            crate::lenient::clear_path();
            match <A::Response as serde::Deserialize>::deserialize(de()) {
                Ok(resp) if resp.extra().get("error").and_then(value_error_text).is_none() => {
                    return Ok(resp)
                }
                Ok(_) => None,
                Err(e) => Some((serde_text(&e), crate::lenient::take_path())),
            }
        }
        _ => None,
    };
    let parsed = match &parsed {
        Ok(de) => Ok(de as &dyn Fn() -> D),
        Err(e) => Err(e.as_str()),
    };
    Err(failure_of_parsed(
        A::NAME,
        status,
        retry_after,
        parsed,
        text,
        typed,
    ))
}

/// Why a parsed answer is not a success of action `name`: the body as a value, and its
/// error body when it says `error` (generic over the deserializer only, so one copy per
/// parser, not per action), then [`failure_parsed`].
fn failure_of_parsed<'de, D: serde::Deserializer<'de>>(
    name: &str,
    status: u16,
    retry_after: Option<&str>,
    parsed: Result<&dyn Fn() -> D, &str>,
    text: &dyn Fn() -> Vec<u8>,
    typed: Option<(String, Option<String>)>,
) -> Error {
    let value = match &parsed {
        Ok(de) => <value::Value as serde::Deserialize>::deserialize(de()).map_err(|e| serde_text(&e)),
        Err(e) => Err((*e).to_owned()),
    };
    let error_body = match (&value, &parsed) {
        (Ok(value::Value::Object(map)), Ok(de)) => map.get("error").and_then(value_error_text).map(|text| {
            <ErrorBody as serde::Deserialize>::deserialize(de())
                .unwrap_or_else(|_| ErrorBody::from_text(text))
        }),
        _ => None,
    };
    failure_parsed(
        name,
        status,
        retry_after,
        value.map(drop),
        error_body,
        text,
        typed,
    )
}

/// A deserializer's error as text, without the `Error: ` a JS error's `toString` puts
/// first (serde-wasm-bindgen's errors are JS errors), so messages read as natively.
pub fn serde_text(e: &impl fmt::Display) -> String {
    let t = e.to_string();
    match t.strip_prefix("Error: ") {
        Some(rest) => rest.to_owned(),
        None => t,
    }
}

/// [`failure`] of a parsed body: `json` says whether it was JSON (the parser's message if
/// not), `typed` is the typed read's error and path (for a 2xx status).
fn failure_parsed(
    name: &str,
    status: u16,
    retry_after: Option<&str>,
    json: Result<(), String>,
    error_body: Option<ErrorBody>,
    text: &dyn Fn() -> Vec<u8>,
    typed: Option<(String, Option<String>)>,
) -> Error {
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
    let body = text();
    if !(200..300).contains(&status) {
        return Error::HttpStatus {
            status,
            retry_after_ms: retry_after.and_then(parse_retry_after),
            snippet: snippet(&body),
        };
    }
    let (message, path) = match (json, typed) {
        (Err(_), _) if body.iter().all(u8::is_ascii_whitespace) => ("the body is empty".to_owned(), None),
        (Err(e), _) => (format!("the body is not JSON ({e})"), None),
        (Ok(()), Some((e, path))) => (format!("the body is not a {name} answer: {e}"), path),
        // Unreachable: a 2xx JSON body the typed read accepted had an `error`.
        (Ok(()), None) => (format!("the body is not a {name} answer"), None),
    };
    Error::Decode {
        status,
        message,
        snippet: snippet(&body),
        path,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ascending_once_is_sort_and_dedup(v in proptest::collection::vec(0usize..5_000, 0..64), base in 0usize..1 << 40) {
            let mut ours: Vec<usize> = v.iter().map(|x| x + base).collect();
            let mut std = ours.clone();
            super::ascending_once(&mut ours);
            std.sort_unstable();
            std.dedup();
            prop_assert_eq!(ours, std);
        }
    }
}
