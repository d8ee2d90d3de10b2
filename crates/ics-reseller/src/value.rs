//! A JSON value owned by the core: the type of the fields a body keeps in `extra`, and the
//! form a request takes on its way to a query string or a JSON body.
//!
//! It exists so the core needs no JSON parser of its own: in the npm package the JS engine
//! parses (`JSON.parse`), serde-wasm-bindgen hands the parsed value to the core's readers,
//! and serde_json stays out of the wasm (the `json` feature, on by default, brings it back
//! for native users, with [`From`] conversions both ways). Objects keep their keys in the
//! order they came (a duplicate key: the last value wins, in the first one's place).
//! Numbers keep what the deserializer gave: a whole number as `u64`/`i64`, anything else as
//! `f64` (a JS number beyond ±(2^53 − 1) arrives as `f64`, as `JSON.parse` made it).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt::{self, Write as _};

/// A JSON number as the deserializer gave it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    /// A whole number ≥ 0.
    PosInt(u64),
    /// A whole number < 0.
    NegInt(i64),
    /// Any other number.
    Float(f64),
}

/// A JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list.
    Array(Vec<Value>),
    /// An object, keys in order.
    Object(Map),
}

/// A JSON object: keys in the order they came, each once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map(Vec<(String, Value)>);

impl Map {
    /// An empty object.
    pub fn new() -> Map {
        Map(Vec::new())
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` (in its old place when it was there); returns the old value.
    pub fn insert(&mut self, key: String, value: Value) -> Option<Value> {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => Some(std::mem::replace(v, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// The entries, in order, values mutable.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&String, &mut Value)> {
        self.0.iter_mut().map(|(k, v)| (&*k, v))
    }
}

impl IntoIterator for Map {
    type Item = (String, Value);
    type IntoIter = std::vec::IntoIter<(String, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Map {
        let mut m = Map::new();
        for (k, v) in iter {
            m.insert(k, v);
        }
        m
    }
}

impl std::ops::Index<&str> for Map {
    type Output = Value;
    /// The value of `key`, `Null` when it is absent (as `serde_json::Map` does).
    fn index(&self, key: &str) -> &Value {
        const NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        matches!(self, Value::String(s) if s == other)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl Value {
    /// The text, when this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Any value (the schema `true`), as schemars describes `serde_json::Value`.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Value {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AnyValue".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        true.into()
    }
}

/// An object of any values, as schemars describes `serde_json::Map<String, Value>`.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Map {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<String, Value> as schemars::JsonSchema>::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<String, Value> as schemars::JsonSchema>::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<String, Value> as schemars::JsonSchema>::json_schema(generator)
    }
}

// ---- reading -----------------------------------------------------------------------------

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(if v < 0 {
            Number::NegInt(v)
        } else {
            Number::PosInt(v as u64)
        }))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(Number::PosInt(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(Number::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let v = map.next_value()?;
            m.insert(k, v);
        }
        Ok(Value::Object(m))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for Map {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(m) => Ok(m),
            _ => Err(de::Error::custom("expected an object")),
        }
    }
}

/// Why a [`Value`] did not read as a type: the error of its deserializer, with the texts
/// serde's own `serde::de::value::Error` gives (`invalid type: floating point \`1.5\`,
/// expected a string`), a float in them written by [`crate::float`] instead of
/// `core::fmt` (serde's `Unexpected` would link std's float formatting into the wasm).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError(String);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(msg: T) -> ReadError {
        ReadError(msg.to_string())
    }
    fn invalid_type(unexp: de::Unexpected, exp: &dyn de::Expected) -> ReadError {
        ReadError(format!("invalid type: {}, expected {exp}", Unexpected(unexp)))
    }
    fn invalid_value(unexp: de::Unexpected, exp: &dyn de::Expected) -> ReadError {
        ReadError(format!("invalid value: {}, expected {exp}", Unexpected(unexp)))
    }
}

/// serde's `Display` of `Unexpected`, word for word, a float written by [`crate::float`].
struct Unexpected<'a>(de::Unexpected<'a>);

impl fmt::Display for Unexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use de::Unexpected as U;
        match self.0 {
            U::Bool(b) => write!(f, "boolean `{b}`"),
            U::Unsigned(i) => write!(f, "integer `{i}`"),
            U::Signed(i) => write!(f, "integer `{i}`"),
            U::Float(v) => {
                let mut s = String::from("floating point `");
                crate::float::serde_unexpected(v, &mut s);
                s.push('`');
                f.write_str(&s)
            }
            U::Char(c) => write!(f, "character `{c}`"),
            U::Str(s) => write!(f, "string {s:?}"),
            U::Bytes(_) => f.write_str("byte array"),
            U::Unit => f.write_str("unit value"),
            U::Option => f.write_str("Option value"),
            U::NewtypeStruct => f.write_str("newtype struct"),
            U::Seq => f.write_str("sequence"),
            U::Map => f.write_str("map"),
            U::Enum => f.write_str("enum"),
            U::UnitVariant => f.write_str("unit variant"),
            U::NewtypeVariant => f.write_str("newtype variant"),
            U::TupleVariant => f.write_str("tuple variant"),
            U::StructVariant => f.write_str("struct variant"),
            U::Other(other) => f.write_str(other),
        }
    }
}

/// Reads a value again as any type (what `serde_json::from_value` does), by reference:
/// the webhook's second read, after `success` was added, and the npm package's answers and
/// requests (every key is seen, so `deny_unknown_fields` holds). One borrowed reader, so a
/// type read from a `Value` compiles its visitor once, and a body decoded twice (typed,
/// then as an error) is not copied.
impl<'de> de::IntoDeserializer<'de, ReadError> for &'de Value {
    type Deserializer = &'de Value;
    fn into_deserializer(self) -> &'de Value {
        self
    }
}

impl<'de> Deserializer<'de> for &'de Value {
    type Error = ReadError;
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(*b),
            Value::Number(Number::PosInt(n)) => v.visit_u64(*n),
            Value::Number(Number::NegInt(n)) => v.visit_i64(*n),
            Value::Number(Number::Float(n)) => v.visit_f64(*n),
            Value::String(s) => v.visit_borrowed_str(s),
            Value::Array(items) => v.visit_seq(de::value::SeqDeserializer::new(items.iter())),
            Value::Object(m) => v.visit_map(de::value::MapDeserializer::new(
                m.iter().map(|(k, item)| (k.as_str(), item)),
            )),
        }
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self {
            Value::Null => v.visit_none(),
            other => v.visit_some(other),
        }
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        match self {
            // a unit variant by its name, as serde_json reads it
            Value::String(s) => {
                v.visit_enum(de::IntoDeserializer::<Self::Error>::into_deserializer(s.as_str()))
            }
            other => other.deserialize_any(v).map_err(|_: Self::Error| {
                // `{variants:?}` written by hand: the slice's `Debug` links the debug builders
                let mut list = String::from("[");
                for (i, v) in variants.iter().enumerate() {
                    let sep = if i > 0 { ", " } else { "" };
                    let _ = write!(list, "{sep}{v:?}");
                }
                list.push(']');
                de::Error::custom(format_args!("expected a {name}, one of {list}"))
            }),
        }
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct identifier
        ignored_any
    }
}

// ---- writing -----------------------------------------------------------------------------

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(Number::PosInt(n)) => s.serialize_u64(*n),
            Value::Number(Number::NegInt(n)) => s.serialize_i64(*n),
            Value::Number(Number::Float(n)) => s.serialize_f64(*n),
            Value::String(t) => s.serialize_str(t),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            Value::Object(m) => m.serialize(s),
        }
    }
}

impl Serialize for Map {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `JSON.stringify` of the value, as serde_json writes it (compact; `"`, `\` and control
/// characters escaped; a float that is not finite as `null`).
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        write_json(self, &mut out);
        f.write_str(&out)
    }
}

impl Value {
    /// The value as compact JSON text (see its `Display`).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        write_json(self, &mut out);
        out
    }
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    // Runs that need no escape are copied whole (the common case: the whole string).
    let mut rest = s;
    while let Some(at) = rest.bytes().position(|b| b == b'"' || b == b'\\' || b < 0x20) {
        out.push_str(&rest[..at]);
        let c = char::from(rest.as_bytes()[at]);
        rest = &rest[at + 1..];
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(b"0123456789abcdef"[(c as usize) >> 4]));
                out.push(char::from(b"0123456789abcdef"[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push_str(rest);
    out.push('"');
}

fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(Number::PosInt(n)) => {
            let _ = write!(out, "{n}");
        }
        Value::Number(Number::NegInt(n)) => {
            let _ = write!(out, "{n}");
        }
        Value::Number(Number::Float(n)) if !n.is_finite() => out.push_str("null"),
        // As serde_json writes it: `20000.0`, `0.5`, `1e+300`, `1e-7` (shortest round trip).
        Value::Number(Number::Float(n)) => crate::float::debug(*n, true, out),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            out.push('{');
            for (i, (k, item)) in m.0.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

// ---- parsing JSON text ---------------------------------------------------------------------

/// How deep [`Value::from_json`] follows nested arrays and objects (serde_json's limit).
const MAX_DEPTH: usize = 128;

/// Why a text is not JSON: what was wrong and where (a byte offset). It never quotes the
/// text, so a key a server echoed cannot reach an error through it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// What was wrong, a fixed text.
    pub reason: &'static str,
    /// The byte offset in the text where it was found.
    pub offset: usize,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for JsonError {}

impl Value {
    /// Parses JSON text (RFC 8259) as serde_json does: whole numbers as `u64`/`i64` when they
    /// fit, other numbers as `f64`, a `\u` escape that leaves a lone surrogate refused,
    /// nesting past 128 levels refused, only whitespace after the value. The npm package
    /// reads every body that is not a strict success with it: one copy of the text into the
    /// wasm instead of one crossing per field of a value `JSON.parse` built.
    pub fn from_json(text: &str) -> Result<Value, JsonError> {
        let mut p = Parser {
            b: text.as_bytes(),
            i: 0,
        };
        let v = p.value(0)?;
        p.ws();
        if p.i < p.b.len() {
            return Err(p.err("trailing characters after the value"));
        }
        Ok(v)
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, reason: &'static str) -> JsonError {
        JsonError {
            reason,
            offset: self.i,
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &'static [u8], v: Value) -> Result<Value, JsonError> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("expected a value"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.ws();
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of text")),
            Some(b'n') => self.lit(b"null", Value::Null),
            Some(b't') => self.lit(b"true", Value::Bool(true)),
            Some(b'f') => self.lit(b"false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number().map(Value::Number),
            Some(b'[') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("nested too deeply"));
                }
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(self.err("expected `,` or `]`")),
                    }
                }
            }
            Some(b'{') => {
                if depth >= MAX_DEPTH {
                    return Err(self.err("nested too deeply"));
                }
                self.i += 1;
                let mut map = Map::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Value::Object(map));
                }
                loop {
                    self.ws();
                    if self.b.get(self.i) != Some(&b'"') {
                        return Err(self.err("expected a key"));
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.err("expected `:`"));
                    }
                    self.i += 1;
                    let item = self.value(depth + 1)?;
                    map.insert(key, item);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Value::Object(map));
                        }
                        _ => return Err(self.err("expected `,` or `}`")),
                    }
                }
            }
            Some(_) => Err(self.err("expected a value")),
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("unexpected end of text"))?;
        let mut n = 0;
        for &d in digits {
            let h = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.err("invalid `\\u` escape"))?;
            n = n * 16 + h;
        }
        self.i += 4;
        Ok(n)
    }

    /// A string starting at `"`; `self.i` ends after the closing quote.
    fn string(&mut self) -> Result<String, JsonError> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&c) = self.b.get(self.i) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                self.i += 1;
            }
            // The text is a `str` and the run stops at ASCII bytes only: a whole UTF-8 run.
            out.push_str(std::str::from_utf8(&self.b[start..self.i]).map_err(|_| self.err("invalid UTF-8"))?);
            match self.b.get(self.i) {
                None => return Err(self.err("unexpected end of text in a string")),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.i += 1;
                    let Some(&e) = self.b.get(self.i) else {
                        return Err(self.err("unexpected end of text in a string"));
                    };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = match hi {
                                0xD800..=0xDBFF => {
                                    if !self.b[self.i..].starts_with(b"\\u") {
                                        return Err(self.err("lone leading surrogate in a `\\u` escape"));
                                    }
                                    self.i += 2;
                                    let lo = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&lo) {
                                        return Err(self.err("lone leading surrogate in a `\\u` escape"));
                                    }
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                }
                                0xDC00..=0xDFFF => {
                                    return Err(self.err("lone trailing surrogate in a `\\u` escape"))
                                }
                                n => n,
                            };
                            out.push(char::from_u32(code).ok_or_else(|| self.err("invalid `\\u` escape"))?);
                        }
                        _ => return Err(self.err("invalid escape")),
                    }
                }
                Some(_) => return Err(self.err("control character in a string")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.b.get(self.i) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Number, JsonError> {
        let start = self.i;
        let negative = self.b[self.i] == b'-';
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        match self.digits() {
            0 => return Err(self.err("invalid number")),
            n if n > 1 && self.b[int_start] == b'0' => return Err(self.err("invalid number (leading zero)")),
            _ => {}
        }
        let mut float = false;
        if self.b.get(self.i) == Some(&b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.b.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.b.get(self.i) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
            float = true;
        }
        // ASCII only from `start`, so this is a whole `str`.
        let text = std::str::from_utf8(&self.b[start..self.i]).map_err(|_| self.err("invalid number"))?;
        if !float {
            if negative {
                if let Ok(n) = text.parse::<i64>() {
                    // serde_json reads `-0` as the float -0.0
                    return Ok(if n == 0 {
                        Number::Float(-0.0)
                    } else {
                        Number::NegInt(n)
                    });
                }
            } else if let Ok(n) = text.parse::<u64>() {
                return Ok(Number::PosInt(n));
            }
        }
        match crate::float::parse(text) {
            Some(f) if f.is_finite() => Ok(Number::Float(f)),
            _ => Err(self.err("number out of range")),
        }
    }
}

// ---- any Serialize as a Value --------------------------------------------------------------

/// Why a value could not be turned into a [`Value`] (a map key that is not a string).
#[derive(Debug)]
pub struct ToValueError(String);

impl fmt::Display for ToValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ToValueError {}

impl ser::Error for ToValueError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        ToValueError(msg.to_string())
    }
}

/// `value` as a [`Value`] (what `serde_json::to_value` does, without serde_json).
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, ToValueError> {
    value.serialize(ValueSerializer)
}

struct ValueSerializer;

/// A list or a map being written.
#[doc(hidden)]
pub struct Collect {
    items: Vec<Value>,
    map: Map,
    key: Option<String>,
    variant: Option<&'static str>,
}

impl Collect {
    fn new(variant: Option<&'static str>) -> Collect {
        Collect {
            items: Vec::new(),
            map: Map::new(),
            key: None,
            variant,
        }
    }
    fn wrap(self, v: Value) -> Value {
        match self.variant {
            Some(name) => Value::Object(Map(vec![(name.to_owned(), v)])),
            None => v,
        }
    }
}

fn int(n: i64) -> Value {
    Value::Number(if n < 0 {
        Number::NegInt(n)
    } else {
        Number::PosInt(n as u64)
    })
}

impl Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ToValueError;
    type SerializeSeq = Collect;
    type SerializeTuple = Collect;
    type SerializeTupleStruct = Collect;
    type SerializeTupleVariant = Collect;
    type SerializeMap = Collect;
    type SerializeStruct = Collect;
    type SerializeStructVariant = Collect;

    fn serialize_bool(self, v: bool) -> Result<Value, ToValueError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ToValueError> {
        Ok(int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ToValueError> {
        Ok(int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ToValueError> {
        Ok(int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ToValueError> {
        Ok(int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ToValueError> {
        Ok(int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ToValueError> {
        Ok(int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ToValueError> {
        Ok(int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ToValueError> {
        Ok(Value::Number(Number::PosInt(v)))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ToValueError> {
        Ok(Value::Number(Number::Float(v.into())))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ToValueError> {
        Ok(Value::Number(Number::Float(v)))
    }
    fn serialize_char(self, v: char) -> Result<Value, ToValueError> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ToValueError> {
        Ok(Value::String(v.to_owned()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, ToValueError> {
        Ok(Value::Array(v.iter().map(|&b| int(b.into())).collect()))
    }
    fn serialize_none(self) -> Result<Value, ToValueError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, ToValueError> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ToValueError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, ToValueError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, ToValueError> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        v: &T,
    ) -> Result<Value, ToValueError> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<Value, ToValueError> {
        Ok(Collect::new(Some(variant)).wrap(v.serialize(self)?))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Collect, ToValueError> {
        Ok(Collect::new(None))
    }
    fn serialize_tuple(self, _: usize) -> Result<Collect, ToValueError> {
        Ok(Collect::new(None))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Collect, ToValueError> {
        Ok(Collect::new(None))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Collect, ToValueError> {
        Ok(Collect::new(Some(variant)))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Collect, ToValueError> {
        Ok(Collect::new(None))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Collect, ToValueError> {
        Ok(Collect::new(None))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Collect, ToValueError> {
        Ok(Collect::new(Some(variant)))
    }
}

impl SerializeSeq for Collect {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ToValueError> {
        self.items.push(to_value(v)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ToValueError> {
        let items = Value::Array(std::mem::take(&mut { self.items }));
        Ok(Collect::new(self.variant).wrap(items))
    }
}

impl ser::SerializeTuple for Collect {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ToValueError> {
        SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, ToValueError> {
        SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Collect {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ToValueError> {
        SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, ToValueError> {
        SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Collect {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ToValueError> {
        SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> Result<Value, ToValueError> {
        SerializeSeq::end(self)
    }
}

impl SerializeMap for Collect {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), ToValueError> {
        match to_value(k)? {
            Value::String(s) => self.key = Some(s),
            Value::Number(n) => self.key = Some(Value::Number(n).to_json()),
            Value::Bool(b) => self.key = Some(b.to_string()),
            _ => return Err(ToValueError("a map key must be a string".to_owned())),
        }
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), ToValueError> {
        let key = self.key.take().unwrap_or_default();
        self.map.insert(key, to_value(v)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ToValueError> {
        let Collect { map, variant, .. } = self;
        Ok(Collect::new(variant).wrap(Value::Object(map)))
    }
}

impl ser::SerializeStruct for Collect {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), ToValueError> {
        self.map.insert(key.to_owned(), to_value(v)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ToValueError> {
        SerializeMap::end(self)
    }
}

impl ser::SerializeStructVariant for Collect {
    type Ok = Value;
    type Error = ToValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), ToValueError> {
        ser::SerializeStruct::serialize_field(self, key, v)
    }
    fn end(self) -> Result<Value, ToValueError> {
        SerializeMap::end(self)
    }
}

// ---- serde_json, for native users ---------------------------------------------------------

#[cfg(feature = "json")]
mod json {
    use super::{Map, Number, Value};

    impl From<serde_json::Value> for Value {
        fn from(v: serde_json::Value) -> Value {
            match v {
                serde_json::Value::Null => Value::Null,
                serde_json::Value::Bool(b) => Value::Bool(b),
                serde_json::Value::Number(n) => Value::Number(match (n.as_u64(), n.as_i64()) {
                    (Some(u), _) => Number::PosInt(u),
                    (_, Some(i)) => Number::NegInt(i),
                    _ => Number::Float(n.as_f64().unwrap_or(f64::NAN)),
                }),
                serde_json::Value::String(s) => Value::String(s),
                serde_json::Value::Array(items) => Value::Array(items.into_iter().map(Value::from).collect()),
                serde_json::Value::Object(m) => Value::Object(m.into()),
            }
        }
    }

    impl From<serde_json::Map<String, serde_json::Value>> for Map {
        fn from(m: serde_json::Map<String, serde_json::Value>) -> Map {
            m.into_iter().map(|(k, v)| (k, Value::from(v))).collect()
        }
    }

    impl From<Value> for serde_json::Value {
        fn from(v: Value) -> serde_json::Value {
            match v {
                Value::Null => serde_json::Value::Null,
                Value::Bool(b) => serde_json::Value::Bool(b),
                Value::Number(Number::PosInt(n)) => n.into(),
                Value::Number(Number::NegInt(n)) => n.into(),
                Value::Number(Number::Float(n)) => serde_json::Number::from_f64(n)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null),
                Value::String(s) => serde_json::Value::String(s),
                Value::Array(items) => serde_json::Value::Array(items.into_iter().map(Into::into).collect()),
                Value::Object(m) => serde_json::Value::Object(m.into()),
            }
        }
    }

    impl From<Map> for serde_json::Map<String, serde_json::Value> {
        fn from(m: Map) -> serde_json::Map<String, serde_json::Value> {
            m.into_iter().map(|(k, v)| (k, v.into())).collect()
        }
    }

    /// Equal when both hold the same JSON: numbers by value as `From` reads them, objects
    /// by key (in any order), without building either side anew.
    impl PartialEq<serde_json::Value> for Value {
        fn eq(&self, other: &serde_json::Value) -> bool {
            use serde_json::Value as J;
            match (self, other) {
                (Value::Null, J::Null) => true,
                (Value::Bool(a), J::Bool(b)) => a == b,
                (Value::Number(a), J::Number(b)) => match (b.as_u64(), b.as_i64()) {
                    (Some(u), _) => *a == Number::PosInt(u),
                    (_, Some(i)) => *a == Number::NegInt(i),
                    _ => *a == Number::Float(b.as_f64().unwrap_or(f64::NAN)),
                },
                (Value::String(a), J::String(b)) => a == b,
                (Value::Array(a), J::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y),
                (Value::Object(a), J::Object(b)) => {
                    a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v == w))
                }
                _ => false,
            }
        }
    }
}

#[cfg(all(test, feature = "json"))]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn read_errors_are_serdes_texts() {
        use de::{Error as _, Unexpected as U};
        let exp: &dyn de::Expected = &"a string";
        for unexp in [
            U::Bool(true),
            U::Unsigned(18_446_744_073_709_551_615),
            U::Signed(-7),
            U::Float(1.5),
            U::Float(-0.0),
            U::Float(1e21),
            U::Float(5e-324),
            U::Float(1e300),
            U::Float(f64::NAN),
            U::Float(f64::NEG_INFINITY),
            U::Char('\u{e9}'),
            U::Str("a \"b\"\n\u{0}\u{301}é"),
            U::Bytes(b"x"),
            U::Unit,
            U::Option,
            U::NewtypeStruct,
            U::Seq,
            U::Map,
            U::Enum,
            U::UnitVariant,
            U::NewtypeVariant,
            U::TupleVariant,
            U::StructVariant,
            U::Other("something else"),
        ] {
            assert_eq!(
                ReadError::invalid_type(unexp, exp).to_string(),
                de::value::Error::invalid_type(unexp, exp).to_string()
            );
            assert_eq!(
                ReadError::invalid_value(unexp, exp).to_string(),
                de::value::Error::invalid_value(unexp, exp).to_string()
            );
        }
        // an enum from anything but its name: the variants as `{:?}` of the slice writes them
        #[derive(Debug, serde::Deserialize)]
        enum Two {
            A,
            #[serde(rename = "b\"\u{e9}")]
            B,
        }
        for v in [Value::Bool(true), Value::Number(Number::Float(0.5)), Value::Null] {
            let e = <Two as Deserialize>::deserialize(&v).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("expected a Two, one of {:?}", ["A", "b\"\u{e9}"])
            );
        }
        // through a derived visitor: a float where a struct was expected
        let e = <crate::types::PingResponse as Deserialize>::deserialize(&Value::Number(Number::Float(2.5)));
        assert_eq!(
            e.unwrap_err().to_string(),
            "invalid type: floating point `2.5`, expected a PingResponse object"
        );
    }

    #[test]
    fn round_trips_through_serde_json() {
        let j = json!({"b": [1, -2, 0.5, 1e300, "x\"\\\n\u{1}é"], "a": null, "t": true, "big": 18446744073709551615u64});
        let v: Value = serde_json::from_value(j.clone()).unwrap();
        assert_eq!(v, j);
        assert_eq!(serde_json::to_value(&v).unwrap(), j);
        assert_eq!(v.to_json(), j.to_string());
        assert_eq!(serde_json::Value::from(v.clone()), j);
        assert_eq!(Value::from(j.clone()), v);
    }

    #[test]
    fn to_value_matches_serde_json() {
        #[derive(serde::Serialize)]
        struct R<'a> {
            s: &'a str,
            n: Option<i64>,
            l: Vec<&'a str>,
            f: f64,
            u: (),
        }
        let r = R {
            s: "a/b",
            n: None,
            l: vec!["x", "y"],
            f: 20000.0,
            u: (),
        };
        let v = to_value(&r).unwrap();
        assert_eq!(v, serde_json::to_value(&r).unwrap());
        assert_eq!(v.to_json(), serde_json::to_string(&r).unwrap());
    }

    #[test]
    fn a_duplicate_key_keeps_the_last_value_in_the_first_place() {
        let v: Value = serde_json::from_str(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.to_json(), r#"{"a":3,"b":2}"#);
    }
}
