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
//!
//! The rest of PHP's `json_encode` family (issue 12), each run after the action:
//!
//! - `php_decimals`: whole numbers as decimal strings (`"20000.00"`, a MySQL `DECIMAL`);
//! - `php_bool_words`: booleans as `"true"`/`"false"`;
//! - `php_empty_arrays`: every empty list or object as `[]` (PHP's empty array), and an
//!   object holding only empty lists (listProducts' `data`) as `[]` too;
//! - `php_nulls`: every empty list as `null`;
//! - `php_holes`: every non-empty list as an object keyed `"1"`, `"2"`, … (an array whose
//!   keys are no longer 0..n, after `unset` or `array_filter`);
//! - `php_empty_strings`: every `null` as `""`, and the `total` of a summary entry without
//!   orders too (SQL's `SUM` over no row is `NULL`);
//! - `php_group_by`: a statistics summary without the statuses that have no orders (what
//!   `GROUP BY` returns);
//! - `bom`: a UTF-8 byte-order mark before the JSON (a PHP file saved with one);
//! - `echo_key`: the action does not run; a 400 `error` body echoes the request's API key
//!   (raw in `error`, `\u`-escaped in `refid`, with `\/` and straddling byte 300 in
//!   `detail`), for testing that clients scrub it.

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
    /// The action runs, then whole numbers go out as `"N.00"`.
    PhpDecimals,
    /// The action runs, then booleans go out as `"true"`/`"false"`.
    PhpBoolWords,
    /// The action runs, then empty lists and objects go out as `[]`.
    PhpEmptyArrays,
    /// The action runs, then empty lists go out as `null`.
    PhpNulls,
    /// The action runs, then lists go out as objects keyed from `"1"`.
    PhpHoles,
    /// The action runs, then `null` goes out as `""`.
    PhpEmptyStrings,
    /// The action runs, then summary entries without orders are left out.
    PhpGroupBy,
    /// The action runs, then the body starts with a UTF-8 byte-order mark.
    Bom,
    /// The action does not run; a 400 `error` body echoes the API key in several spellings.
    EchoKey,
}

impl FaultMode {
    /// The modes that send a PHP quirk on a normal answer, with the transform of each.
    pub const PHP_QUIRKS: [FaultMode; 8] = [
        FaultMode::PhpValues,
        FaultMode::PhpDecimals,
        FaultMode::PhpBoolWords,
        FaultMode::PhpEmptyArrays,
        FaultMode::PhpNulls,
        FaultMode::PhpHoles,
        FaultMode::PhpEmptyStrings,
        FaultMode::PhpGroupBy,
    ];

    /// The body transform of a PHP-quirk mode, `None` for the other modes.
    pub fn php_transform(self) -> Option<fn(Value) -> Value> {
        Some(match self {
            FaultMode::PhpValues => php_values,
            FaultMode::PhpDecimals => php_decimals,
            FaultMode::PhpBoolWords => php_bool_words,
            FaultMode::PhpEmptyArrays => php_empty_arrays,
            FaultMode::PhpNulls => php_nulls,
            FaultMode::PhpHoles => php_holes,
            FaultMode::PhpEmptyStrings => php_empty_strings,
            FaultMode::PhpGroupBy => php_group_by,
            _ => return None,
        })
    }
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

/// Applies `f` to every value, children first.
fn map_values(v: Value, f: &impl Fn(Value) -> Value) -> Value {
    let v = match v {
        Value::Array(a) => Value::Array(a.into_iter().map(|x| map_values(x, f)).collect()),
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, x)| (k, map_values(x, f))).collect()),
        other => other,
    };
    f(v)
}

/// Whole numbers as decimal strings with two decimals (`20000` → `"20000.00"`).
pub fn php_decimals(v: Value) -> Value {
    map_values(v, &|v| match v {
        Value::Number(n) if n.is_i64() || n.is_u64() => Value::String(format!("{n}.00")),
        other => other,
    })
}

/// Booleans as the words `"true"`/`"false"`.
pub fn php_bool_words(v: Value) -> Value {
    map_values(v, &|v| match v {
        Value::Bool(b) => Value::String(b.to_string()),
        other => other,
    })
}

/// Empty lists and objects as `[]`, and objects holding only empty lists as `[]` too.
pub fn php_empty_arrays(v: Value) -> Value {
    let empty = |v: &Value| match v {
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    };
    map_values(v, &|v| match v {
        Value::Object(m) if m.values().all(empty) => Value::Array(Vec::new()),
        other => other,
    })
}

/// Empty lists as `null`.
pub fn php_nulls(v: Value) -> Value {
    map_values(v, &|v| match v {
        Value::Array(a) if a.is_empty() => Value::Null,
        other => other,
    })
}

/// Non-empty lists as objects keyed `"1"`, `"2"`, …
pub fn php_holes(v: Value) -> Value {
    map_values(v, &|v| match v {
        Value::Array(a) if !a.is_empty() => Value::Object(
            a.into_iter()
                .enumerate()
                .map(|(i, x)| ((i + 1).to_string(), x))
                .collect(),
        ),
        other => other,
    })
}

/// `null` as `""`, and the `total` of an entry whose `count` is 0 too.
pub fn php_empty_strings(v: Value) -> Value {
    map_values(v, &|v| match v {
        Value::Null => Value::String(String::new()),
        Value::Object(mut m) if m.get("count") == Some(&Value::from(0)) && m.contains_key("total") => {
            m.insert("total".into(), Value::String(String::new()));
            Value::Object(m)
        }
        other => other,
    })
}

/// A `summary` without the entries whose `count` is 0.
pub fn php_group_by(mut v: Value) -> Value {
    if let Some(Value::Object(summary)) = v.get_mut("summary") {
        summary.retain(|_, e| e.get("count").and_then(Value::as_i64) != Some(0));
    }
    v
}

/// The body of an `echo_key` fault: the key raw, `\u`-escaped, with `\/`, and straddling
/// byte 300 of the body.
pub fn echo_key(key: &str) -> String {
    let escaped: String = key.chars().map(|c| format!("\\u{:04x}", c as u32)).collect();
    let raw = serde_json::to_string(key).unwrap_or_default();
    let raw = &raw[1..raw.len() - 1];
    let solidus = raw.replace('/', "\\/");
    let head = format!(r#"{{"error":"Kunci API {raw} tidak aktif","refid":"{escaped}","detail":""#);
    let half = key.len() / 2;
    let pad = " ".repeat(300usize.saturating_sub(head.len() + half));
    format!(r#"{head}{pad}{solidus}"}}"#)
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
        assert_eq!(
            php_decimals(json!({"a": 1, "b": 2.5, "c": [3]})),
            json!({"a": "1.00", "b": 2.5, "c": ["3.00"]})
        );
        assert_eq!(
            php_bool_words(json!({"a": [true, false]})),
            json!({"a": ["true", "false"]})
        );
        assert_eq!(
            php_empty_arrays(json!({"data": {"ready": [], "empty": []}, "m": {}, "x": [1]})),
            json!({"data": [], "m": [], "x": [1]})
        );
        assert_eq!(
            php_nulls(json!({"a": [], "b": [[]]})),
            json!({"a": null, "b": [null]})
        );
        assert_eq!(
            php_holes(json!({"a": ["x", "y"], "b": []})),
            json!({"a": {"1": "x", "2": "y"}, "b": []})
        );
        assert_eq!(
            php_empty_strings(json!({"a": null, "b": [null, 1]})),
            json!({"a": "", "b": ["", 1]})
        );
        assert_eq!(
            php_empty_strings(json!({"s": {"count": 0, "total": 0}, "t": {"count": 1, "total": 5}})),
            json!({"s": {"count": 0, "total": ""}, "t": {"count": 1, "total": 5}})
        );
        assert_eq!(
            php_group_by(
                json!({"summary": {"success": {"count": 2, "total": 4}, "failed": {"count": 0, "total": 0}}})
            ),
            json!({"summary": {"success": {"count": 2, "total": 4}}})
        );
        let e = echo_key("sk_a/b");
        let v: Value = serde_json::from_str(&e).unwrap();
        assert_eq!(v["refid"], "sk_a/b");
        assert!(e.contains("sk_a/b") && e.contains("\\u005f") && e.contains("sk_a\\/b"));
        let at = e.find("sk_a\\/b").unwrap();
        assert!(
            at < 300 && at + "sk_a\\/b".len() > 300,
            "straddles byte 300: {at}"
        );
        let m = malformed(r#"{"success":true}"#);
        assert!(serde_json::from_str::<Value>(&m).is_err());
        assert!(html_page(502).contains("502 Bad Gateway"));
    }
}
