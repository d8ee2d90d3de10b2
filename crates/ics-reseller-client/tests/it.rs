//! The native client against the real sandbox over HTTP (in-process, 127.0.0.1:0), plus
//! small local servers for redirects and timeouts.

#[path = "../examples/quickstart.rs"]
#[allow(dead_code)]
mod quickstart;

use ics_reseller::{
    AuthMode, CreateTransactionRequest, Error, Placed, ReconcilePolicy, RetryPolicy, TxStatus,
};
use ics_reseller_client::Client;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "sk_test_verified";

async fn sandbox() -> ics_sandbox::Sandbox {
    ics_sandbox::serve(ics_sandbox::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        settle_ms: 20,
        ..Default::default()
    })
    .await
    .unwrap()
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn post(url: String, body: Value) -> Value {
    let r = http().post(url).json(&body).send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

async fn balance(sb: &ics_sandbox::Sandbox) -> i64 {
    let v: Value = http()
        .get(format!("{}/__sandbox/state?key={KEY}", sb.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["balance"].as_i64().unwrap()
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .api_key(Some(KEY))
        .use_system_proxy(false)
        .retry(RetryPolicy {
            max_retries: 2,
            base_delay_ms: 10,
            max_delay_ms: 50,
        })
        .reconcile(ReconcilePolicy {
            max_checks: 5,
            max_resends: 1,
            first_check_delay_ms: 10,
            max_check_delay_ms: 100,
        })
        .build()
        .unwrap()
}

fn order(refid: &str) -> CreateTransactionRequest {
    CreateTransactionRequest {
        kode_produk: "XLA10".into(),
        nomor_tujuan: "+62 812-3456-1111".into(),
        refid: refid.into(),
    }
}

#[tokio::test]
async fn the_readme_quickstart_runs_against_the_sandbox() {
    let sb = sandbox().await;
    let before = balance(&sb).await;
    let (refid, status) = quickstart::quickstart(sb.url(), KEY, "+62 812-3456-1111")
        .await
        .unwrap();
    assert_eq!(status, "success");
    assert!(refid.len() >= 20, "{refid}");
    assert!(balance(&sb).await < before, "the order debited the balance");
    sb.shutdown().await;
}

#[tokio::test]
async fn reads_and_typed_errors() {
    let sb = sandbox().await;
    let c = client(sb.url());
    assert!(!c.ping().await.unwrap().kodereseller.is_empty());
    assert!(c.get_balance().await.is_ok());
    assert!(c.get_profile().await.is_ok());
    assert!(c.get_statistik().await.is_ok());
    assert!(c.get_history(Default::default()).await.is_ok());
    let e = c.check_transaction("NO-SUCH-REFID").await.unwrap_err();
    assert!(matches!(e, Error::NotFound { .. }), "{e:?}");
    let bad = Client::builder(sb.url())
        .api_key(Some("sk_wrong_key_12345"))
        .build()
        .unwrap();
    let e = bad.ping().await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { .. }), "{e:?}");
    assert!(!format!("{e:?} {e}").contains("sk_wrong_key_12345"));
    // Bad input never leaves: refused before sending.
    let e = c.create_transaction(order("bad refid!")).await.unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn reads_are_retried_with_retry_after_and_writes_are_not() {
    let sb = sandbox().await;
    let c = client(sb.url());
    post(
        format!("{}/__sandbox/faults", sb.url()),
        json!({"mode": "http429", "action": "getBalance", "count": 2, "retry_after_s": 0}),
    )
    .await;
    assert!(
        c.get_balance().await.is_ok(),
        "two 429s, then the third attempt answers"
    );
    post(
        format!("{}/__sandbox/faults", sb.url()),
        json!({"mode": "http502", "action": "getBalance", "count": 3}),
    )
    .await;
    let e = c.get_balance().await.unwrap_err();
    assert_eq!(e.status(), Some(502), "{e:?}");
    // resubmitWebhook is a write: one 502 is its answer, no second send.
    post(
        format!("{}/__sandbox/faults", sb.url()),
        json!({"mode": "http502", "action": "resubmitWebhook", "count": 1}),
    )
    .await;
    let e = c.resubmit_webhook("NO-SUCH").await.unwrap_err();
    assert_eq!(e.status(), Some(502), "{e:?}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_dropped_order_answer_is_reconciled_and_placed_once() {
    let sb = sandbox().await;
    let c = client(sb.url());
    let before = balance(&sb).await;
    post(
        format!("{}/__sandbox/faults", sb.url()),
        json!({"mode": "drop_after_commit", "action": "createTransaction"}),
    )
    .await;
    let placed = c.create_transaction(order("CLIENT-DROP-1")).await.unwrap();
    match &placed {
        Placed::Found(found) => assert_eq!(found.status, TxStatus::Success),
        other => panic!("expected found by reconciliation, got {other:?}"),
    }
    let after = balance(&sb).await;
    let once = c.check_transaction("CLIENT-DROP-1").await.unwrap();
    assert_eq!(before - after, once.harga, "debited exactly once");
    // A 502 before the action ran: the check says 404, so the same refid is re-sent once.
    post(
        format!("{}/__sandbox/faults", sb.url()),
        json!({"mode": "http502", "action": "createTransaction", "count": 1}),
    )
    .await;
    let placed = c.create_transaction(order("CLIENT-502-1")).await.unwrap();
    assert!(matches!(placed, Placed::Accepted(_)), "{placed:?}");
    let second = c.check_transaction("CLIENT-502-1").await.unwrap();
    assert_eq!(after - balance(&sb).await, second.harga, "one order, not two");
    sb.shutdown().await;
}

/// A server that answers every request by `reply`, counting requests.
async fn local_server(
    reply: impl Fn() -> axum::response::Response + Clone + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = axum::Router::new().fallback(move || {
        let reply = reply.clone();
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            reply()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits)
}

#[tokio::test]
async fn redirects_are_never_followed() {
    use axum::response::IntoResponse;
    let (target, target_hits) = local_server(|| "{}".into_response()).await;
    for status in [301u16, 302, 307, 308] {
        let loc = format!("{target}/?action=createTransaction");
        let (redirector, hits) = local_server(move || {
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [("location", loc.clone())],
            )
                .into_response()
        })
        .await;
        let c = Client::builder(&redirector)
            .api_key(Some(KEY))
            .use_system_proxy(false)
            .reconcile(ReconcilePolicy {
                max_checks: 1,
                max_resends: 0,
                first_check_delay_ms: 1,
                max_check_delay_ms: 1,
            })
            .build()
            .unwrap();
        let e = c.get_balance().await.unwrap_err();
        assert_eq!(e.status(), Some(status), "{e:?}");
        let _ = c.create_transaction(order("REDIR-1")).await.unwrap_err();
        assert!(hits.load(Ordering::SeqCst) >= 2);
    }
    assert_eq!(
        target_hits.load(Ordering::SeqCst),
        0,
        "nothing reached the redirect target"
    );
}

#[tokio::test]
async fn timeouts_and_the_key_never_in_debug_or_errors() {
    use axum::response::IntoResponse;
    let (slow, _) = local_server(|| {
        std::thread::sleep(Duration::from_millis(300));
        "{}".into_response()
    })
    .await;
    let c = Client::builder(&slow)
        .api_key(Some("sk_live_secret_key_123"))
        .auth(AuthMode::Query)
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::NEVER)
        .use_system_proxy(false)
        .build()
        .unwrap();
    let e = c.get_balance().await.unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("sk_live_secret"), "{dbg}");
    // A refused connection: the error text must not carry the URL with the key.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let c = Client::builder(format!("http://127.0.0.1:{port}"))
        .api_key(Some("sk_live_secret_key_123"))
        .auth(AuthMode::Query)
        .retry(RetryPolicy::NEVER)
        .use_system_proxy(false)
        .build()
        .unwrap();
    let e = c.get_balance().await.unwrap_err();
    assert!(matches!(e, Error::Network { .. }), "{e:?}");
    let text = format!("{e:?} {e}");
    assert!(!text.contains("sk_live_secret"), "{text}");
}

/// The README's Rust quick start is the tested example, verbatim (between its markers).
#[test]
fn the_readme_quick_start_is_the_tested_example() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(dir.join("examples/quickstart.rs")).unwrap();
    let readme = std::fs::read_to_string(dir.join("../../README.md")).unwrap();
    let start = example.find("// README:start\n").unwrap() + "// README:start\n".len();
    let end = example.find("    // README:end").unwrap();
    let region: Vec<&str> = example[start..end]
        .trim_end()
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect();
    let section = &readme[readme.find("## Rust quick start").unwrap()..];
    let block = &section[section.find("```rust\n").unwrap() + 8..];
    let block = &block[..block.find("```").unwrap()];
    assert!(
        block.contains(&region.join("\n")),
        "README.md's Rust quick start differs from examples/quickstart.rs:\n{}",
        region.join("\n")
    );
}
