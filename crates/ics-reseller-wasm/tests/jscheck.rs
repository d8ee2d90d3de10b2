//! The package's fast path (the generated strict checks `js/check.generated.js`, written by
//! `crates/ics-codegen/src/jscheck.rs`, run by `js/decode.js`) against the core's decode, in
//! Node. A native test of the package: it reads the committed generated files (the codegen
//! drift test in `crates/ics-codegen` keeps them fresh).
//!
//! A corpus of bodies, generated with proptest from the committed JSON Schemas (documented-form
//! bodies with unknown fields, and mutations of them: PHP-style values, missing and wrong
//! fields, `error` fields, numbers past 2^53), plus the API.md examples and hand-written
//! edge cases, goes through both sides. The test fails when:
//! - the fast path accepts a body the core refuses, or yields another JSON value than the
//!   core's serialization of what it decoded;
//! - a documented-form body, or one in the common PHP forms the fast path takes (numbers
//!   as plain decimal strings, `1`/`0` booleans, comma lists, `null` strings and lists), is
//!   accepted by one side only;
//! - a body in another lenient form (whole decimals, words, numbers for strings, PHP
//!   objects for lists) is taken by the fast path (it must go to the core, and decode
//!   there).
//!
//! Needs `node` on PATH (the repository's tests need it anyway).
#![cfg(not(target_arch = "wasm32"))]

use ics_reseller::{http::decode, with_action, ActionKind, ErrorBody};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{json, Map, Value};
use std::path::Path;
use std::process::Command;

/// One body to decode.
struct Case {
    /// Wire name of the action, or `ErrorBody`.
    kind: String,
    status: u16,
    text: String,
    /// The expectation beyond "the fast path agrees with the core when it accepts".
    expect: Expect,
    why: String,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Expect {
    /// Documented form: both sides accept, or both refuse.
    Same,
    /// A common PHP form: both sides accept, with the same value.
    Fast,
    /// A lenient form beyond the fast path's: the fast path declines, the core decodes.
    Core,
    /// Anything: only "fast path accepts ⇒ core accepts the same value".
    Any,
}

fn schema_of(kind: &str) -> Value {
    let name = if kind == "ErrorBody" {
        "ErrorBody".to_owned()
    } else {
        let k = ActionKind::from_name(kind).unwrap();
        with_action!(k, A => <<A as ics_reseller::Action>::Response as schemars::JsonSchema>::schema_name().into_owned())
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schema/json")
        .join(format!("{name}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn arb_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        "[a-zé😀 ]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,6}", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn arb_string() -> BoxedStrategy<Value> {
    prop_oneof![
        "[A-Za-z0-9 _.@-]{0,12}",
        "\\PC{0,8}",
        Just("".to_owned()),
        Just("20000".to_owned()),
        Just("Kuota 10GB 🔥 \"malam\" \\ é".to_owned()),
    ]
    .prop_map(Value::String)
    .boxed()
}

/// Documented-form values of `schema` (integers within ±2^53, where JSON.parse is exact).
fn strict(schema: &Value, defs: &Map<String, Value>) -> BoxedStrategy<Value> {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap();
        return strict(&defs[name], defs);
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return prop::sample::select(values.clone()).boxed();
    }
    if let Some(Value::Array(any)) = schema.get("anyOf") {
        let parts: Vec<BoxedStrategy<Value>> = any.iter().map(|s| strict(s, defs)).collect();
        return prop::strategy::Union::new(parts).boxed();
    }
    let types: Vec<String> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
        _ => panic!("no type: {schema}"),
    };
    let parts: Vec<BoxedStrategy<Value>> = types
        .iter()
        .map(|t| match t.as_str() {
            "null" => Just(Value::Null).boxed(),
            "string" => arb_string(),
            "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
            "integer" => {
                let min = schema
                    .get("minimum")
                    .and_then(Value::as_i64)
                    .unwrap_or(-(1 << 53) + 1);
                let max = schema
                    .get("maximum")
                    .and_then(Value::as_i64)
                    .unwrap_or((1 << 53) - 1);
                prop_oneof![Just(min), Just(max), Just(0i64.clamp(min, max)), min..=max]
                    .prop_map(Value::from)
                    .boxed()
            }
            "array" => prop::collection::vec(strict(&schema["items"], defs), 0..4)
                .prop_map(Value::Array)
                .boxed(),
            "object" => object(schema, defs),
            other => panic!("type {other}"),
        })
        .collect();
    prop::strategy::Union::new(parts).boxed()
}

fn object(schema: &Value, defs: &Map<String, Value>) -> BoxedStrategy<Value> {
    let props = schema["properties"].as_object().cloned().unwrap_or_default();
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
    for (name, ps) in &props {
        let value = strict(ps, defs);
        let n = name.clone();
        if required.contains(name) {
            fields.push(value.prop_map(move |v| Some((n.clone(), v))).boxed());
        } else {
            fields.push(
                prop::option::of(value)
                    .prop_map(move |v| v.map(|v| (n.clone(), v)))
                    .boxed(),
            );
        }
    }
    if schema.get("additionalProperties") == Some(&Value::Bool(true)) {
        let known: Vec<String> = props.keys().cloned().collect();
        let extra = ("[a-z_]{1,8}", arb_json())
            .prop_filter("unknown field", move |(k, _)| !known.contains(k) && k != "error");
        fields.push(prop::option::of(extra.clone()).boxed());
        fields.push(prop::option::of(extra).boxed());
    }
    fields
        .prop_map(|fs| Value::Object(fs.into_iter().flatten().collect()))
        .boxed()
}

/// A small deterministic generator for mutations.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

/// Every path to an object member, depth first.
fn members(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                out.push(path.clone());
                members(x, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(format!("#{i}"));
                members(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    let mut cur = v;
    for p in path {
        cur = match p.strip_prefix('#') {
            Some(i) => cur.as_array_mut()?.get_mut(i.parse::<usize>().ok()?)?,
            None => cur.as_object_mut()?.get_mut(p)?,
        };
    }
    Some(cur)
}

/// PHP style: numbers as strings, booleans as 1/0, lists as comma-separated strings.
fn php_style(v: &mut Value, rng: &mut Lcg) -> bool {
    let mut changed = false;
    match v {
        Value::Object(m) => m.values_mut().for_each(|x| changed |= php_style(x, rng)),
        Value::Array(a) if !a.is_empty() && a.iter().all(Value::is_string) && rng.next(2) == 0 => {
            let s: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            if s.iter()
                .all(|s| !s.contains(',') && s.trim() == *s && !s.is_empty())
            {
                *v = Value::String(s.join(","));
                changed = true;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| changed |= php_style(x, rng)),
        Value::Number(n) if n.is_i64() && rng.next(2) == 0 => {
            *v = Value::String(n.to_string());
            changed = true;
        }
        Value::Bool(b) if rng.next(2) == 0 => {
            *v = json!(i32::from(*b));
            changed = true;
        }
        _ => {}
    }
    changed
}

/// One random change, anywhere in the body.
fn mutate(v: &mut Value, rng: &mut Lcg) -> &'static str {
    let mut paths = Vec::new();
    members(v, &mut Vec::new(), &mut paths);
    let replacements = [
        Value::Null,
        json!(""),
        json!("x"),
        json!(1.5),
        json!(-1),
        json!(9007199254740993u64),
        json!(4294967296u64),
        json!([]),
        json!({}),
        json!(true),
        json!(["a", 1]),
        json!("1"),
        json!(1),
    ];
    match rng.next(4) {
        0 if !paths.is_empty() => {
            let p = paths[rng.next(paths.len())].clone();
            let (last, parent) = p.split_last().unwrap();
            if let Some(Value::Object(m)) = at(v, parent) {
                m.shift_remove(last);
            }
            "a member removed"
        }
        1 => {
            let e = [
                json!("Saldo tidak cukup"),
                json!(1),
                json!(true),
                json!(false),
                json!(""),
                Value::Null,
            ];
            if let Value::Object(m) = v {
                m.insert("error".into(), e[rng.next(e.len())].clone());
            }
            "an error member"
        }
        2 if !paths.is_empty() => {
            let p = paths[rng.next(paths.len())].clone();
            if let Some(x) = at(v, &p) {
                *x = replacements[rng.next(replacements.len())].clone();
            }
            "a member replaced"
        }
        _ => {
            php_style(v, rng);
            "PHP style"
        }
    }
}

/// JSON text with every non-ASCII character as a `\u` escape (PHP's `json_encode` default).
fn ascii_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ics-reseller/tests/it/examples")
        .join(format!("{name}.json"));
    std::fs::read_to_string(path).unwrap()
}

fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut runner = TestRunner::deterministic();
    let mut kinds: Vec<String> = ActionKind::ALL.iter().map(|k| k.name().to_owned()).collect();
    kinds.push("ErrorBody".into());
    for kind in &kinds {
        let schema = schema_of(kind);
        let defs = schema
            .get("$defs")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let strategy = object(&schema, &defs);
        for i in 0..250 {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            let text = serde_json::to_string(&body).unwrap();
            let strict_ok = kind == "ErrorBody" || body.get("error").is_none();
            let expect = if strict_ok { Expect::Same } else { Expect::Any };
            cases.push(Case {
                kind: kind.clone(),
                status: [200, 200, 200, 201, 299][i % 5],
                text: if i % 3 == 0 { ascii_escaped(&text) } else { text },
                expect,
                why: "documented form".into(),
            });
            let mut rng = Lcg(i as u64 * 7919 + kind.len() as u64);
            let mut mutated = body.clone();
            let what = mutate(&mut mutated, &mut rng);
            cases.push(Case {
                kind: kind.clone(),
                status: [200, 200, 200, 404, 500, 401, 403, 429][i % 8],
                text: serde_json::to_string(&mutated).unwrap(),
                expect: Expect::Any,
                why: format!("mutated: {what}"),
            });
        }
    }

    // The API.md examples: documented form, both sides accept.
    for (kind, file) in [
        ("ping", "ping"),
        ("getProfile", "getProfile"),
        ("getBalance", "getBalance"),
        ("listProducts", "listProducts"),
        ("createTransaction", "createTransaction"),
        ("checkTransaction", "checkTransaction"),
        ("getHistory", "getHistory"),
        ("getStatistik", "getStatistik"),
        ("resubmitWebhook", "resubmitWebhook"),
        ("ErrorBody", "createTransaction.error"),
    ] {
        cases.push(Case {
            kind: kind.into(),
            status: 200,
            text: example(file),
            expect: Expect::Same,
            why: format!("API.md example {file}"),
        });
    }

    // PHP-style bodies: the common forms are the fast path's, the rest the core's.
    use Expect::{Any, Core, Fast};
    let php = [
        ("ping", r#"{"success":1,"kodereseller":"RS00001"}"#, Fast),
        ("ping", r#"{"success":"true","kodereseller":12}"#, Core),
        (
            "getBalance",
            r#"{"success":true,"data":{"kodereseller":"RS1","nama":"A","nomor":"62","saldo":"30000","verif":"1"}}"#,
            Fast,
        ),
        (
            "getBalance",
            r#"{"success":true,"data":{"kodereseller":"RS1","nama":"A","nomor":"62","saldo":"30000.00","verif":0}}"#,
            Core,
        ),
        (
            "listProducts",
            r#"{"success":true,"type":"xla","title":"T","providers_used":"KUBER,BEKASANL","data":{"ready":[],"empty":[]}}"#,
            Fast,
        ),
        (
            "listProducts",
            r#"{"success":true,"type":"xla","title":"T","providers_used":[],"data":{"ready":[{"kode_produk":"X","nama_produk":"N","deskripsi":"D","harga_final":"10000","stok":"5","type":"xla","provider":"KUBER","extra":1}]}}"#,
            Fast,
        ),
        (
            "listProducts",
            r#"{"success":true,"type":"xla","title":"T","providers_used":null,"data":{}}"#,
            Fast,
        ),
        (
            "getHistory",
            r#"{"success":true,"page":"1","limit":"10","data":[]}"#,
            Fast,
        ),
        (
            "getHistory",
            r#"{"success":true,"page":1,"limit":10,"data":[{"status":"success","kodeproduk":"X","harga":"1","nomor":"08","refid":"R","time":"t"}]}"#,
            Fast,
        ),
        (
            "checkTransaction",
            r#"{"success":true,"status":"pending","refid":"R","supplier_trxid":"","kode_produk":"X","nomor_tujuan":"08","harga":"1","kodereseller":"RS","message":null,"note":5,"updated_at":"t"}"#,
            Core,
        ),
        (
            "getStatistik",
            r#"{"success":true,"saldo":"1","summary":{"success":{"count":"1","total":2},"failed":{"count":0,"total":0},"pending":{"count":0,"total":0},"unpaid":{"count":0,"total":0}}}"#,
            Fast,
        ),
        (
            "createTransaction",
            r#"{"success":true,"pending":"1","message":"m","refid":"R","saldo_awal":"1","saldo_akhir":0}"#,
            Fast,
        ),
        (
            "resubmitWebhook",
            r#"{"success":true,"message":"m","webhook_url":"u","response":200}"#,
            Core,
        ),
        ("ErrorBody", r#"{"error":"x","saldo_awal":"1000"}"#, Fast),
        ("ErrorBody", r#"{"error":5}"#, Core),
        // where the fast path's forms end: the core reads these (or refuses them)
        ("ping", r#"{"success":"yes","kodereseller":"R"}"#, Core),
        ("ping", r#"{"success":"TRUE","kodereseller":"R"}"#, Core),
        ("ping", r#"{"success":2,"kodereseller":"R"}"#, Any),
        ("ping", r#"{"success":"false","kodereseller":null}"#, Fast),
        (
            "getHistory",
            r#"{"success":true,"page":"4294967296","limit":"10","data":[]}"#,
            Any,
        ),
        (
            "getHistory",
            r#"{"success":true,"page":"-1","limit":"10","data":[]}"#,
            Any,
        ),
        (
            "listProducts",
            r#"{"success":true,"type":"xla","title":"T","providers_used":" KUBER , BEKASANL,,\tDIGIPOS ","data":{"ready":null,"empty":""}}"#,
            Fast,
        ),
        (
            "listProducts",
            r#"{"success":true,"type":"xla","title":"T","providers_used":"","data":{}}"#,
            Fast,
        ),
        (
            "listProducts",
            r#"{"success":true,"type":"xla","title":"T","providers_used":"K\u00dcBER,B","data":{}}"#,
            Core,
        ),
        (
            "listProducts",
            r#"{"success":true,"type":"xla","title":"T","providers_used":"K\u00a0,B","data":{}}"#,
            Core,
        ),
        (
            "listProducts",
            r#"{"success":true,"type":null,"title":null,"providers_used":["A"],"data":{}}"#,
            Fast,
        ),
        (
            "checkTransaction",
            r#"{"success":true,"status":"pending","refid":"R","supplier_trxid":null,"kode_produk":"X","nomor_tujuan":"08","harga":"1","kodereseller":"RS","message":"","note":"","updated_at":"t"}"#,
            Fast,
        ),
        (
            "createTransaction",
            r#"{"success":"1","pending":0,"message":"m","refid":"R","saldo_awal":"20000.00","saldo_akhir":0}"#,
            Core,
        ),
    ];
    for (kind, text, expect) in php {
        cases.push(Case {
            kind: kind.into(),
            status: 200,
            text: text.into(),
            expect,
            why: "PHP style".into(),
        });
    }
    // Where the integer and boolean rules end: getBalance's `saldo` and `verif` in each form.
    let balance = |saldo: &str, verif: &str| {
        format!(
            r#"{{"success":true,"data":{{"kodereseller":"RS1","nama":"A","nomor":"62","saldo":{saldo},"verif":{verif}}}}}"#
        )
    };
    for (saldo, verif, expect) in [
        (r#""+30000""#, "true", Core),
        (r#""007""#, "true", Core),
        (r#"" 5""#, "true", Core),
        (r#""-0""#, "true", Core),
        (r#""-250""#, r#""0""#, Fast),
        (r#""1e3""#, "true", Any),
        (r#""9007199254740993""#, "true", Any),
        (r#""9007199254740991""#, "true", Fast),
        (r#""""#, "true", Any),
        ("1", r#""yes""#, Core),
        ("1", "2", Any),
        ("1", r#""1""#, Fast),
    ] {
        cases.push(Case {
            kind: "getBalance".into(),
            status: 200,
            text: balance(saldo, verif),
            expect,
            why: "PHP style, at the edge of a rule".into(),
        });
    }

    // Edges of JSON itself, where JSON.parse and serde_json could part ways.
    let ping = |tail: &str| format!(r#"{{"success":true,"kodereseller":"RS1"{tail}}}"#);
    let edges = [
        (ping(r#","x":"\ud83d\ude00""#), Expect::Same, "an escaped surrogate pair"),
        (ping(r#","x":"\ud83d""#), Expect::Any, "a lone high surrogate escape"),
        (ping(r#","x":"\ude00""#), Expect::Any, "a lone low surrogate escape"),
        (ping(r#","x":"\\ud83d\ude00""#), Expect::Any, "an escaped backslash, then a lone low surrogate"),
        (ping(r#","x":"\\\ud83d\ude00""#), Expect::Same, "an escaped backslash, then a pair"),
        (ping(r#","x":"\\ud83d""#), Expect::Same, "an escaped backslash and the letters ud83d"),
        (ping(r#","x":1.0,"y":1e2,"z":-0,"w":12345678901234567890"#), Expect::Same, "numbers JSON.parse rounds"),
        (format!("\u{feff}{}", ping("")), Expect::Core, "a byte order mark: skipped by the core"),
        // PHP's json_encode family (issue 12): the fast path declines, the core reads them
        (ping(r#","success":"yes""#), Expect::Core, "a boolean in words"),
        (r#"{"success":true,"saldo":"20000.00","summary":{"success":{"count":1,"total":2}}}"#.into(), Expect::Core, "summary entries left out, a decimal string"),
        (r#"{"success":true,"saldo":1,"summary":[]}"#.into(), Expect::Core, "an empty summary as []"),
        (r#"{"success":true,"saldo":1,"summary":null}"#.into(), Expect::Core, "a null summary"),
        (r#"{"success":true,"page":1,"limit":10,"data":null}"#.into(), Expect::Fast, "a null list"),
        (r#"{"success":true,"page":1,"limit":10,"data":{}}"#.into(), Expect::Core, "an empty list as {}"),
        (r#"{"success":true,"page":1,"limit":10.0,"data":""}"#.into(), Expect::Fast, "an empty list as \"\""),
        (ping(r#","error":false"#), Expect::Same, "error false"),
        (ping(r#","error":"""#), Expect::Same, "error empty"),
        (ping(r#","error":null"#), Expect::Same, "error null"),
        (ping(r#","error":0"#), Expect::Any, "error 0"),
        (ping(r#","__proto__":{"a":1}"#), Expect::Same, "a __proto__ member"),
        (ping(r#","kodereseller":"RS2","x":1,"x":[2]"#), Expect::Same, "duplicate members: the last wins on both sides"),
        (r#"{"success":true,"saldo":1,"summary":{"success":{"count":1,"total":2,"x":3},"failed":{"count":0,"total":0},"pending":{"count":0,"total":0},"unpaid":{"count":0,"total":0}}}"#.into(), Expect::Core, "an unknown field the core drops"),
        (r#"{"success":true,"page":1,"limit":10}"#.into(), Expect::Same, "data absent: the default"),
        (r#"{"success":true,"page":-1,"limit":10}"#.into(), Expect::Same, "a page out of range"),
        (r#"{"success":true,"page":1.0,"limit":1e1,"data":[]}"#.into(), Expect::Same, "whole numbers with a fraction or exponent"),
        (r#"{"success":true,"saldo":9007199254740993,"summary":{"success":{"count":1,"total":2},"failed":{"count":0,"total":0},"pending":{"count":0,"total":0},"unpaid":{"count":0,"total":0}}}"#.into(), Expect::Any, "past 2^53"),
        ("[]".into(), Expect::Same, "an array"),
        ("".into(), Expect::Same, "empty"),
        ("{\"success\":tru".into(), Expect::Same, "not JSON"),
    ];
    for (text, expect, why) in edges {
        let kind = if text.contains("summary") {
            "getStatistik"
        } else if text.contains("page") {
            "getHistory"
        } else {
            "ping"
        };
        cases.push(Case {
            kind: kind.into(),
            status: 200,
            text,
            expect,
            why: why.into(),
        });
    }
    cases
}

/// The core's answer: the serialized JSON text of what it decoded, or `None`.
fn core(kind: &str, status: u16, text: &str) -> Option<String> {
    if kind == "ErrorBody" {
        let body: ErrorBody = serde_json::from_slice(text.as_bytes()).ok()?;
        return Some(serde_json::to_string(&body).unwrap());
    }
    let k = ActionKind::from_name(kind).unwrap();
    with_action!(k, A => decode::<A>(status, None, text.as_bytes())
        .ok()
        .map(|r| serde_json::to_string(&r).unwrap()))
}

const DRIVER: &str = r#"
const fs = require("node:fs");
const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
// Equal JSON values, key order aside; numbers exactly (serde_json reads with its
// float_roundtrip feature, so a decimal comes back as JSON.parse reads it).
function same(a, b) {
  if (typeof a === "number" && typeof b === "number") {
    return a === b;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same(a[k], b[k]));
  }
  return a === b;
}
const out = cases.map(({ kind, status, text, core }) => {
  let v;
  if (kind === "ErrorBody") {
    try { v = JSON.parse(text); } catch { v = undefined; }
    if (v !== undefined && !(fastChecks.ErrorBody(v) && fastWellFormed(text) && !fastLoneSurrogateEscape(text))) v = undefined;
  } else {
    v = fastDecode(kind, status, text);
    const fromBytes = fastDecodeBytes(kind, status, new TextEncoder().encode(text));
    if ((v === undefined) !== (fromBytes === undefined)) return { fast: true, same: false, note: "bytes differ" };
  }
  if (v === undefined) return { fast: false, same: false };
  return { fast: true, same: core !== null && same(JSON.parse(core), v) };
});
process.stdout.write(JSON.stringify(out));
"#;

#[test]
fn fast_path_agrees_with_the_core() {
    let cases = corpus();
    let dir = std::env::temp_dir().join(format!("ics-jscheck-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("js");
    let script = format!(
        "{}\n{}\n{DRIVER}",
        std::fs::read_to_string(js.join("check.generated.js")).unwrap(),
        // decode.js is an ES module (it imports `fastChecks`, exports its functions):
        // here a script after the checks.
        std::fs::read_to_string(js.join("decode.js"))
            .unwrap()
            .replace("import { fastChecks } from \"./check.js\";", "")
            .replace("export function ", "function ")
    );
    std::fs::write(dir.join("driver.cjs"), script).unwrap();
    let cores: Vec<Option<String>> = cases.iter().map(|c| core(&c.kind, c.status, &c.text)).collect();
    let input: Vec<Value> = cases
        .iter()
        .zip(&cores)
        .map(|(c, core)| json!({"kind": c.kind, "status": c.status, "text": c.text, "core": core}))
        .collect();
    std::fs::write(dir.join("cases.json"), serde_json::to_vec(&input).unwrap()).unwrap();
    let out = Command::new("node")
        .arg(dir.join("driver.cjs"))
        .arg(dir.join("cases.json"))
        .output()
        .expect("this test runs the package's JavaScript in `node`, which must be on PATH");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "node: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdicts.len(), cases.len());

    let mut failures = Vec::new();
    let (mut fast, mut by_core) = (0, 0);
    for ((c, core), v) in cases.iter().zip(&cores).zip(&verdicts) {
        let js = v["fast"] == true;
        let same = v["same"] == true;
        fast += usize::from(js);
        by_core += usize::from(!js && core.is_some());
        let wrong = if js && !same {
            Some("the fast path accepted it with another value than the core's (or the core refused it)")
        } else {
            match c.expect {
                Expect::Same if js != core.is_some() => Some("documented form: the two sides disagree"),
                Expect::Fast if !js => Some("the fast path left a common PHP form to the core"),
                Expect::Fast if core.is_none() => Some("the core refused a common PHP form"),
                Expect::Core if js => Some("the fast path took a lenient body"),
                Expect::Core if core.is_none() => Some("the core refused a lenient body"),
                _ => None,
            }
        };
        if let Some(w) = wrong {
            failures.push(format!(
                "{w}: {} {} ({}): {}\n  core: {}",
                c.kind,
                c.status,
                c.why,
                c.text,
                core.as_deref().unwrap_or("refuses it"),
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // The corpus exercises both paths.
    assert!(
        fast > cases.len() / 4,
        "only {fast} of {} took the fast path",
        cases.len()
    );
    assert!(by_core > 100, "only {by_core} went to the core and decoded");
}
