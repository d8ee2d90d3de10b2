//! The PHP `json_encode` family of quirks, one rule each: a quirky body must decode to
//! exactly what its strict form decodes to, or fail with a decode error naming the field.

use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::{json, Value};

fn dec<A: Action>(body: &[u8]) -> Result<A::Response, Error> {
    ics_reseller::http::decode::<A>(200, None, body)
}

/// What a quirky body must give.
enum Want {
    /// The same response as this strict body.
    Same(Value),
    /// A decode error at this path whose message holds this text.
    Fails(&'static str, &'static str),
}

fn check<A: Action>(input: &[u8], want: Want) {
    let shown = String::from_utf8_lossy(input);
    let got = dec::<A>(input);
    match want {
        Want::Same(strict) => {
            let strict = dec::<A>(strict.to_string().as_bytes()).expect("the strict form decodes");
            let got = got.unwrap_or_else(|e| panic!("{}: {shown} -> {e}", A::NAME));
            // the wire schema (schema/wire) accepts every form the core reads
            let value: Value = serde_json::from_slice(ics_reseller::http::strip_bom(input)).unwrap();
            assert!(
                wire_validator::<A>().is_valid(&value),
                "schema/wire refuses {shown}"
            );
            assert_eq!(
                serde_json::to_value(&got).unwrap(),
                serde_json::to_value(&strict).unwrap(),
                "{shown}"
            );
        }
        Want::Fails(path, text) => {
            let e = got.err().unwrap_or_else(|| panic!("{shown} must fail"));
            assert_eq!(e.code(), ErrorCode::Decode, "{e}");
            assert_eq!(e.path(), Some(path), "{shown}: {e}");
            assert!(e.to_string().contains(text), "{shown}: {e}");
            assert!(e.to_string().contains(path), "the message names the field: {e}");
        }
    }
}

/// The committed wire schema (`schema/wire/`, drift-tested by `ics-codegen`) of `A`'s answer.
fn wire_validator<A: Action>() -> jsonschema::Validator {
    let name = <A::Response as schemars::JsonSchema>::schema_name();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schema/wire")
        .join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).expect("a wire schema per answer");
    let schema: Value = serde_json::from_str(&text).expect("the wire schema is JSON");
    jsonschema::validator_for(&schema).expect("the wire schema compiles")
}

fn statistik(summary: Value) -> Value {
    json!({"success": true, "saldo": 30000, "summary": summary})
}

fn zero() -> Value {
    json!({"count": 0, "total": 0})
}

fn products(data: Value) -> Value {
    json!({"success": true, "type": "xla", "title": "T", "providers_used": ["KUBER"], "data": data})
}

fn product(price: Value) -> Value {
    json!({"kode_produk": "XLA10", "nama_produk": "XL", "deskripsi": "D", "harga_final": price,
        "stok": 5, "type": "xla", "provider": "KUBER"})
}

fn history(data: Value) -> Value {
    json!({"success": true, "page": 1, "limit": 10, "data": data})
}

fn profile(saldo: Value, verif: Value) -> Value {
    json!({"success": true, "data": {"kodereseller": "RS1", "nama": "N", "nomor": "62812",
        "email": "a@b.c", "saldo": saldo, "verif": verif}})
}

fn bytes(v: Value) -> Vec<u8> {
    v.to_string().into_bytes()
}

#[test]
fn missing_summary_entries_are_zero() {
    let one = json!({"count": 3, "total": 60000});
    let full = |s| statistik(json!({"success": s, "failed": zero(), "pending": zero(), "unpaid": zero()}));
    check::<GetStatistik>(
        &bytes(statistik(json!({"success": one}))),
        Want::Same(full(one.clone())),
    );
    check::<GetStatistik>(&bytes(statistik(json!({}))), Want::Same(full(zero())));
    // an entry with a count or total left out, null or ""
    check::<GetStatistik>(
        &bytes(statistik(
            json!({"success": {"count": "3", "total": null}, "failed": {"total": ""}}),
        )),
        Want::Same(full(json!({"count": 3, "total": 0}))),
    );
    check::<GetStatistik>(
        &bytes(statistik(json!({"success": null, "failed": []}))),
        Want::Same(full(zero())),
    );
}

#[test]
fn null_and_empty_arrays_and_objects_are_empty() {
    let empty = products(json!({"ready": [], "empty": []}));
    for data in [
        json!(null),
        json!([]),
        json!({}),
        json!({"ready": null, "empty": {}}),
    ] {
        check::<ListProducts>(&bytes(products(data)), Want::Same(empty.clone()));
    }
    check::<GetStatistik>(&bytes(statistik(json!([]))), Want::Same(statistik(json!({}))));
    check::<GetStatistik>(&bytes(statistik(json!(null))), Want::Same(statistik(json!({}))));
    for data in [json!(null), json!({}), json!("")] {
        check::<GetHistory>(&bytes(history(data)), Want::Same(history(json!([]))));
    }
    check::<ListProducts>(
        &bytes(json!({"success": true, "type": "xla", "title": "T", "providers_used": null, "data": {}})),
        Want::Same(json!({"success": true, "type": "xla", "title": "T", "providers_used": [], "data": {}})),
    );
    // an array with holes in its keys is written as an object: its values, in order
    let p1 = product(json!(1000));
    let p2 = product(json!(2000));
    check::<ListProducts>(
        &bytes(products(json!({"ready": {"0": p1, "2": p2}}))),
        Want::Same(products(json!({"ready": [p1, p2]}))),
    );
    // a non-empty list where an object is meant is still refused
    check::<ListProducts>(&bytes(products(json!([1]))), Want::Fails("data", "invalid type"));
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let strict = json!({"success": true, "kodereseller": "RS1"});
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(bytes(strict.clone()));
    check::<Ping>(&body, Want::Same(strict));
    let w = ics_reseller::webhook::parse_webhook(
        &[b"\xEF\xBB\xBF".as_slice(), br#"{"status":"success","refid":"R","kode_produk":"X","nomor_tujuan":"0812","harga":1,"kodereseller":"RS1","updated_at":"t"}"#].concat(),
    );
    assert!(w.is_ok(), "{w:?}");
    // only one, and only at the start
    let mut twice = b"\xEF\xBB\xBF\xEF\xBB\xBF".to_vec();
    twice.extend(bytes(json!({"success": true, "kodereseller": "RS1"})));
    assert_eq!(dec::<Ping>(&twice).unwrap_err().code(), ErrorCode::Decode);
}

#[test]
fn whole_numbers_written_as_decimals() {
    let want = || Want::Same(profile(json!(20000), json!(true)));
    for saldo in [
        json!(20000.0),
        json!("20000.00"),
        json!("20000.0"),
        json!(" 20000 "),
        json!("20000.0000"),
    ] {
        check::<GetProfile>(&bytes(profile(saldo, json!(true))), want());
    }
    check::<GetProfile>(
        &bytes(profile(json!(-5.0), json!(true))),
        Want::Same(profile(json!(-5), json!(true))),
    );
    for (saldo, text) in [
        (json!(20000.5), "fraction"),
        (json!("20000.50"), "fraction"),
        (json!("20.000"), "ambiguous"),
        (json!("2e4x"), "whole number"),
        (json!("abc"), "whole number"),
    ] {
        check::<GetProfile>(
            &bytes(profile(saldo, json!(true))),
            Want::Fails("data.saldo", text),
        );
    }
    // the field at fault is named, deep in a list
    let list = products(
        json!({"ready": [product(json!(1)), product(json!(2)), product(json!(3)), product(json!("9.99"))]}),
    );
    check::<ListProducts>(&bytes(list), Want::Fails("data.ready[3].harga_final", "fraction"));
}

#[test]
fn booleans_in_words() {
    for (v, b) in [
        (json!("true"), true),
        (json!("yes"), true),
        (json!("on"), true),
        (json!("TRUE"), true),
        (json!("1"), true),
        (json!(1), true),
        (json!("false"), false),
        (json!("no"), false),
        (json!("off"), false),
        (json!("0"), false),
        (json!(0), false),
        (json!(""), false),
    ] {
        check::<GetProfile>(
            &bytes(profile(json!(1), v)),
            Want::Same(profile(json!(1), json!(b))),
        );
    }
    check::<GetProfile>(
        &bytes(profile(json!(1), json!("maybe"))),
        Want::Fails("data.verif", "boolean"),
    );
    check::<GetProfile>(
        &bytes(profile(json!(1), json!(2))),
        Want::Fails("data.verif", "0 or 1"),
    );
}

#[test]
fn numbers_out_of_range_are_refused_naming_the_field() {
    for saldo in [
        json!(9007199254740992u64),
        json!(u64::MAX),
        json!(-9007199254740992i64),
        json!(1e300),
        json!("99999999999999999999"),
        json!("9007199254740992.00"),
    ] {
        check::<GetProfile>(
            &bytes(profile(saldo, json!(true))),
            Want::Fails("data.saldo", "out of range"),
        );
    }
    check::<GetProfile>(
        &bytes(profile(json!(9007199254740991u64), json!(true))),
        Want::Same(profile(json!(9007199254740991u64), json!(true))),
    );
    check::<GetHistory>(
        &bytes(json!({"success": true, "page": -1, "limit": 10, "data": []})),
        Want::Fails("page", "out of range"),
    );
}

#[test]
fn empty_strings_for_missing_numbers() {
    // optional numbers: absent
    let refused = json!({"error": "Saldo tidak cukup", "refid": "R1", "saldo_awal": "", "saldo_akhir": null});
    let e = dec::<CreateTransaction>(&bytes(refused)).unwrap_err();
    match e {
        Error::Rejected { body, .. } => assert_eq!((body.saldo_awal, body.saldo_akhir), (None, None)),
        other => panic!("{other:?}"),
    }
    // counts: zero
    check::<GetStatistik>(
        &bytes(statistik(json!({"unpaid": {"count": "", "total": ""}}))),
        Want::Same(statistik(json!({}))),
    );
    // a required amount: refused, never read as 0
    check::<GetProfile>(
        &bytes(profile(json!(""), json!(true))),
        Want::Fails("data.saldo", "empty string"),
    );
}

#[test]
fn missing_fields_and_top_level_errors_carry_a_path() {
    check::<Ping>(
        br#"{"success":true}"#,
        Want::Fails("kodereseller", "missing field"),
    );
    let mut p = product(json!(1));
    p.as_object_mut().unwrap().remove("stok");
    check::<ListProducts>(
        &bytes(products(json!({"ready": [], "empty": [p]}))),
        Want::Fails("data.empty[0].stok", "missing field"),
    );
    // not JSON, not an object: no field to name
    assert_eq!(dec::<Ping>(b"<html>").unwrap_err().path(), None);
    assert_eq!(dec::<Ping>(b"[1]").unwrap_err().path(), None);
    // no panic and a path on truncated input
    let e = dec::<Ping>(br#"{"success":true,"kodereseller":"#).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Decode);
}
