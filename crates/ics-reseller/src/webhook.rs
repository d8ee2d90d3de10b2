//! The webhook payload (API.md rule 8): the checkTransaction body shape, read leniently.

use crate::error::Error;
use crate::http::snippet;
#[cfg(feature = "json")]
use crate::http::{read_json, strip_bom};
use crate::types::CheckTransactionResponse;
use crate::value;
#[cfg(feature = "json")]
use serde_json::Value;

/// Reads a webhook body sent on an order's status change. `success` may be missing.
#[cfg(feature = "json")]
pub fn parse_webhook(body: &[u8]) -> Result<CheckTransactionResponse, Error> {
    let decode_error = |message: String| Error::decode(200, message, snippet(body));
    let body = strip_bom(body);
    let mut value: Value = serde_json::from_slice(body)
        .map_err(|e| decode_error(format!("the webhook body is not JSON ({e})")))?;
    let Value::Object(map) = &mut value else {
        return Err(decode_error("the webhook body is not a JSON object".into()));
    };
    let not_status = |e: crate::http::ReadError| Error::Decode {
        status: 200,
        message: format!("the webhook body is not an order status: {}", e.error),
        snippet: snippet(body),
        path: e.path,
    };
    if map.contains_key("success") {
        // Read the bytes as they came: one deserializer for the type, shared with decode.
        return read_json(body).map_err(not_status);
    }
    map.insert("success".to_owned(), Value::Bool(true));
    let with_success = serde_json::to_vec(&value).unwrap_or_default();
    read_json(&with_success).map_err(not_status)
}

/// [`parse_webhook`] of a body the caller's JSON parser already read (the npm package:
/// `JSON.parse`), as a [`value::Value`], or the parser's message when it was not JSON;
/// `text` is the body, for the error's snippet.
pub fn parse_webhook_parsed(
    parsed: Result<value::Value, String>,
    text: &dyn Fn() -> Vec<u8>,
) -> Result<CheckTransactionResponse, Error> {
    let decode_error = |message: String| Error::decode(200, message, snippet(&text()));
    let mut map = match parsed {
        Ok(value::Value::Object(map)) => map,
        Ok(_) => return Err(decode_error("the webhook body is not a JSON object".into())),
        Err(e) => return Err(decode_error(format!("the webhook body is not JSON ({e})"))),
    };
    if !map.contains_key("success") {
        map.insert("success".to_owned(), value::Value::Bool(true));
    }
    crate::lenient::clear_path();
    <CheckTransactionResponse as serde::Deserialize>::deserialize(&value::Value::Object(map)).map_err(|e| {
        Error::Decode {
            status: 200,
            message: format!(
                "the webhook body is not an order status: {}",
                crate::http::serde_text(&e)
            ),
            snippet: snippet(&text()),
            path: crate::lenient::take_path(),
        }
    })
}
