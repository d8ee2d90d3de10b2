//! Every fault mode, seen on the wire and through the core's decode.

use crate::util::*;
use ics_reseller::actions::*;
use ics_reseller::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn check(refid: &str) -> RefIdRequest {
    RefIdRequest { refid: refid.into() }
}

#[tokio::test]
async fn latency_delays_then_answers() {
    // Bounds far apart (3 s of latency against 2 s for an undelayed answer), so a loaded
    // machine's slow answer is not taken for a delay.
    let sb = start().await;
    sb.arm(json!({"mode": "latency", "latency_ms": 3000, "action": "ping"}))
        .await;
    let t = Instant::now();
    sb.call::<GetBalance>(VERIFIED, NoParams {}).await.ok();
    assert!(
        t.elapsed() < Duration::from_millis(2000),
        "other actions are not delayed"
    );
    let t = Instant::now();
    sb.call::<Ping>(VERIFIED, NoParams {}).await.ok();
    assert!(t.elapsed() >= Duration::from_millis(3000));
    let t = Instant::now();
    sb.call::<Ping>(VERIFIED, NoParams {}).await.ok();
    assert!(t.elapsed() < Duration::from_millis(2000), "count 1 by default");
    sb.stop().await;
}

#[tokio::test]
async fn http_5xx_pages_and_the_order_is_not_made() {
    let sb = start().await;
    for (mode, status) in [("http500", 500), ("http502", 502)] {
        sb.arm(json!({"mode": mode, "action": "createTransaction"})).await;
        let refid = format!("F-{status}");
        let a = sb.order(VERIFIED, "XLA10", "081234561111", &refid).await;
        assert_eq!(a.status, status);
        let ct = a
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(ct.starts_with("text/html"), "{ct}");
        let text = String::from_utf8(a.raw.clone()).unwrap();
        assert!(text.contains("<html>") && text.contains(&status.to_string()));
        let e = a.err();
        assert!(
            matches!(e, Error::HttpStatus { status: s, .. } if s == status),
            "{e:?}"
        );
        assert!(e.retryable() && e.outcome_unknown());
        let e = sb.call::<CheckTransaction>(VERIFIED, check(&refid)).await.err();
        assert!(
            matches!(e, Error::NotFound { .. }),
            "a 5xx fault answers before the action runs"
        );
    }
    sb.stop().await;
}

/// A latency fault is a slow upstream, not a cancelled order: a caller that stops waiting
/// (its timeout closes the connection) does not stop the order, which lands after the
/// latency, once.
#[tokio::test]
async fn a_slow_order_lands_after_its_caller_gave_up() {
    let sb = start().await;
    sb.arm(json!({"mode": "latency", "latency_ms": 1500, "action": "createTransaction"}))
        .await;
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let r = impatient
        .post(format!("{}/?action=createTransaction", sb.url))
        .header("x-api-key", VERIFIED)
        .header("content-type", "application/json")
        .body(json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "SLOW-1"}).to_string())
        .send()
        .await;
    assert!(r.is_err(), "the caller gave up first: {r:?}");
    let start = Instant::now();
    let found = loop {
        match sb
            .call::<CheckTransaction>(VERIFIED, check("SLOW-1"))
            .await
            .result
        {
            Ok(found) => break found,
            Err(Error::NotFound { .. }) => {
                assert!(start.elapsed() < Duration::from_secs(30), "never landed");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("{e:?}"),
        }
    };
    assert_eq!(found.refid, "SLOW-1");
    assert_eq!(sb.state(VERIFIED).await["balance"], 980_000, "debited once");
    sb.stop().await;
}

#[tokio::test]
async fn drop_after_commit_closes_the_connection_and_the_order_exists() {
    let sb = start().await;
    sb.arm(json!({"mode": "drop_after_commit", "action": "createTransaction"}))
        .await;
    let a = sb.order(VERIFIED, "XLA10", "081234561111", "DROP-1").await;
    assert_eq!(a.status, 0, "no HTTP response at all");
    let e = a.err();
    match &e {
        Error::Network { message } => {
            assert!(
                message.contains("IncompleteMessage") || message.contains("connection"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(e.outcome_unknown());
    // The order was committed: reconciliation finds it.
    let c = sb.call::<CheckTransaction>(VERIFIED, check("DROP-1")).await.ok();
    assert_eq!(c.status, TxStatus::Success);
    assert_eq!(sb.state(VERIFIED).await["balance"], 980_000);
    // A raw socket sees the connection closed with zero bytes of response.
    sb.arm(json!({"mode": "drop_after_commit", "action": "ping"}))
        .await;
    let addr = sb.sandbox.addr();
    let bytes = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            s,
            "GET /?action=ping HTTP/1.1\r\nHost: x\r\nX-API-Key: {VERIFIED}\r\n\r\n"
        )
        .unwrap();
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        buf
    })
    .await
    .unwrap();
    assert!(bytes.is_empty(), "got {:?}", String::from_utf8_lossy(&bytes));
    sb.stop().await;
}

#[tokio::test]
async fn malformed_json_after_commit() {
    let sb = start().await;
    sb.arm(json!({"mode": "malformed_json", "action": "createTransaction"}))
        .await;
    let a = sb.order(VERIFIED, "XLA10", "081234565555", "MAL-1").await;
    assert_eq!(a.status, 200);
    assert!(serde_json::from_slice::<Value>(&a.raw).is_err());
    let e = a.err();
    assert!(matches!(e, Error::Decode { status: 200, .. }), "{e:?}");
    assert!(e.outcome_unknown());
    let c = sb.call::<CheckTransaction>(VERIFIED, check("MAL-1")).await.ok();
    assert_eq!(c.status, TxStatus::Pending);
    sb.stop().await;
}

#[tokio::test]
async fn php_values_are_strings_and_ones_and_zeros() {
    let sb = start().await;
    sb.arm(json!({"mode": "php_values", "count": 3})).await;
    let a = sb
        .call_with::<GetBalance>(&sb.client(UNVERIFIED), NoParams {})
        .await;
    assert_eq!(a.body["success"], 1);
    assert_eq!(a.body["data"]["saldo"], "100000");
    assert_eq!(a.body["data"]["verif"], 0);
    let b = a.ok();
    assert_eq!((b.data.saldo, b.data.verif), (100_000, false));
    let c = sb
        .call_with::<CreateTransaction>(&sb.client(VERIFIED), order_req("XLA10", "081234562222", "PHP-1"))
        .await;
    assert_eq!(c.body["pending"], 1);
    assert_eq!(c.body["saldo_akhir"], "980000");
    let c = c.ok();
    assert!(c.pending);
    assert_eq!(c.saldo_akhir, 980_000);
    let l = sb
        .call_with::<ListProducts>(
            &sb.client(VERIFIED),
            ListProductsRequest {
                product_type: ProductType::Xda,
                providers: None,
            },
        )
        .await;
    assert_eq!(l.body["data"]["ready"][0]["harga_final"], "3000");
    assert_eq!(l.ok().data.ready[0].harga_final, 3000);
    // Count used up: the fourth answer is plain again.
    let p = sb.call::<GetBalance>(UNVERIFIED, NoParams {}).await;
    assert_eq!(p.body["data"]["saldo"], 100_000);
    sb.stop().await;
}

#[tokio::test]
async fn fault_controls_list_count_clear_and_validate() {
    let sb = start().await;
    sb.arm(json!({"mode": "http500", "count": 2, "action": "getBalance"}))
        .await;
    sb.arm(json!({"mode": "latency", "latency_ms": 1})).await;
    let (s, v) = sb.get_json("/__sandbox/faults").await;
    assert_eq!(s, 200);
    assert_eq!(v["faults"].as_array().unwrap().len(), 2);
    assert_eq!(v["faults"][0]["remaining"], 2);
    for (bad, why) in [
        (json!({"mode": "explode"}), "unknown mode"),
        (json!({"mode": "http500", "action": "nope"}), "unknown action"),
        (json!({"mode": "http500", "count": 0}), "zero count"),
        (json!({"mode": "http500", "colour": "red"}), "unknown field"),
    ] {
        let (s, v) = sb.post_json("/__sandbox/faults", &bad).await;
        assert_eq!(s, 400, "{why}: {v}");
        assert!(v["error"].is_string());
    }
    assert_eq!(sb.call::<GetBalance>(VERIFIED, NoParams {}).await.status, 500);
    let r = sb
        .http
        .delete(format!("{}/__sandbox/faults", sb.url))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["cleared"], 2);
    assert_eq!(sb.call::<GetBalance>(VERIFIED, NoParams {}).await.status, 200);
    // A reset disarms too.
    sb.arm(json!({"mode": "http502"})).await;
    sb.post_json("/__sandbox/reset", &json!({})).await;
    assert_eq!(sb.call::<Ping>(VERIFIED, NoParams {}).await.status, 200);
    sb.stop().await;
}

#[tokio::test]
async fn no_faults_flag_removes_the_controls() {
    let sb = start_with(|c| c.faults = false).await;
    for path in [
        "/__sandbox/faults",
        "/__sandbox/state?key=sk_test_verified",
        "/__sandbox/info",
    ] {
        let (s, _) = sb.get_json(path).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _) = sb
        .post_json("/__sandbox/faults", &json!({"mode": "http500"}))
        .await;
    assert_eq!(s, 404);
    let (s, _) = sb.post_json("/__sandbox/reset", &json!({})).await;
    assert_eq!(s, 404);
    // The API works, and the verified account's webhook receiver is still there.
    sb.order(VERIFIED, "XLA10", "081234561111", "NF-1").await.ok();
    let r = sb
        .call::<ResubmitWebhook>(VERIFIED, RefIdRequest { refid: "NF-1".into() })
        .await
        .ok();
    assert!(r.response.contains("\"ok\":true"), "{}", r.response);
    sb.stop().await;
}

#[tokio::test]
async fn http429_and_retry_after_on_the_wire() {
    let sb = start().await;
    sb.arm(json!({"mode": "http429", "action": "getBalance", "retry_after_s": 2}))
        .await;
    let (s, _) = sb
        .post_json("/__sandbox/faults", &json!({"mode": "http503_is_not_a_mode"}))
        .await;
    assert_ne!(s, 200, "an unknown mode is refused, nothing armed");
    let a = sb.call::<GetBalance>(VERIFIED, NoParams {}).await;
    assert_eq!(a.status, 429);
    assert_eq!(a.headers.get("retry-after").unwrap(), "2");
    let e = a.err();
    assert!(matches!(e, Error::Rejected { status: 429, .. }), "{e:?}");
    assert!(e.retryable() && !e.outcome_unknown());
    assert_eq!(e.retry_after_ms(), Some(2000));
    // one use: the next call is normal
    assert!(sb.call::<GetBalance>(VERIFIED, NoParams {}).await.result.is_ok());
    // Retry-After goes with the HTML pages too
    sb.arm(json!({"mode": "http502", "retry_after_s": 1})).await;
    let e = sb.call::<Ping>(VERIFIED, NoParams {}).await.err();
    assert!(
        matches!(
            e,
            Error::HttpStatus {
                status: 502,
                retry_after_ms: Some(1000),
                ..
            }
        ),
        "{e:?}"
    );
    sb.stop().await;
}
