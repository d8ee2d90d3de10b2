//! Decode tables: status mapping, lenient PHP values, HTML and empty bodies.

use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::json;

fn dec<A: Action>(status: u16, body: &str) -> Result<A::Response, Error> {
    ics_reseller::http::decode::<A>(status, Some("3"), body.as_bytes())
}

#[test]
fn status_mapping() {
    let code = |status, body: &str| dec::<Ping>(status, body).unwrap_err().code();
    assert_eq!(code(401, r#"{"error":"API key salah"}"#), ErrorCode::Unauthorized);
    assert_eq!(code(401, ""), ErrorCode::Unauthorized);
    assert_eq!(code(403, "<html>nope</html>"), ErrorCode::Forbidden);
    assert_eq!(
        code(404, r#"{"error":"Transaksi tidak ditemukan"}"#),
        ErrorCode::NotFound
    );
    assert_eq!(code(200, r#"{"error":"x"}"#), ErrorCode::Rejected);
    assert_eq!(code(400, r#"{"error":"x"}"#), ErrorCode::Rejected);
    assert_eq!(code(500, r#"{"error":"x"}"#), ErrorCode::Rejected);
    assert_eq!(code(429, r#"{"error":"x"}"#), ErrorCode::Rejected);
    assert_eq!(code(500, "<html>Internal</html>"), ErrorCode::HttpStatus);
    assert_eq!(code(429, ""), ErrorCode::HttpStatus);
    assert_eq!(code(200, "<html>proxy</html>"), ErrorCode::Decode);
    assert_eq!(code(200, ""), ErrorCode::Decode);
    assert_eq!(code(200, r#"{"success":true}"#), ErrorCode::Decode);
    assert_eq!(code(200, "[1,2]"), ErrorCode::Decode);
    // error: null / false / "" is not a failure
    assert!(dec::<Ping>(200, r#"{"success":true,"kodereseller":"R","error":null}"#).is_ok());
    assert!(dec::<Ping>(200, r#"{"success":true,"kodereseller":"R","error":""}"#).is_ok());
    // a success shape that also carries an error string is a failure
    assert_eq!(
        code(200, r#"{"success":true,"kodereseller":"R","error":"boom"}"#),
        ErrorCode::Rejected
    );
}

#[test]
fn error_bodies_on_429_and_5xx_are_retryable_and_keep_retry_after() {
    let e = dec::<Ping>(503, r#"{"error":"maintenance"}"#).unwrap_err();
    assert_eq!(
        (e.code(), e.retryable(), e.outcome_unknown()),
        (ErrorCode::Rejected, true, true)
    );
    assert_eq!(e.retry_after_ms(), Some(3000));
    let e = dec::<Ping>(429, r#"{"error":"slow down"}"#).unwrap_err();
    assert_eq!(
        (e.retryable(), e.outcome_unknown(), e.retry_after_ms()),
        (true, false, Some(3000))
    );
    // a refusal on 200 or 400 is final, and a Retry-After there means nothing
    for status in [200, 400] {
        let e = dec::<Ping>(status, r#"{"error":"no"}"#).unwrap_err();
        assert_eq!(
            (e.retryable(), e.outcome_unknown(), e.retry_after_ms()),
            (false, false, None)
        );
    }
}

#[test]
fn errors_keep_status_snippet_and_retry_after() {
    let e = dec::<Ping>(502, "<html><body>Bad Gateway</body></html>").unwrap_err();
    assert_eq!(e.status(), Some(502));
    assert!(e.retryable());
    assert_eq!(e.retry_after_ms(), Some(3000));
    assert!(matches!(&e, Error::HttpStatus { snippet, .. } if snippet.contains("Bad Gateway")));
    let big = "x".repeat(10_000);
    match dec::<Ping>(200, &big).unwrap_err() {
        Error::Decode {
            status: 200, snippet, ..
        } => assert_eq!(snippet.len(), 300),
        other => panic!("{other:?}"),
    }
    // a cut in the middle of a multi-byte character leaves no replacement character
    let body = format!("{}é{}", "a".repeat(299), "b".repeat(10));
    match dec::<Ping>(200, &body).unwrap_err() {
        Error::Decode { snippet, .. } => assert!(!snippet.contains('\u{fffd}'), "{snippet}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn php_style_values_are_read() {
    let body = json!({
        "success": "1", "status": "success", "refid": 12345, "supplier_trxid": 987,
        "kode_produk": "XLA10", "nomor_tujuan": "081234567890", "harga": "20000",
        "kodereseller": "RS1", "message": null, "note": "", "updated_at": "2025-12-05 12:00:00",
        "new_field": {"x": 1}
    });
    let r = dec::<CheckTransaction>(200, &body.to_string()).unwrap();
    assert!(r.success);
    assert_eq!(r.refid, "12345");
    assert_eq!(r.supplier_trxid.as_deref(), Some("987"));
    assert_eq!(r.harga, 20000);
    assert_eq!(r.message, None);
    assert_eq!(r.note.as_deref(), Some(""));
    assert_eq!(r.extra["new_field"], json!({"x": 1}));
    let p = dec::<GetProfile>(200, r#"{"success":1,"data":{"kodereseller":"R","nama":"N","nomor":"6281","email":null,"saldo":"30000.00","verif":"0"}}"#).unwrap();
    assert_eq!(
        (p.data.saldo, p.data.verif, p.data.email.as_str()),
        (30000, false, "")
    );
    let l = dec::<ListProducts>(
        200,
        r#"{"success":true,"type":"all","title":"T","providers_used":"A,B","data":{"ready":[],"empty":[]}}"#,
    )
    .unwrap();
    assert_eq!(l.providers_used, ["A", "B"]);
}

#[test]
fn unknown_status_is_kept() {
    let body = r#"{"success":true,"page":"1","limit":"10","data":[{"status":"refunded","kodeproduk":"X","harga":1,"nomor":"0812","refid":"R","time":"t"}]}"#;
    let r = dec::<GetHistory>(200, body).unwrap();
    assert_eq!(r.data[0].status, TxStatus::Unknown("refunded".into()));
    assert_eq!(serde_json::to_value(&r.data[0].status).unwrap(), "refunded");
    assert!(!r.data[0].status.is_final());
}

#[test]
fn the_key_never_shows_in_errors() {
    let client = Client::new(Config::new("http://h", Some(ApiKey::new("s3cret-KEY").unwrap())).unwrap());
    let e = client
        .decode::<Ping>(500, None, b"<html>your key s3cret-KEY is wrong</html>")
        .unwrap_err();
    assert!(
        !e.to_string().contains("s3cret-KEY") && !format!("{e:?}").contains("s3cret-KEY"),
        "{e}"
    );
    let e = client
        .decode::<Ping>(
            200,
            None,
            br#"{"error":"key s3cret-KEY inactive","echo":"s3cret-KEY"}"#,
        )
        .unwrap_err();
    assert!(
        !e.to_string().contains("s3cret-KEY") && !format!("{e:?}").contains("s3cret-KEY"),
        "{e:?}"
    );
}

#[test]
fn bodies_read_in_one_pass_keep_unknown_fields_and_need_required_ones() {
    // unknown fields at every level are kept, in order; escaped keys work; last duplicate wins
    let body = r#"{"z":1,"success":true,"type":"xla","title":"T","providers_used":[],"a\u0062":[true],
        "data":{"ready":[{"kode_produk":"X","nama_produk":"N","deskripsi":"D","harga_final":"5",
        "stok":1,"type":"xla","provider":"P","promo":"yes"}],"empty":[],"note":null},"title":"T2"}"#;
    let r = dec::<ListProducts>(200, body).unwrap();
    assert_eq!(r.title, "T2");
    assert_eq!(r.extra.keys().collect::<Vec<_>>(), ["z", "ab"]);
    assert_eq!(r.data.ready[0].extra["promo"], "yes");
    assert_eq!(r.data.extra["note"], serde_json::Value::Null);
    // a missing required field is a decode error naming it
    match dec::<Ping>(200, r#"{"success":true}"#).unwrap_err() {
        Error::Decode { message, .. } => assert!(message.contains("kodereseller"), "{message}"),
        other => panic!("{other:?}"),
    }
    // not an object
    assert_eq!(
        dec::<Ping>(200, r#""ping""#).unwrap_err().code(),
        ErrorCode::Decode
    );
}

#[test]
fn webhook_bodies_with_or_without_success() {
    let body = json!({"status": "failed", "refid": "R1", "kode_produk": "XLA10", "nomor_tujuan": "081234567890",
        "harga": "20000", "kodereseller": "RS1", "updated_at": "2025-12-05 12:00:00", "x": 0.1});
    let w = parse_webhook(body.to_string().as_bytes()).unwrap();
    assert!(w.success && w.status == TxStatus::Failed && w.harga == 20000);
    assert_eq!(w.extra["x"], json!(0.1));
    let mut with = body.clone();
    with["success"] = json!(1);
    assert_eq!(parse_webhook(with.to_string().as_bytes()).unwrap(), w);
    for bad in ["", "[]", "{\"status\":\"x\"}", "<html>"] {
        assert_eq!(
            parse_webhook(bad.as_bytes()).unwrap_err().code(),
            ErrorCode::Decode,
            "{bad:?}"
        );
    }
}
