//! Conversions between JS values and the core's types, and the core's [`Error`] as a JS
//! `ResellerError`.
//!
//! Values cross the boundary as JS values: the JS engine parses bodies (`JSON.parse`),
//! serde-wasm-bindgen reads them into the core's types and writes the core's answers back
//! as plain JS objects, so the module carries no JSON parser or writer (no serde_json).

use std::cell::RefCell;

use ics_reseller::Error;
use js_sys::{Function, Object, Reflect, JSON};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{prelude::*, JsCast};

thread_local! {
    /// The JS `ResellerError` class, registered by the package's entry module.
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
    /// The package's `strictParsed(action, status, value, text)` (js/decode.js): whether a
    /// body `JSON.parse` made of `text` is a 2xx success in the documented form.
    static STRICT_DECODE: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the fast path of `js/decode.js` (called once, at load, by the package's entry).
#[wasm_bindgen(js_name = __registerStrictDecode, skip_typescript)]
pub fn register_strict_decode(f: Function) {
    STRICT_DECODE.with(|c| *c.borrow_mut() = Some(f));
}

/// The registered fast path on one parsed answer: `Ok(true)` for a strict success, to be
/// returned as `JSON.parse` built it; `Ok(false)` when the core decides; `Err(why)` when
/// the text is not JSON to the core (a lone surrogate escape).
pub fn strict_decode(action: &str, status: u16, value: &JsValue, text: &JsValue) -> Result<bool, String> {
    let Some(f) = STRICT_DECODE.with(|c| c.borrow().clone()) else {
        return Ok(false);
    };
    let args = js_sys::Array::of4(&JsValue::from_str(action), &JsValue::from(status), value, text);
    match f.apply(&JsValue::UNDEFINED, &args) {
        Ok(v) => match v.as_string() {
            Some(why) => Err(why),
            None => Ok(v.is_truthy()),
        },
        Err(_) => Ok(false),
    }
}

/// A body the JS engine parsed: `JSON.parse(text)`, or a fixed reason. The engine's
/// `SyntaxError` message is not kept: V8 quotes the first characters of the body in it
/// (`Unexpected token '<', "<html>sk_l"... is not valid JSON`), so a key the server echoed
/// would reach the error cut at a boundary no scrubber can recognise (the wasm suites'
/// `the_key_never_survives`). The error's snippet, cut from the scrubbed body, shows the text.
pub fn parse(text: &JsValue) -> Result<JsValue, String> {
    let Some(t) = text.as_string() else {
        return Err("not a string".to_owned());
    };
    JSON::parse(&t).map_err(|_| "JSON.parse refused it".to_owned())
}

/// Registers the `ResellerError` class the package's JS entry defines (called once, at load).
#[wasm_bindgen(js_name = __registerErrorClass, skip_typescript)]
pub fn register_error_class(class: Function) {
    ERROR_CLASS.with(|c| *c.borrow_mut() = Some(class));
}

/// Reads `obj[key]`; `undefined` when `obj` is not an object.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    if obj.is_object() {
        Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// A JS value (`undefined` and `null` read as `{}`) as a typed value: serde-wasm-bindgen
/// reads it as the core's [`Value`](ics_reseller::value::Value) (every key, so a request
/// type's `deny_unknown_fields` still refuses a stray one: serde-wasm-bindgen's struct
/// reader looks up only the known fields), the core's types read that.
pub fn from_js<T: DeserializeOwned>(value: &JsValue, what: &'static str) -> Result<T, Error> {
    let value = if value.is_undefined() || value.is_null() {
        Object::new().into()
    } else {
        value.clone()
    };
    let value: ics_reseller::value::Value = serde_wasm_bindgen::from_value(value)
        .map_err(|e| Error::invalid(what, ics_reseller::http::serde_text(&e)))?;
    T::deserialize(value).map_err(|e| Error::invalid(what, e.to_string()))
}

/// A typed value as a plain JS value (objects, not `Map`s; `None` as `null`), as
/// `JSON.parse` of its JSON text would build it.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Error> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::decode(200, e.to_string(), ""))
}

/// The fields of a `ResellerError`, as a plain object.
fn fields(e: &Error) -> Object {
    let o = Object::new();
    set(&o, "code", e.code().as_str());
    set(&o, "message", e.to_string());
    if let Some(s) = e.status() {
        set(&o, "status", s);
    }
    set(&o, "retryable", e.retryable());
    if let Some(r) = e.refid() {
        set(&o, "refid", r);
    }
    if let Some(p) = e.path() {
        set(&o, "path", p);
    }
    if let Some(ms) = e.retry_after_ms() {
        set(&o, "retryAfterMs", ms as f64);
    }
    match e {
        Error::Rejected { body, .. } => {
            if let Ok(b) = to_js(body) {
                set(&o, "body", b);
            }
        }
        Error::Unauthorized { message: Some(m) }
        | Error::Forbidden { message: Some(m) }
        | Error::NotFound { message: Some(m) } => {
            let b = Object::new();
            set(&b, "error", m.as_str());
            set(&o, "body", b);
        }
        Error::HttpStatus { snippet, .. } | Error::Decode { snippet, .. } => {
            set(&o, "snippet", snippet.as_str());
        }
        Error::InvalidInput(i) => set(&o, "field", i.field),
        Error::MaybeCommitted { cause, .. } => set(&o, "cause", to_js_error(cause)),
        _ => {}
    }
    o
}

/// The error as a JS `ResellerError` (a plain `Error` with the same fields before the
/// class is registered).
pub fn to_js_error(e: &Error) -> JsValue {
    let f = fields(e);
    let class = ERROR_CLASS.with(|c| c.borrow().clone());
    if let Some(class) = class {
        let args = js_sys::Array::of1(&f);
        if let Ok(err) = Reflect::construct(&class, &args) {
            return err;
        }
    }
    let err = js_sys::Error::new(&e.to_string());
    let _ = Object::assign(err.unchecked_ref(), &f);
    err.into()
}
