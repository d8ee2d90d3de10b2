//! Strict request parsing: nothing of the browser's request reaches the upstream as sent.
//!
//! The upstream is PHP, which reads a query string its own way: a repeated key keeps the
//! last value, `k[]=` makes an array, percent-encoded names are decoded, a leading space
//! is dropped, `.` and space inside a name become `_`, and a NUL cuts a name. Any of those
//! could make the upstream see another `action` or `apikey` than the one checked here. So
//! a parameter *name* must be spelled plainly (`[A-Za-z0-9_]+`, no encoding at all), may
//! appear once, must be `action` or a field of the action's typed request, and is never
//! `apikey`. Values are percent-decoded and then read into the core's typed request, which
//! the core validates and re-encodes (`Client::encode`): the upstream only ever sees the
//! canonical form.

use crate::error::GwError;
use ics_reseller::actions::Action;
use ics_reseller::ActionKind;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The parameters of a query string, checked (see the module docs).
pub fn query_params(raw: Option<&str>) -> Result<Vec<(String, String)>, GwError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for seg in raw.unwrap_or("").split('&') {
        if seg.is_empty() {
            continue;
        }
        let raw_name = seg.split_once('=').map(|(n, _)| n).unwrap_or(seg);
        if raw_name.is_empty() || !raw_name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(GwError::bad_request(
                "bad_parameter_name",
                format!(
                    "parameter name {:?} is not plain [A-Za-z0-9_] (no encoding, brackets, dots, spaces)",
                    printable(raw_name)
                ),
            ));
        }
        if raw_name.eq_ignore_ascii_case(ics_reseller::http::API_KEY_QUERY) {
            return Err(GwError::bad_request(
                "apikey_refused",
                "an API key is never accepted from the browser",
            ));
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(raw_name)) {
            return Err(GwError::bad_request(
                "repeated_parameter",
                format!("parameter {raw_name} appears more than once"),
            ));
        }
        let value = match seg.split_once('=') {
            Some((_, v)) => form_urlencoded::parse(format!("v={v}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default(),
            None => String::new(),
        };
        out.push((raw_name.to_owned(), value));
    }
    Ok(out)
}

fn printable(s: &str) -> String {
    s.chars().take(40).flat_map(char::escape_default).collect()
}

/// The `action` of checked query parameters.
pub fn action_of(params: &[(String, String)]) -> Result<ActionKind, GwError> {
    let name = params
        .iter()
        .find(|(n, _)| n == "action")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| GwError::bad_request("missing_action", "the gateway needs ?action=NAME"))?;
    ActionKind::from_name(name).ok_or_else(|| {
        GwError::bad_request("unknown_action", format!("unknown action {:?}", printable(name)))
    })
}

/// The field names of each action's typed request, from its JSON Schema.
pub fn fields(kind: ActionKind) -> &'static [String] {
    static FIELDS: OnceLock<HashMap<ActionKind, Vec<String>>> = OnceLock::new();
    FIELDS
        .get_or_init(|| {
            ActionKind::ALL
                .iter()
                .map(|&k| {
                    let schema =
                        ics_reseller::with_action!(k, A => schemars::schema_for!(<A as Action>::Request));
                    let names = schema
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default();
                    (k, names)
                })
                .collect()
        })
        .get(&kind)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn check_names<'a>(kind: ActionKind, names: impl Iterator<Item = &'a str>) -> Result<(), GwError> {
    let allowed = fields(kind);
    for n in names {
        if n.eq_ignore_ascii_case(ics_reseller::http::API_KEY_QUERY) {
            return Err(GwError::bad_request(
                "apikey_refused",
                "an API key is never accepted from the browser",
            ));
        }
        if !allowed.iter().any(|a| a == n) {
            return Err(GwError::bad_request(
                "unknown_parameter",
                format!("{} takes no parameter {:?}", kind.name(), printable(n)),
            ));
        }
    }
    Ok(())
}

/// The typed request of `A` from checked query parameters (GET): every name but `action`
/// must be a field of `A::Request`.
pub fn from_query<A: Action>(params: &[(String, String)]) -> Result<A::Request, GwError> {
    let rest = params.iter().filter(|(n, _)| n != "action");
    check_names(A::KIND, rest.clone().map(|(n, _)| n.as_str()))?;
    let map: Map<String, Value> = rest.map(|(n, v)| (n.clone(), Value::String(v.clone()))).collect();
    typed::<A>(Value::Object(map))
}

/// The typed request of `A` from a JSON body (POST): an object whose keys are all fields
/// of `A::Request`.
pub fn from_body<A: Action>(body: &[u8]) -> Result<A::Request, GwError> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| GwError::bad_request("bad_json", format!("the body is not JSON: {e}")))?
    };
    let Value::Object(map) = &value else {
        return Err(GwError::bad_request("bad_json", "the body must be a JSON object"));
    };
    check_names(A::KIND, map.keys().map(String::as_str))?;
    typed::<A>(value)
}

fn typed<A: Action>(value: Value) -> Result<A::Request, GwError> {
    let req: A::Request = serde_json::from_value(value)
        .map_err(|e| GwError::bad_request("invalid_input", format!("{}: {e}", A::NAME)))?;
    ics_reseller::validate::Prepare::prepare(req)
        .map_err(|e| GwError::bad_request("invalid_input", e.to_string()))
}

/// Whether a `Content-Type` is JSON (`application/json`, parameters allowed).
pub fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().eq_ignore_ascii_case("application/json"))
        .unwrap_or(false)
}
