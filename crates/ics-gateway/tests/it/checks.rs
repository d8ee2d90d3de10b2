//! The public checkTransaction answers only whoever holds the order: its token (fresh or
//! expired) for exactly that refid. A refused check sends nothing upstream and says
//! nothing about the order; the back-office route and `open_orders` are unchanged.

use crate::util::*;
use ics_reseller::ErrorCode;
use serde_json::json;

const PRICE: i64 = 20_000; // XLA10 in the sandbox (no markup)
const NUMBER: &str = "081234561111";

/// A gateway whose reconciler leaves placed orders alone for the test's length, so every
/// checkTransaction the sandbox sees came from a browser request through the gateway.
async fn quiet_env(open_orders: bool) -> Env {
    env_with(|c| {
        c.reconcile.first_check_ms = 600_000;
        c.reconcile.max_check_ms = 600_000;
        c.open_orders = open_orders;
    })
    .await
}

/// The checkTransaction request lines the sandbox has received.
async fn upstream_checks(e: &Env) -> Vec<String> {
    let log = send(e.http.get(format!("{}/__sandbox/requests", e.sandbox.url())))
        .await
        .json();
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["target"].as_str())
        .filter(|t| t.contains("action=checkTransaction"))
        .map(str::to_owned)
        .collect()
}

/// Places `refid` with a fresh token and returns that token.
async fn place(e: &Env, refid: &str) -> String {
    let tok = token("XLA10", NUMBER, refid, PRICE, 600);
    let r = e.order("XLA10", NUMBER, refid, Some(&tok)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    tok
}

/// `token` with its payload's refid replaced by `refid` and its MAC kept.
fn with_refid_swapped(token: &str, refid: &str) -> String {
    use ics_reseller::token::{b64url_decode, b64url_encode};
    let (signed, mac) = token.rsplit_once('.').unwrap();
    let payload = signed.strip_prefix("v1.").unwrap();
    let mut grant: serde_json::Value = serde_json::from_slice(&b64url_decode(payload).unwrap()).unwrap();
    grant["refid"] = json!(refid);
    format!("v1.{}.{mac}", b64url_encode(grant.to_string().as_bytes()))
}

#[tokio::test]
async fn a_public_check_without_the_orders_token_is_refused_and_nothing_reaches_the_upstream() {
    let e = quiet_env(false).await;
    let own = place(&e, "CHK-1").await;
    let other = place(&e, "CHK-2").await;
    let forged = sign_with(
        "another-secret-0123456789abcdefgh",
        "XLA10",
        NUMBER,
        "CHK-1",
        PRICE,
        now_s() + 600,
    );
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("no token", None, "order_token_missing"),
        ("another order's token", Some(other.clone()), "token_mismatch"),
        ("a forged MAC", Some(forged), "token_bad_signature"),
        (
            "another order's token with its refid edited",
            Some(with_refid_swapped(&other, "CHK-1")),
            "token_bad_signature",
        ),
        ("garbage", Some("v1.garbage.garbage".into()), "token_malformed"),
        ("an empty token", Some(String::new()), "token_malformed"),
    ];
    let before = upstream_checks(&e).await;
    for refid in ["CHK-1", "INV-1001"] {
        for (what, tok, code) in &cases {
            let get = e.check(refid, tok.as_deref()).await;
            let h: Vec<(&str, &str)> = tok
                .as_deref()
                .map(|t| vec![("x-order-token", t)])
                .unwrap_or_default();
            let post = e
                .post_json("/gateway/?action=checkTransaction", &json!({"refid": refid}), &h)
                .await;
            for (how, r) in [("GET", &get), ("POST", &post)] {
                assert_eq!(
                    (r.status, r.code().as_str()),
                    (403, *code),
                    "{refid}, {what}, {how}: {}",
                    r.text
                );
                // Nothing of the order: not its number, product or price; never the key.
                for secret in [NUMBER, "XLA10", "20000", KEY] {
                    assert!(!r.text.contains(secret), "{refid}, {what}, {how}: {}", r.text);
                }
            }
        }
    }
    assert_eq!(
        upstream_checks(&e).await,
        before,
        "a refused check is never forwarded"
    );
    // The order's own token reads it (so the requests above were refused for their tokens).
    let r = e.check("CHK-1", Some(&own)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(upstream_checks(&e).await.len(), before.len() + 1);
    let metrics = e.metrics().await.text;
    assert!(
        metrics.contains("action=\"checkTransaction\""),
        "refusals are counted: {metrics}"
    );
    e.stop().await;
}

#[tokio::test]
async fn the_orders_token_fresh_or_expired_reads_it_and_the_key_never_shows() {
    let e = quiet_env(false).await;
    let fresh = place(&e, "CHK-3").await;
    // The 15-minute order window is long over; the grant still proves the order is theirs.
    let expired = sign_with(SECRET, "XLA10", NUMBER, "CHK-3", PRICE, now_s() - 3_600);
    let mut answers = Vec::new();
    for tok in [&fresh, &expired] {
        let get = e.check("CHK-3", Some(tok)).await;
        let post = e
            .post_json(
                "/gateway/?action=checkTransaction",
                &json!({"refid": "CHK-3"}),
                &[("x-order-token", tok)],
            )
            .await;
        for r in [get, post] {
            assert_eq!(r.status, 200, "{}", r.text);
            let v = r.json();
            assert_eq!(v["refid"], "CHK-3", "{}", r.text);
            assert_eq!(v["nomor_tujuan"], NUMBER, "{}", r.text);
            assert_eq!(v["kode_produk"], "XLA10", "{}", r.text);
            answers.push(r);
        }
    }
    // The expired token cannot place anything, however: it only reads its own order.
    let r = e.order("XLA10", NUMBER, "CHK-3", Some(&expired)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "token_expired"),
        "{}",
        r.text
    );
    // A token for a refid never ordered passes, and the upstream's 404 comes back typed.
    let r = e.check("CHK-NEVER", Some(&check_token("CHK-NEVER"))).await;
    assert_eq!(r.status, 404, "{}", r.text);
    answers.push(r);
    for r in &answers {
        assert!(!r.text.contains(KEY), "{}", r.text);
        for (_, v) in r.headers.iter() {
            assert!(!v.to_str().unwrap_or("").contains(KEY));
        }
    }
    e.stop().await;
}

#[tokio::test]
async fn the_back_office_check_needs_no_token_and_open_orders_keeps_the_public_check_open() {
    let e = quiet_env(false).await;
    place(&e, "CHK-4").await;
    let r = e
        .post_json(
            "/gateway/auth/login",
            &json!({"username": OPERATOR, "password": PASSWORD}),
            &[],
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let cookie = r.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let r = send(
        e.http
            .get(e.url("/gateway/backoffice/?action=checkTransaction&refid=CHK-4"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.status, 200, "a signed-in operator checks any order: {}", r.text);
    assert_eq!(r.json()["refid"], "CHK-4");
    assert_eq!(e.check("CHK-4", None).await.code(), "order_token_missing");
    e.stop().await;

    // --open-orders (demo only): anyone places an order, anyone checks any.
    let e = quiet_env(true).await;
    let r = e.order("XLA10", NUMBER, "OPEN-1", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = e.check("OPEN-1", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["nomor_tujuan"], NUMBER);
    assert_eq!(e.check("NONE", None).await.status, 404);
    // A token, when one is sent, is still checked.
    let r = e.check("OPEN-1", Some(&check_token("OPEN-2"))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (403, "token_mismatch"),
        "{}",
        r.text
    );
    e.stop().await;
}

#[tokio::test]
async fn the_rust_clients_check_and_reconciliation_carry_the_orders_token() {
    let e = env_with(|c| {
        c.reconcile.first_check_ms = 600_000;
        c.reconcile.max_check_ms = 600_000;
    })
    .await;
    let c = ics_reseller_client::Client::builder(e.url("/gateway"))
        .use_system_proxy(false)
        .reconcile(ics_reseller::ReconcilePolicy {
            max_checks: 3,
            max_resends: 1,
            first_check_delay_ms: 20,
            max_check_delay_ms: 200,
        })
        .build()
        .unwrap();
    // The answer is lost after the commit: the client's check (with the token) finds it.
    e.arm(json!({"mode": "drop_after_commit", "action": "createTransaction", "count": 1}))
        .await;
    let tok = token("XLA10", NUMBER, "CHK-RS-1", PRICE, 600);
    let req = ics_reseller::CreateTransactionRequest {
        kode_produk: "XLA10".into(),
        nomor_tujuan: NUMBER.into(),
        refid: "CHK-RS-1".into(),
    };
    let placed = c.create_transaction_with(req, Some(&tok)).await.unwrap();
    assert!(matches!(placed, ics_reseller::Placed::Found(_)), "{placed:?}");
    let found = c.check_transaction_with("CHK-RS-1", Some(&tok)).await.unwrap();
    assert_eq!(found.refid, "CHK-RS-1");
    let e403 = c.check_transaction("CHK-RS-1").await.unwrap_err();
    assert_eq!(e403.code(), ErrorCode::Forbidden, "{e403:?}");
    assert!(!format!("{e403:?} {e403}").contains(KEY));
    e.stop().await;
}
