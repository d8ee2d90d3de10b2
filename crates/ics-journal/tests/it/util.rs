//! Shared helpers: databases on both backends, the sandbox, the gateway's order flow.

use ics_journal::{HttpUpstream, Journal, JournalOptions, Limits, NewOrder, Upstream};
use ics_reseller::{ApiKey, Client, Config as ClientConfig, CreateTransactionRequest};
use ics_sandbox::Sandbox;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const KEY: &str = "sk_test_verified";

pub use ics_journal::testing::{both, postgres, TestDb};

pub fn options() -> JournalOptions {
    JournalOptions {
        forward_grace_ms: 1_500,
        first_check_ms: 60,
        max_check_ms: 500,
        max_connections: 20,
    }
}

pub async fn open(db: &TestDb) -> Journal {
    Journal::open_with(&db.url, options())
        .await
        .expect("journal opens")
}

pub async fn sandbox() -> Sandbox {
    ics_sandbox::serve(ics_sandbox::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        settle_ms: 40,
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

/// The sandbox as the journal's upstream, with a 10 s timeout (a loaded machine's slow
/// answer is not taken for a lost one).
pub fn upstream(sb: &Sandbox) -> Arc<HttpUpstream> {
    upstream_timing_out(sb, 10_000)
}

/// [`upstream`] with a timeout of `ms` (the fault tests time out on purpose).
pub fn upstream_timing_out(sb: &Sandbox, ms: u64) -> Arc<HttpUpstream> {
    let client = Client::new(ClientConfig::new(sb.url(), Some(ApiKey::new(KEY).unwrap())).unwrap());
    Arc::new(HttpUpstream::new(client, Duration::from_millis(ms)).unwrap())
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Arms a sandbox fault.
pub async fn arm(sb: &Sandbox, spec: Value) {
    let r = http()
        .post(format!("{}/__sandbox/faults", sb.url()))
        .body(spec.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
}

/// GET `path` on the sandbox, read as JSON.
pub async fn sandbox_json(sb: &Sandbox, path: &str) -> Value {
    let r = http().get(format!("{}{path}", sb.url())).send().await.unwrap();
    r.json().await.unwrap()
}

/// The verified account's state: orders by refid and the ledger.
pub async fn sandbox_orders(sb: &Sandbox) -> (HashMap<String, Value>, Value, usize) {
    let v = sandbox_json(sb, &format!("/__sandbox/state?key={KEY}")).await;
    let orders = v["orders"].as_array().unwrap();
    let map: HashMap<String, Value> = orders
        .iter()
        .map(|o| (o["refid"].as_str().unwrap().to_owned(), o.clone()))
        .collect();
    (map, v["ledger"].clone(), orders.len())
}

pub fn new_order(refid: &str, number: &str, bound: i64) -> NewOrder {
    NewOrder {
        refid: refid.to_owned(),
        product: "XDA1".to_owned(),
        number: number.to_owned(),
        price_bound: bound,
        token_id: format!("tok-{refid}"),
        client_ip_hash: "iphash".to_owned(),
    }
}

pub fn roomy() -> Limits {
    Limits {
        daily_cap: i64::MAX / 4,
        per_number_per_hour: 1_000_000,
        utc_offset_secs: 7 * 3600,
    }
}

/// The gateway's flow: admit (write-ahead), forward, record the answer.
pub async fn place(j: &Journal, up: &dyn Upstream, o: NewOrder) {
    let a = j
        .admit(o.clone(), &roomy(), ics_journal::now_ms())
        .await
        .expect("admitted");
    let req = CreateTransactionRequest {
        kode_produk: o.product.clone(),
        nomor_tujuan: a.number.clone(),
        refid: a.refid.clone(),
    };
    let answer = up.create(&req).await;
    j.record_answer(&a.refid, &answer, ics_journal::now_ms())
        .await
        .expect("answer recorded");
}

/// Runs reconcile passes until no order is open (panics after a minute).
pub async fn settle(j: &Journal, r: &ics_journal::Reconciler) {
    let start = Instant::now();
    loop {
        r.run_once(ics_journal::now_ms()).await.unwrap();
        if j.open_count().await.unwrap() == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "orders still open after 90 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Journal = sandbox, exactly: every final state matches the sandbox's order (or its
/// absence), no sandbox order is missing from the journal, the ledger balances.
pub async fn assert_matches_sandbox(j: &Journal, sb: &Sandbox, expected: usize) {
    let (orders, ledger, count) = sandbox_orders(sb).await;
    assert_eq!(orders.len(), count, "a refid placed twice upstream");
    assert_eq!(ledger["balanced"], true, "{ledger}");
    let all = j.list(None, 100_000, 0).await.unwrap();
    assert_eq!(all.len(), expected);
    let mut charged = 0;
    for o in &all {
        assert!(o.state.is_final(), "{} still {}", o.refid, o.state);
        match orders.get(&o.refid) {
            Some(s) => {
                assert_eq!(
                    s["status"].as_str().unwrap(),
                    o.state.as_str(),
                    "{}: {s}",
                    o.refid
                );
                assert_eq!(s["harga"].as_i64(), o.price, "{}", o.refid);
                if o.state.as_str() == "success" {
                    charged += o.price.unwrap();
                }
            }
            None => assert!(
                o.state.to_refund() && o.state.as_str() != "failed",
                "{} is {} in the journal but absent upstream",
                o.refid,
                o.state
            ),
        }
    }
    let journalled: std::collections::HashSet<&str> = all.iter().map(|o| o.refid.as_str()).collect();
    for refid in orders.keys() {
        assert!(
            journalled.contains(refid.as_str()),
            "upstream order {refid} not journalled"
        );
    }
    let spent = ledger["initial"].as_i64().unwrap() - ledger["balance"].as_i64().unwrap();
    assert_eq!(
        spent, charged,
        "the ledger's spend equals the journal's delivered orders"
    );
}

/// Test numbers by scenario: success now, pending→success, pending→failed, rejected.
pub fn number(i: usize) -> String {
    let suffix = ["1111", "2222", "3333", "4444", "7890"][i % 5];
    format!("0812{:04}{suffix}", i % 10_000)
}
