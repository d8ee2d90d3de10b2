//! Lenient readers for the upstream PHP service (API.md rule 2).
//!
//! The server may send numbers as numeric strings (`"20000"`), booleans as `1`/`0`/`"1"`,
//! optional strings as `null`, and lists as comma-separated strings. Each function here is a
//! `deserialize_with` helper that accepts those forms and yields the documented type. The
//! schemas describe the documented (strict) form; only reading is lenient (`schema/wire/`
//! describes what is read).
//!
//! The rest of PHP's `json_encode` family (issue 12), one rule each: whole numbers written
//! as decimals (`20000.0`, `"20000.00"`; a fraction, or the ambiguous `"20.000"`, refused),
//! numbers beyond ±(2^53 − 1) refused as out of range, booleans in words (`"yes"`, `"on"`),
//! `null`/`""`/`{}` for an empty list and an object of items for a list with holes
//! ([`list`]), `null`/`[]` for an object whose fields may all be left out
//! ([`object_or_empty`]), a count left out or `""` as 0 ([`int_or_zero`]). Every reader
//! also keeps the JSON path of the value being read (`at`), so a decode error names its
//! field.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;

/// One step of the JSON path to the value being read.
pub(crate) enum Seg {
    /// A field the reader knows (its wire name).
    Field(&'static str),
    /// Any other object key.
    Key(String),
    /// A list index.
    Index(usize),
}

thread_local! {
    /// The path to the value being read. A reader pushes a step before reading a value and
    /// pops it once the value is read; a failing read leaves its steps, so after an error
    /// the stack is the path of the value at fault (see [`take_path`]). One allocation-free
    /// stack instead of a tracking deserializer wrapped around every visitor: that
    /// (serde_path_to_error) cost the wasm package 31.8 KB, this costs almost nothing.
    static PATH: RefCell<Vec<Seg>> = const { RefCell::new(Vec::new()) };
}

#[inline(never)]
fn push(seg: Seg) {
    PATH.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() > 1024 {
            // left over by failed reads outside `read_json` (which starts from empty)
            p.clear();
        }
        p.push(seg);
    });
}

#[inline(never)]
fn pop() {
    PATH.with(|p| p.borrow_mut().pop());
}

/// Runs `read` with `seg` on the path; on success the step is taken off again. (`push`
/// and `pop` are out of line: one copy, not one per field of every body.)
#[inline(always)]
pub(crate) fn at<T, E>(seg: Seg, read: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    push(seg);
    let r = read();
    if r.is_ok() {
        pop();
    }
    r
}

/// Forgets the path (before a new read).
pub(crate) fn clear_path() {
    PATH.with(|p| p.borrow_mut().clear());
}

/// The path left by a failed read, as `data.ready[3].harga_final`; `None` at the top
/// level. Clears it.
pub(crate) fn take_path() -> Option<String> {
    let segs = PATH.with(|p| std::mem::take(&mut *p.borrow_mut()));
    if segs.is_empty() {
        return None;
    }
    let mut out = String::new();
    for s in segs {
        match s {
            Seg::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Seg::Key(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&name);
            }
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    Some(out)
}

/// The largest whole number every JSON reader keeps exact (`Number.MAX_SAFE_INTEGER`,
/// 2^53 − 1): a number beyond it is refused as out of range rather than read rounded.
pub const MAX_SAFE: i64 = (1 << 53) - 1;

fn in_range<E: de::Error>(n: i64) -> Result<i64, E> {
    if (-MAX_SAFE..=MAX_SAFE).contains(&n) {
        Ok(n)
    } else {
        Err(E::custom(format_args!(
            "the number {n} is out of range (at most 2^53 - 1 either way)"
        )))
    }
}

/// Parses a trimmed decimal text as a whole number: `"20000"`, or with a zero fraction of
/// one, two or four or more digits (`"20000.0"`, `"20000.00"`, the way PHP writes a
/// `DECIMAL` column). Three zero digits (`"20.000"`) are refused: that is how an Indonesian
/// `number_format` writes twenty thousand, and reading it as 20 would be silently wrong.
fn int_from_str<E: de::Error>(s: &str) -> Result<i64, E> {
    let t = s.trim();
    if t.is_empty() {
        return Err(E::custom("expected a whole number, got an empty string"));
    }
    if let Ok(n) = t.parse::<i64>() {
        return in_range(n);
    }
    if let Some((whole, frac)) = t.split_once('.') {
        let digits = whole.trim_start_matches(['-', '+']);
        if !digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_digit())
            && frac.bytes().all(|b| b.is_ascii_digit())
        {
            if frac.len() == 3 && frac.bytes().all(|b| b == b'0') {
                return Err(E::custom(format_args!(
                    "the string {t:?} is ambiguous: a thousands separator or three decimals"
                )));
            }
            if !frac.is_empty() && frac.bytes().all(|b| b == b'0') {
                return match whole.parse::<i64>() {
                    Ok(n) => in_range(n),
                    Err(_) => Err(E::custom(format_args!(
                        "the number {t:?} is out of range (at most 2^53 - 1 either way)"
                    ))),
                };
            }
            if !frac.is_empty() {
                return Err(E::custom(format_args!(
                    "expected a whole number, got {t:?} which has a fraction"
                )));
            }
        }
    }
    if !t.is_empty()
        && t.trim_start_matches(['-', '+'])
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return Err(E::custom(format_args!(
            "the number {t:?} is out of range (at most 2^53 - 1 either way)"
        )));
    }
    Err(E::custom(format_args!(
        "expected a whole number, got the string {t:?}"
    )))
}

fn int_from_f64<E: de::Error>(v: f64) -> Result<i64, E> {
    // `{v}` as std's `Display` writes it, by `crate::float` (no core::fmt float code)
    let text = || {
        let mut text = String::new();
        crate::float::display(v, &mut text);
        text
    };
    if !v.is_finite() || v.abs() > MAX_SAFE as f64 {
        Err(E::custom(format_args!(
            "the number {} is out of range (at most 2^53 - 1 either way)",
            text()
        )))
    } else if v.fract() != 0.0 {
        Err(E::custom(format_args!(
            "expected a whole number, got {} which has a fraction",
            text()
        )))
    } else {
        Ok(v as i64)
    }
}

struct IntVisitor;

impl<'de> Visitor<'de> for IntVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number or a numeric string")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        in_range(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        match i64::try_from(v) {
            Ok(n) => in_range(n),
            Err(_) => Err(E::custom(format_args!(
                "the number {v} is out of range (at most 2^53 - 1 either way)"
            ))),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        int_from_f64(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i64, E> {
        int_from_str(v)
    }
}

/// Reads a whole number from a JSON number or a numeric string.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    d.deserialize_any(IntVisitor)
}

/// Reads a non-negative whole number that fits in `u32` (page numbers, limits).
pub fn uint32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = d.deserialize_any(IntVisitor)?;
    u32::try_from(n).map_err(|_| de::Error::custom(format_args!("{n} is out of range")))
}

struct OptVisitor<V>(V);

impl<'de, V: Visitor<'de> + Copy> Visitor<'de> for OptVisitor<V> {
    type Value = Option<V::Value>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.0.expecting(f)?;
        f.write_str(", or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.0.visit_bool(v).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.0.visit_i64(v).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.0.visit_u64(v).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.0.visit_f64(v).map(Some)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            // PHP sends "" for a missing optional value as often as null.
            return Ok(None);
        }
        self.0.visit_str(v).map(Some)
    }
}

impl Copy for IntVisitor {}
impl Clone for IntVisitor {
    fn clone(&self) -> Self {
        *self
    }
}

/// Reads an optional whole number: `null`, `""` and absence are `None`.
pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    d.deserialize_any(OptVisitor(IntVisitor))
}

/// Reads an optional `u32`: `null`, `""` and absence are `None`.
pub fn opt_uint32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    match d.deserialize_any(OptVisitor(IntVisitor))? {
        None => Ok(None),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| de::Error::custom(format_args!("{n} is out of range"))),
    }
}

/// Reads a count or total that may be left out: `null`, `""` and absence are 0 (PHP's
/// `GROUP BY` has no row for a status without orders). Other values as [`int`].
pub fn int_or_zero<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(d.deserialize_any(OptVisitor(IntVisitor))?.unwrap_or(0))
}

#[derive(Clone, Copy)]
struct BoolVisitor;

impl<'de> Visitor<'de> for BoolVisitor {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a boolean, 1/0, or \"1\"/\"0\"/\"true\"/\"false\"/\"yes\"/\"no\"")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(E::custom(format_args!("expected 0 or 1 as a boolean, got {v}"))),
        }
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.visit_i64(int_from_f64(v)?)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" | "" => Ok(false),
            other => Err(E::custom(format_args!(
                "expected a boolean, got the string {other:?}"
            ))),
        }
    }
}

/// Reads a boolean from `true`/`false`, `1`/`0`, or their string forms.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    d.deserialize_any(BoolVisitor)
}

#[derive(Clone, Copy)]
struct StringVisitor;

impl<'de> Visitor<'de> for StringVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or a number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        let mut s = String::new();
        crate::float::display(v, &mut s);
        Ok(s)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
}

/// Reads a string; a number or boolean becomes its text, `null` the empty string.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(StringVisitor)
}

struct OptStringVisitor;

impl<'de> Visitor<'de> for OptStringVisitor {
    type Value = Option<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string, a number, or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(StringVisitor).map(Some)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        StringVisitor.visit_f64(v).map(Some)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
}

/// Reads an optional string: `null` and absence are `None`; numbers become their text.
pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    d.deserialize_any(OptStringVisitor)
}

struct ListVisitor;

impl<'de> Visitor<'de> for ListVisitor {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of strings or a comma-separated string")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(split_list(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(s) = at(Seg::Index(out.len()), || seq.next_element::<LenientString>())? {
            out.push(s.0);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // PHP writes an array whose keys are not 0..n as an object: keep its values in order.
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let s = at(Seg::Key(key.as_str().to_owned()), || {
                map.next_value::<LenientString>()
            })?;
            out.push(s.0);
        }
        Ok(out)
    }
}

/// Splits a comma-separated list, trimming blanks and dropping empty items.
pub fn split_list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

struct LenientString(String);

impl<'de> serde::Deserialize<'de> for LenientString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StringVisitor).map(LenientString)
    }
}

/// Reads a list of strings from a JSON array or a comma-separated string.
pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    d.deserialize_any(ListVisitor)
}

/// Reads an optional list of strings: `null`, `""` and absence are `None`.
pub fn opt_string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    let v = d.deserialize_any(ListVisitor)?;
    Ok(if v.is_empty() { None } else { Some(v) })
}

struct ItemsVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ItemsVisitor<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list, null, or an object of items")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Vec::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.trim().is_empty() {
            Ok(Vec::new())
        } else {
            Err(E::invalid_type(de::Unexpected::Str(v), &self))
        }
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = at(Seg::Index(out.len()), || seq.next_element::<T>())? {
            out.push(item);
        }
        Ok(out)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // `{}` is PHP's empty array written as an object; `{"0": …, "2": …}` an array whose
        // keys are no longer 0..n (after `unset` or `array_filter`): its values, in order.
        let mut out = Vec::new();
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let item = at(Seg::Key(key.as_str().to_owned()), || map.next_value::<T>())?;
            out.push(item);
        }
        Ok(out)
    }
}

/// Reads a list of items: a JSON array, or `null`, `""`, `{}` for an empty list, or an
/// object whose values are the items (PHP's array with holes in its keys).
pub fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    d.deserialize_any(ItemsVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object, or null or [] for an empty one")
    }
    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        // PHP's json_encode writes an empty array as `[]` even where an object is meant.
        match seq.next_element::<de::IgnoredAny>()? {
            None => Ok(T::default()),
            Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map))
    }
}

/// Reads an object whose every field may be left out: `null` and `[]` (PHP's empty array)
/// are the empty object, [`Default`].
pub fn object_or_empty<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<T, D::Error> {
    d.deserialize_any(ObjectVisitor(PhantomData))
}

/// A map key, borrowed from the input when it can be.
pub(crate) enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// Declares a response body once: the struct (its docs, `Serialize`, and with the `schema`
/// feature `schemars::JsonSchema`) and its one-pass lenient `Deserialize`, from one list of
/// fields. Every body keeps the fields it does not know in `extra` ([`Extra`](crate::types::Extra)).
///
/// ```text
/// lenient_body! {
///     /// Doc of the body.
///     #[derive(Clone, Debug, PartialEq)]
///     pub struct Name {
///         /// Doc of the field (the schema's description).
///         pub field: Type = reader,
///         #[wire = "type"]          // wire name, when it is not the field's name
///         pub product_type: String = lenient::string,
///         #[serde(default)]         // optional (a missing one reads as `Default`), and so
///         pub data: Vec<T> = lenient::list,  // documented: the schema does not require it
///         #[serde(default, skip_serializing_if = "Option::is_none")]
///         pub refid: Option<String> = lenient::opt_string,
///         #[lenient(default)]       // required by the schema, but a missing one reads as
///         pub success: StatusSummary = lenient::object_or_empty, // `Default` (PHP leaves it out)
///     }
/// }
/// ```
///
/// Each field is read by its reader (a `deserialize_with` function), with its wire name on
/// the path ([`at`]); any other key goes into `extra` as sent. One pass, no buffering (serde's
/// `flatten` buffers the whole object first and costs code size in wasm); `Serialize` still
/// flattens `extra` back. A duplicate key: the last one wins. A missing field without a
/// default fails with its name on the path.
macro_rules! lenient_body {
    (
        $(#[$attr:meta])*
        pub struct $ty:ident {
            $(
                $(#[doc = $doc:literal])*
                $(#[wire = $wire:literal])?
                $(#[serde($default:ident $(, skip_serializing_if = $skip:literal)?)])?
                $(#[lenient($missing:ident)])?
                pub $field:ident : $fty:ty = $reader:expr
            ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        #[derive(serde::Serialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        pub struct $ty {
            $(
                $(#[doc = $doc])*
                $(#[serde(rename = $wire)])?
                $(#[serde($default $(, skip_serializing_if = $skip)?)])?
                pub $field: $fty,
            )*
            /// Fields not documented upstream, kept as sent.
            #[serde(flatten)]
            pub extra: $crate::types::Extra,
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct BodyVisitor;
                impl<'de> serde::de::Visitor<'de> for BodyVisitor {
                    type Value = $ty;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($ty), " object"))
                    }
                    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<$ty, M::Error> {
                        $( let mut $field: Option<$fty> = None; )*
                        let mut extra = <$crate::types::Extra as Default>::default();
                        while let Some(key) = map.next_key::<$crate::lenient::Key<'de>>()? {
                            match key.as_str() {
                                $( $crate::lenient::lenient_body!(@wire $field $($wire)?) => {
                                    struct Seed;
                                    impl<'de> serde::de::DeserializeSeed<'de> for Seed {
                                        type Value = $fty;
                                        fn deserialize<D2: serde::Deserializer<'de>>(self, d: D2) -> Result<$fty, D2::Error> {
                                            ($reader)(d)
                                        }
                                    }
                                    $field = Some($crate::lenient::at(
                                        $crate::lenient::Seg::Field($crate::lenient::lenient_body!(@wire $field $($wire)?)),
                                        || map.next_value_seed(Seed),
                                    )?);
                                } )*
                                other => {
                                    let value: $crate::value::Value = $crate::lenient::at(
                                        $crate::lenient::Seg::Key(other.to_owned()),
                                        || map.next_value(),
                                    )?;
                                    extra.insert(other.to_owned(), value);
                                }
                            }
                        }
                        Ok($ty {
                            $( $field: match $field {
                                Some(v) => v,
                                None => $crate::lenient::lenient_body!(
                                    @missing $crate::lenient::lenient_body!(@wire $field $($wire)?);
                                    $($default)? $($missing)?
                                ),
                            }, )*
                            extra,
                        })
                    }
                }
                d.deserialize_map(BodyVisitor)
            }
        }
    };
    (@wire $field:ident $wire:literal) => { $wire };
    (@wire $field:ident) => { stringify!($field) };
    (@missing $wire:expr; default) => { Default::default() };
    (@missing $wire:expr;) => {{
        // the path of a missing field names it
        return $crate::lenient::at($crate::lenient::Seg::Field($wire), || {
            Err(serde::de::Error::missing_field($wire))
        });
    }};
}
pub(crate) use lenient_body;

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize, Debug, PartialEq)]
    struct T {
        #[serde(deserialize_with = "super::int")]
        n: i64,
        #[serde(deserialize_with = "super::boolean")]
        b: bool,
        #[serde(default, deserialize_with = "super::opt_string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "super::opt_int")]
        o: Option<i64>,
        #[serde(default, deserialize_with = "super::string_list")]
        l: Vec<String>,
    }

    fn check(input: serde_json::Value, expected: Option<T>) {
        let got = serde_json::from_value::<T>(input.clone()).ok();
        assert_eq!(got, expected, "input {input}");
    }

    #[test]
    fn lenient_forms() {
        let t = |n, b, s: Option<&str>, o, l: &[&str]| T {
            n,
            b,
            s: s.map(str::to_owned),
            o,
            l: l.iter().map(|x| x.to_string()).collect(),
        };
        check(json!({"n": 1, "b": true}), Some(t(1, true, None, None, &[])));
        check(
            json!({"n": "20000", "b": 1, "s": null, "o": ""}),
            Some(t(20000, true, None, None, &[])),
        );
        check(
            json!({"n": " 7 ", "b": "0", "s": 5, "o": "3"}),
            Some(t(7, false, Some("5"), Some(3), &[])),
        );
        check(
            json!({"n": "20000.00", "b": "true", "l": "A, B,,C"}),
            Some(t(20000, true, None, None, &["A", "B", "C"])),
        );
        check(
            json!({"n": 2.0, "b": false, "l": ["A", 1]}),
            Some(t(2, false, None, None, &["A", "1"])),
        );
        check(json!({"n": "x", "b": true}), None);
        check(json!({"n": 2.5, "b": true}), None);
        check(json!({"n": 1, "b": 2}), None);
        check(json!({"n": 1, "b": "maybe"}), None);
        check(json!({"n": u64::MAX, "b": true}), None);
        check(json!({"n": 1e300, "b": true}), None);
    }
}
