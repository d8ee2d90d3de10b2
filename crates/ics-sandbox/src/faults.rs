//! Injected faults for client reliability tests, armed through `POST /__sandbox/faults`.
//!
//! A fault applies to the next `count` API requests (of one action, when `action` is set),
//! in the order faults were armed. Modes:
//!
//! - `latency`: wait `latency_ms`, then answer normally;
//! - `http500` / `http502`: answer an HTML error page; the action does **not** run;
//! - `http429`: answer 429 Too Many Requests (JSON `error`); the action does not run;
//!   with `retry_after_s`, these three also send `Retry-After: N`;
//! - `drop_after_commit`: run the action (the order is committed), then close the TCP
//!   connection without any HTTP response;
//! - `malformed_json`: run the action, then answer 200 with a truncated JSON body;
//! - `php_values`: run the action, then send numbers and booleans the PHP way: numbers as
//!   strings (`"20000"`), booleans as `1`/`0`.

use crate::sim::lock;
use ics_reseller::ActionKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Mutex;

/// What a fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultMode {
    /// Added latency, then a normal answer.
    Latency,
    /// HTTP 500 with an HTML page, before the action runs.
    Http500,
    /// HTTP 502 with an HTML page, before the action runs.
    Http502,
    /// HTTP 429 with a JSON `error`, before the action runs.
    Http429,
    /// The action runs, then the connection is closed with no response.
    DropAfterCommit,
    /// The action runs, then a truncated JSON body is sent.
    MalformedJson,
    /// The action runs, then numbers go out as strings and booleans as `1`/`0`.
    PhpValues,
}

/// The body of `POST /__sandbox/faults`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// What to do.
    pub mode: FaultMode,
    /// How many requests it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// Only requests of this action (wire name), when set.
    #[serde(default)]
    pub action: Option<String>,
    /// Added latency for `latency` (default 1000).
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// `Retry-After` in seconds, sent with `http500`, `http502` and `http429` (at most 3600).
    #[serde(default)]
    pub retry_after_s: Option<u64>,
}

fn one() -> u32 {
    1
}

/// An armed fault.
#[derive(Clone, Debug, Serialize)]
pub struct Armed {
    /// What it does.
    pub mode: FaultMode,
    /// Requests it still applies to.
    pub remaining: u32,
    /// Only this action, when set.
    pub action: Option<&'static str>,
    /// Added latency, for `latency`.
    pub latency_ms: u64,
    /// `Retry-After` in seconds, for the HTTP error modes.
    pub retry_after_s: Option<u64>,
}

/// The fault taken by one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    /// What to do.
    pub mode: FaultMode,
    /// Added latency, for `latency`.
    pub latency_ms: u64,
    /// `Retry-After` in seconds, for the HTTP error modes.
    pub retry_after_s: Option<u64>,
}

/// The armed faults.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<Vec<Armed>>,
}

impl Faults {
    /// Arms a fault; refuses an unknown action or a zero count.
    pub fn arm(&self, spec: FaultSpec) -> Result<Armed, String> {
        let action = match &spec.action {
            None => None,
            Some(name) => Some(
                ActionKind::from_name(name)
                    .ok_or_else(|| format!("unknown action {name:?}"))?
                    .name(),
            ),
        };
        if spec.count == 0 {
            return Err("count must be at least 1".into());
        }
        let armed = Armed {
            mode: spec.mode,
            remaining: spec.count,
            action,
            latency_ms: spec.latency_ms.unwrap_or(1000).min(120_000),
            retry_after_s: spec.retry_after_s.map(|s| s.min(3600)),
        };
        lock(&self.armed).push(armed.clone());
        Ok(armed)
    }

    /// Takes one use of the first fault that applies to `kind`.
    pub fn take(&self, kind: ActionKind) -> Option<Taken> {
        let mut armed = lock(&self.armed);
        let i = armed
            .iter()
            .position(|f| f.action.is_none_or(|a| a == kind.name()))?;
        let f = &mut armed[i];
        let taken = Taken {
            mode: f.mode,
            latency_ms: f.latency_ms,
            retry_after_s: f.retry_after_s,
        };
        f.remaining -= 1;
        if f.remaining == 0 {
            armed.remove(i);
        }
        Some(taken)
    }

    /// The armed faults, in order.
    pub fn list(&self) -> Vec<Armed> {
        lock(&self.armed).clone()
    }

    /// Disarms every fault; returns how many there were.
    pub fn clear(&self) -> usize {
        std::mem::take(&mut *lock(&self.armed)).len()
    }
}

/// The HTML page of an `http500`/`http502` fault, like a proxy's.
pub fn html_page(status: u16) -> String {
    let reason = if status == 502 {
        "Bad Gateway"
    } else {
        "Internal Server Error"
    };
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// A JSON text cut in its middle, so no JSON parser accepts it.
pub fn malformed(json: &str) -> String {
    let cut = json.len() / 2;
    let mut end = cut.max(1).min(json.len());
    while !json.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}<br />\n<b>Warning</b>:  Undefined index", &json[..end])
}

/// Numbers as strings and booleans as `1`/`0`, recursively (PHP's `json_encode` of values
/// read from MySQL as strings).
pub fn php_values(v: Value) -> Value {
    match v {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::from(u8::from(b)),
        Value::Array(a) => Value::Array(a.into_iter().map(php_values).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, php_values(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn take_in_order_by_action() {
        let f = Faults::default();
        let spec = |mode, count, action: Option<&str>| FaultSpec {
            mode,
            count,
            action: action.map(str::to_owned),
            latency_ms: None,
            retry_after_s: None,
        };
        f.arm(spec(FaultMode::Http500, 2, Some("createTransaction")))
            .unwrap();
        f.arm(spec(FaultMode::PhpValues, 1, None)).unwrap();
        assert!(f.arm(spec(FaultMode::Http500, 1, Some("nope"))).is_err());
        assert!(f.arm(spec(FaultMode::Http500, 0, None)).is_err());
        assert_eq!(f.take(ActionKind::Ping).unwrap().mode, FaultMode::PhpValues);
        assert_eq!(f.take(ActionKind::Ping), None);
        assert_eq!(
            f.take(ActionKind::CreateTransaction).unwrap().mode,
            FaultMode::Http500
        );
        assert_eq!(f.list().len(), 1);
        assert_eq!(f.clear(), 1);
        assert_eq!(f.take(ActionKind::CreateTransaction), None);
    }

    #[test]
    fn transforms() {
        assert_eq!(
            php_values(json!({"a": 1, "b": true, "c": [false, 2.5], "d": "x", "e": null})),
            json!({"a": "1", "b": 1, "c": [0, "2.5"], "d": "x", "e": null})
        );
        let m = malformed(r#"{"success":true}"#);
        assert!(serde_json::from_str::<Value>(&m).is_err());
        assert!(html_page(502).contains("502 Bad Gateway"));
    }
}
