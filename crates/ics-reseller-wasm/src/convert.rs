//! Conversions between JS values and the core's types, and the core's [`Error`] as a JS
//! `ResellerError`.
//!
//! The module carries no serde_json. An answer's body is copied into the wasm once
//! ([`text_of`]) and parsed by the core's own `Value::from_json`, unless the JS fast path
//! takes it ([`fast_answer`]: the documented form, or a common PHP form it turns into it),
//! which returns what `JSON.parse` built. Parameters a caller passes
//! are walked into the core's [`Value`] ([`value_of`]); answers go back to JS through
//! serde-wasm-bindgen's `Serializer`.

use std::cell::RefCell;

use ics_reseller::value::{Map, Number, Value};
use ics_reseller::Error;
use js_sys::{Array, Function, Object, Reflect};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{prelude::*, JsCast};

thread_local! {
    /// The JS `ResellerError` class, registered by the package's entry module.
    static ERROR_CLASS: RefCell<Option<Function>> = const { RefCell::new(None) };
    /// The package's `fastParsed(action, status, value, text)` (js/decode.js): whether a
    /// body `JSON.parse` made of `text` is a 2xx success its generated check takes.
    static FAST_DECODE: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Registers the fast path of `js/decode.js` (called once, at load, by the package's entry).
#[wasm_bindgen(js_name = __registerFastDecode, skip_typescript)]
pub fn register_fast_decode(f: Function) {
    FAST_DECODE.with(|c| *c.borrow_mut() = Some(f));
}

/// The fast path of `js/decode.js` on one answer: the value `JSON.parse` makes of `text`
/// when the registered `fastParsed` takes it as a success of `action` (normalised in
/// place), to be returned as built; `None` when the core decides (not JSON, another form,
/// a lone surrogate escape, or no fast path registered). `JSON.parse` gets the JS string as it is, and its
/// `SyntaxError` is dropped unread: V8 quotes the body's first characters in it, so an
/// echoed key would be cut where no scrubber sees it (`the_key_never_survives`).
pub fn fast_answer(action: &str, status: u16, text: &JsValue) -> Option<JsValue> {
    let f = FAST_DECODE.with(|c| c.borrow().clone())?;
    if !text.is_string() {
        return None;
    }
    let value = json_parse(text).ok()?;
    let args = js_sys::Array::of4(&JsValue::from_str(action), &JsValue::from(status), &value, text);
    // `true` only: a string is the fast path's reason to refuse, `false` leaves it to the core.
    (f.apply(&JsValue::UNDEFINED, &args).ok()? == JsValue::TRUE).then_some(value)
}

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string as it is (`js_sys::JSON::parse` takes a `&str`, which
    /// would copy the body into the wasm and back out first).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
    /// The global `TextEncoder` (browsers, workers, Node 11+).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    /// `TextEncoder.prototype.encode`, given the JS string itself.
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> js_sys::Uint8Array;
}

/// A JS string as UTF-8 text in the wasm (a lone surrogate becomes U+FFFD, as
/// `Response.text()` and `JsValue::as_string` make it); empty when it is not a string.
/// The engine's `TextEncoder` and one copy, not wasm-bindgen's string passing, which
/// walks the text in JS a character at a time (50 ms for a 2.4 MB body in Node).
pub fn text_of(text: &JsValue) -> String {
    thread_local! {
        static ENCODER: TextEncoder = TextEncoder::new();
    }
    if !text.is_string() {
        return String::new();
    }
    let bytes = ENCODER.with(|e| e.encode(text)).to_vec();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
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

/// How deep [`value_of`] follows nested objects and arrays before it refuses: far past any
/// answer or request of the API (three levels), and short of the wasm stack, so a cyclic or
/// absurdly deep object passed as parameters is a typed error, not a trap.
const MAX_DEPTH: u32 = 64;

/// A JS value as the core's [`Value`], read the way `JSON.stringify` would write it: plain
/// objects by their own enumerable keys (in order), arrays item by item, numbers that are
/// safe integers as integers, `undefined` and `null` as `null`. Functions, symbols and
/// BigInts are refused, and so is nesting past 64 levels (a cycle included).
///
/// One small walker instead of serde-wasm-bindgen's `Deserializer` (see ARCHITECTURE.md's
/// decisions): the core reads parameters, like bodies, from a `Value`, so each type's
/// visitor is compiled once, not once per input shape.
pub fn value_of(v: &JsValue) -> Result<Value, String> {
    walk(v, 0)
}

fn walk(v: &JsValue, depth: u32) -> Result<Value, String> {
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    if let Some(n) = v.as_f64() {
        return Ok(Value::Number(number(n)));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if !v.is_object() {
        return Err("holds a function, symbol or BigInt, which JSON cannot carry".to_owned());
    }
    if depth >= MAX_DEPTH {
        return Err("is nested too deeply (or refers to itself)".to_owned());
    }
    if let Some(a) = v.dyn_ref::<Array>() {
        let mut items = Vec::with_capacity(a.length() as usize);
        for item in a.iter() {
            items.push(walk(&item, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    let obj: &Object = v.unchecked_ref();
    let keys = Object::keys(obj);
    let mut map = Map::new();
    for key in keys.iter() {
        let item = Reflect::get(obj, &key).map_err(|_| "has a property that throws when read".to_owned())?;
        if let Some(k) = key.as_string() {
            map.insert(k, walk(&item, depth + 1)?);
        }
    }
    Ok(Value::Object(map))
}

/// A JS number as JSON reads it: a safe integer as an integer, anything else as a float.
fn number(n: f64) -> Number {
    const SAFE: f64 = 9_007_199_254_740_991.0; // Number.MAX_SAFE_INTEGER
    if n.fract() == 0.0 && n.abs() <= SAFE {
        if n >= 0.0 {
            Number::PosInt(n as u64)
        } else {
            Number::NegInt(n as i64)
        }
    } else {
        Number::Float(n)
    }
}

/// A JS value (`undefined` and `null` read as `{}`) as a typed value: [`value_of`] reads it
/// as the core's [`Value`] (every key, so a request type's `deny_unknown_fields` refuses a
/// stray one), the core's types read that.
pub fn from_js<T: DeserializeOwned>(value: &JsValue, what: &'static str) -> Result<T, Error> {
    let value = if value.is_undefined() || value.is_null() {
        Value::Object(Map::new())
    } else {
        value_of(value).map_err(|why| Error::invalid(what, why))?
    };
    T::deserialize(&value).map_err(|e| Error::invalid(what, e.to_string()))
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
