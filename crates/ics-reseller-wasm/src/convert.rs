//! Conversions between JS values and the core's types, and the core's [`Error`] as a JS
//! `ResellerError`.
//!
//! Bodies cross the boundary as JSON text (`JSON.stringify` / `JSON.parse` on the JS side,
//! serde_json on this side): one serializer in the module keeps it small, and `JSON.parse`
//! is the fastest way to build JS objects.

use std::cell::RefCell;

use ics_reseller::Error;
use js_sys::{Function, Object, Reflect, JSON};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{prelude::*, JsCast};

thread_local! {
    /// The JS `ResellerError` class, registered by the package's entry module.
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
    /// The package's `strictDecodeBytes(action, status, bytes)` (js/decode.js): the value of
    /// a 2xx success in the documented form, or `undefined` when the core must decide.
    static STRICT_DECODE: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the fast path of `js/decode.js` (called once, at load, by the package's entry).
#[wasm_bindgen(js_name = __registerStrictDecode, skip_typescript)]
pub fn register_strict_decode(f: Function) {
    STRICT_DECODE.with(|c| *c.borrow_mut() = Some(f));
}

/// The registered fast path on one answer: `Some(value)` when it is a strict success.
pub fn strict_decode(action: &str, status: u16, body: &JsValue) -> Option<JsValue> {
    let f = STRICT_DECODE.with(|c| c.borrow().clone())?;
    let v = f
        .call3(
            &JsValue::UNDEFINED,
            &JsValue::from_str(action),
            &JsValue::from(status),
            body,
        )
        .ok()?;
    (!v.is_undefined()).then_some(v)
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

/// A JS value (`undefined` and `null` read as `{}`) as a typed value, through its JSON text.
pub fn from_js<T: DeserializeOwned>(value: &JsValue, what: &'static str) -> Result<T, Error> {
    let text = if value.is_undefined() || value.is_null() {
        "{}".to_owned()
    } else {
        JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| Error::invalid(what, "cannot be written as JSON"))?
    };
    serde_json::from_str(&text).map_err(|e| Error::invalid(what, e.to_string()))
}

/// A typed value as a plain JS value, through its JSON text.
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Error> {
    let text = serde_json::to_string(value).map_err(|e| Error::decode(200, e.to_string(), ""))?;
    json_parse(&text)
}

/// `JSON.parse` of a text this module wrote.
pub fn json_parse(text: &str) -> Result<JsValue, Error> {
    JSON::parse(text).map_err(|_| Error::decode(200, "JSON.parse refused the normalised body", ""))
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
