//! Every error path: auth, inactive accounts, unknown refids, every createTransaction
//! refusal (with refid and an untouched balance), methods, parameters, webhooks.

use crate::util::*;
use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::Value;

async fn raw(sb: &Sb, method: &str, query: &str, key: Option<&str>, body: Option<&str>) -> (u16, Value) {
    let url = format!("{}/?{query}", sb.url);
    let mut rb = match method {
        "GET" => sb.http.get(url),
        "POST" => sb.http.post(url),
        "PUT" => sb.http.put(url),
        m => panic!("{m}"),
    };
    if let Some(k) = key {
        rb = rb.header("X-API-Key", k);
    }
    if let Some(b) = body {
        rb = rb.header("Content-Type", "application/json").body(b.to_owned());
    }
    let r = rb.send().await.unwrap();
    let s = r.status().as_u16();
    let v: Value = r.json().await.unwrap();
    assert_schema("ErrorBody", &v);
    (s, v)
}

#[tokio::test]
async fn missing_or_unknown_key_is_401_and_inactive_is_403_on_every_action() {
    let sb = start().await;
    for &kind in ActionKind::ALL {
        let method = kind.method().as_str();
        let q = format!("action={}&refid=X1&type=xla", kind.name());
        let body = (method == "POST").then_some(r#"{"refid":"X1"}"#);
        let (s, v) = raw(&sb, method, &q, None, body).await;
        assert_eq!(s, 401, "{} without key: {v}", kind.name());
        let (s, _) = raw(&sb, method, &q, Some("sk_test_nope"), body).await;
        assert_eq!(s, 401, "{} with a wrong key", kind.name());
        let (s, v) = raw(&sb, method, &q, Some(INACTIVE), body).await;
        assert_eq!(s, 403, "{} inactive: {v}", kind.name());
    }
    // Through the core: typed errors.
    let e = sb.call::<Ping>("sk_test_nope", NoParams {}).await.err();
    assert!(matches!(e, Error::Unauthorized { message: Some(_) }), "{e:?}");
    let e = sb.call::<GetBalance>(INACTIVE, NoParams {}).await.err();
    assert!(matches!(e, Error::Forbidden { message: Some(_) }), "{e:?}");
    let e = sb.call_with::<Ping>(&sb.keyless(""), NoParams {}).await.err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    sb.stop().await;
}

#[tokio::test]
async fn unknown_refid_is_404_for_check_and_resubmit() {
    let sb = start().await;
    let r = RefIdRequest {
        refid: "NOPE-1".into(),
    };
    let a = sb.call::<CheckTransaction>(VERIFIED, r.clone()).await;
    assert_eq!(a.status, 404);
    assert_eq!(a.body["refid"], "NOPE-1");
    assert!(matches!(a.err(), Error::NotFound { message: Some(_) }));
    let a = sb.call::<ResubmitWebhook>(VERIFIED, r).await;
    assert_eq!(a.status, 404);
    assert!(matches!(a.err(), Error::NotFound { .. }));
    // Orders are per account: another reseller's refid is not found either.
    sb.order(UNVERIFIED, "XDA1", "081234561111", "MINE-1").await.ok();
    let e = sb
        .call::<CheckTransaction>(
            VERIFIED,
            RefIdRequest {
                refid: "MINE-1".into(),
            },
        )
        .await
        .err();
    assert!(matches!(e, Error::NotFound { .. }));
    sb.stop().await;
}

/// A createTransaction refusal: an `error` body with refid and both balances equal to the
/// balance before, which is untouched, and no order.
async fn assert_refused(sb: &Sb, key: &str, code: &str, number: &str, refid: &str, words: &str) {
    let before = sb.state(key).await;
    let a = sb.order_unchecked(key, code, number, refid).await;
    assert_eq!(a.status, 200, "refusals are answers: {}", a.body);
    let saldo = before["balance"].as_i64().unwrap();
    match a.err() {
        Error::Rejected { body, .. } => {
            assert!(
                body.error.contains(words),
                "{:?} should say {words:?}",
                body.error
            );
            assert_eq!(body.refid.as_deref(), Some(refid));
            assert_eq!((body.saldo_awal, body.saldo_akhir), (Some(saldo), Some(saldo)));
        }
        other => panic!("{code} {number} {refid}: {other:?}"),
    }
    let after = sb.state(key).await;
    assert_eq!(after["balance"], before["balance"]);
    assert_eq!(after["ledger"], before["ledger"]);
    assert_eq!(after["orders"], before["orders"], "no order was made");
}

#[tokio::test]
async fn create_transaction_refusals_leave_the_balance_untouched() {
    let sb = start().await;
    sb.order(VERIFIED, "XLA10", "081234565555", "DUP-1").await.ok();
    assert_refused(
        &sb,
        VERIFIED,
        "NOPE99",
        "081234561111",
        "REF-A",
        "tidak ditemukan",
    )
    .await;
    assert_refused(&sb, VERIFIED, "XLA15", "081234561111", "REF-B", "kosong").await;
    assert_refused(&sb, VERIFIED, "XLA10", "0812", "REF-C", "nomor tujuan").await;
    assert_refused(&sb, VERIFIED, "XLA10", "0212345678", "REF-C2", "nomor tujuan").await;
    assert_refused(&sb, VERIFIED, "XLA10", "081234561111", "DUP-1", "sudah digunakan").await;
    assert_refused(
        &sb,
        LOWBALANCE,
        "XLA10",
        "081234561111",
        "REF-D",
        "saldo tidak cukup",
    )
    .await;
    assert_refused(
        &sb,
        VERIFIED,
        "XLA10",
        "081234564444",
        "REF-E",
        "ditolak supplier",
    )
    .await;
    // The refused refids are still free.
    sb.order(VERIFIED, "XLA10", "081234561111", "REF-A").await.ok();
    sb.stop().await;
}

#[tokio::test]
async fn malformed_requests_are_400_and_wrong_methods_405() {
    let sb = start().await;
    // A write by GET is refused, and nothing is ordered.
    let (s, v) = raw(
        &sb,
        "GET",
        "action=createTransaction&kode_produk=XLA10&nomor_tujuan=081234561111&refid=G1",
        Some(VERIFIED),
        None,
    )
    .await;
    assert_eq!(s, 405, "{v}");
    assert!(sb.state(VERIFIED).await["orders"].as_array().unwrap().is_empty());
    let (s, _) = raw(&sb, "PUT", "action=ping", Some(VERIFIED), None).await;
    assert_eq!(s, 405);
    // Body not JSON, missing fields, wrong types.
    let (s, _) = raw(
        &sb,
        "POST",
        "action=createTransaction",
        Some(VERIFIED),
        Some("{nope"),
    )
    .await;
    assert_eq!(s, 400);
    let (s, v) = raw(
        &sb,
        "POST",
        "action=createTransaction",
        Some(VERIFIED),
        Some(r#"{"refid":"M1","kode_produk":"XLA10"}"#),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(
        (
            v["refid"].as_str(),
            v["saldo_awal"].as_i64(),
            v["saldo_akhir"].as_i64()
        ),
        (Some("M1"), Some(1_000_000), Some(1_000_000))
    );
    let (s, _) = raw(&sb, "GET", "action=listProducts", Some(VERIFIED), None).await;
    assert_eq!(s, 400, "type is required");
    let (s, _) = raw(&sb, "GET", "action=listProducts&type=pulsa", Some(VERIFIED), None).await;
    assert_eq!(s, 400);
    let (s, _) = raw(&sb, "GET", "action=checkTransaction", Some(VERIFIED), None).await;
    assert_eq!(s, 400, "refid is required");
    let (s, _) = raw(&sb, "GET", "action=getHistory&page=abc", Some(VERIFIED), None).await;
    assert_eq!(s, 400);
    // Paging outside the spec's bounds is refused (schemathesis sends it as invalid data),
    // an empty value is the default.
    for q in ["page=0", "limit=0", "limit=101", "page=0&limit=1000"] {
        let (s, v) = raw(
            &sb,
            "GET",
            &format!("action=getHistory&{q}"),
            Some(VERIFIED),
            None,
        )
        .await;
        assert_eq!(s, 400, "{q}: {v}");
    }
    let r = sb
        .http
        .get(format!("{}/?action=getHistory&page=&limit=100", sb.url))
        .header("X-API-Key", VERIFIED)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!((v["page"].as_u64(), v["limit"].as_u64()), (Some(1), Some(100)));
    sb.stop().await;
}

#[tokio::test]
async fn resubmit_without_a_webhook_url_is_an_error() {
    let sb = start().await;
    sb.order(UNVERIFIED, "XDA1", "081234561111", "NW-1").await.ok();
    let a = sb
        .call::<ResubmitWebhook>(UNVERIFIED, RefIdRequest { refid: "NW-1".into() })
        .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["refid"], "NW-1");
    assert!(matches!(a.err(), Error::Rejected { status: 400, .. }));
    sb.stop().await;
}

#[tokio::test]
async fn resubmit_to_an_unreachable_receiver_is_an_error() {
    // Bind a port, then free it: nothing listens there.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let sb = start_with(|c| {
        c.accounts[1].webhook = ics_sandbox::WebhookTarget::Url(format!("http://{dead}/hook"));
    })
    .await;
    sb.order(UNVERIFIED, "XDA1", "081234561111", "DW-1").await.ok();
    let a = sb
        .call::<ResubmitWebhook>(UNVERIFIED, RefIdRequest { refid: "DW-1".into() })
        .await;
    assert_eq!(a.status, 502, "{}", a.body);
    assert!(matches!(a.err(), Error::Rejected { status: 502, .. }));
    eventually("failed deliveries logged", || async {
        let st = sb.state(UNVERIFIED).await;
        let sent = st["webhooks_sent"].as_array().unwrap().clone();
        sent.len() >= 2 && sent.iter().all(|d| d["error"].is_string())
    })
    .await;
    sb.stop().await;
}

#[tokio::test]
async fn a_malformed_refid_is_400_with_the_balance_untouched() {
    // The OpenAPI document gives refid its pattern: breaking it is a malformed parameter
    // (400, like a missing one), not a refusal of a well-formed order (200).
    let sb = start().await;
    let (s, v) = raw(
        &sb,
        "POST",
        "action=createTransaction",
        Some(VERIFIED),
        Some(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234561111","refid":"bad refid!"}"#),
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert!(v["error"].as_str().unwrap().contains("refid tidak valid"), "{v}");
    assert_eq!(
        (
            v["refid"].as_str(),
            v["saldo_awal"].as_i64(),
            v["saldo_akhir"].as_i64()
        ),
        (Some("bad refid!"), Some(1_000_000), Some(1_000_000))
    );
    let state = sb.state(VERIFIED).await;
    assert_eq!(state["balance"], 1_000_000);
    assert!(state["orders"].as_array().unwrap().is_empty());
    sb.stop().await;
}

#[tokio::test]
async fn a_405_lists_the_allowed_methods() {
    // The methods of the core's table (`ActionKind::methods`): reads by GET (and HEAD),
    // checkTransaction by POST too (upstream documents GET/POST), writes by POST only.
    let sb = start().await;
    for (method, action, allow) in [
        ("PUT", "ping", "GET, HEAD"),
        ("POST", "getBalance", "GET, HEAD"),
        ("DELETE", "checkTransaction", "GET, HEAD, POST"),
        ("GET", "createTransaction", "POST"),
        ("TRACE", "resubmitWebhook", "POST"),
    ] {
        let r = sb
            .http
            .request(method.parse().unwrap(), format!("{}/?action={action}", sb.url))
            .header("X-API-Key", VERIFIED)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{method} {action}");
        assert_eq!(r.headers()["allow"], allow, "{method} {action}");
    }
    sb.stop().await;
}
