//! The order journal inside the gateway, on SQLite and on a throwaway PostgreSQL (the
//! `ics_journal::testing` helper): kill -9 at each point of an order, the sandbox's faults
//! across 200 orders, two instances on one PostgreSQL, webhooks through the route, shop
//! events through a receiver that fails at first, the back-office views.

use crate::util::*;
use ics_gateway::Secret;
use ics_journal::testing::{both, postgres, TestDb};
use ics_journal::{Journal, OrderState};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PRICE: i64 = 20_000; // XLA10 in the sandbox

/// The sandbox's orders of the verified account: refid → how many times, and the status.
async fn ledger(sb: &ics_sandbox::Sandbox) -> (HashMap<String, usize>, HashMap<String, String>) {
    let v = send(http().get(format!("{}/__sandbox/state?key={KEY}", sb.url())))
        .await
        .json();
    let mut count = HashMap::new();
    let mut status = HashMap::new();
    for o in v["orders"].as_array().expect("orders") {
        let r = o["refid"].as_str().unwrap().to_owned();
        *count.entry(r.clone()).or_insert(0) += 1;
        status.insert(r, o["status"].as_str().unwrap_or("").to_owned());
    }
    (count, status)
}

/// Waits (up to two minutes) until no journalled order is open.
async fn all_final(j: &Journal) {
    let start = Instant::now();
    loop {
        let open = j.open_count().await.unwrap();
        if open == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "{open} orders still open: {:?}",
            j.counts().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every journalled order is final, delivered ones are in the sandbox's ledger exactly once
/// (with the same status), orders to refund are not in it, and nothing else is.
async fn journal_matches_ledger(j: &Journal, sb: &ics_sandbox::Sandbox, expect: usize, what: &str) {
    all_final(j).await;
    let orders = j.list(None, 10_000, 0).await.unwrap();
    assert_eq!(orders.len(), expect, "{what}: journalled orders");
    let (count, status) = ledger(sb).await;
    for (r, n) in &count {
        assert_eq!(*n, 1, "{what}: refid {r} placed {n} times");
    }
    let mut delivered = HashSet::new();
    for o in &orders {
        match o.state {
            OrderState::Success => {
                assert_eq!(
                    status.get(&o.refid).map(String::as_str),
                    Some("success"),
                    "{what}: {}",
                    o.refid
                );
                delivered.insert(o.refid.clone());
            }
            OrderState::Failed => {
                assert_eq!(status.get(&o.refid).map(String::as_str), Some("failed"), "{what}");
                delivered.insert(o.refid.clone());
            }
            s => {
                assert!(s.to_refund(), "{what}: {} ended {s}", o.refid);
                assert!(
                    !count.contains_key(&o.refid),
                    "{what}: {} is in the ledger",
                    o.refid
                );
            }
        }
    }
    let ledger_refids: HashSet<String> = count.keys().cloned().collect();
    assert_eq!(
        ledger_refids, delivered,
        "{what}: the ledger is the journal's delivered orders"
    );
}

// ---------------------------------------------------------------------------------------
// kill -9 at each point of an order

/// The binary, started on `db` in front of `upstream`, optionally with a crash point.
struct Bin {
    child: tokio::process::Child,
    url: String,
}

async fn start_bin(db: &str, upstream: &str, dir: &std::path::Path, crash: Option<&str>) -> Bin {
    use tokio::io::AsyncBufReadExt;
    let cfg = dir.join("gateway.toml");
    std::fs::write(
        &cfg,
        format!(
            "listen = \"127.0.0.1:0\"\nupstream = \"{upstream}\"\nupstream_timeout_ms = 1000\n\
             database = \"{db}\"\n\
             [limits]\nper_ip_per_second = 10000\nper_ip_burst = 10000\n\
             orders_per_number_per_hour = 1000\ndaily_spend_cap = 100000000\n\
             [reconcile]\ngrace_ms = 2000\nfirst_check_ms = 50\nmax_check_ms = 300\npoll_ms = 50\n"
        ),
    )
    .unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_ics-gateway"));
    cmd.arg("--config")
        .arg(&cfg)
        .env("ICS_GATEWAY_KEY", KEY)
        .env("ICS_GATEWAY_ORDER_SECRET", SECRET)
        .env("ICS_GATEWAY_LOG", "warn")
        .env_remove("ICS_GATEWAY_DATABASE")
        .env_remove(ics_gateway::journal::CRASH_ENV)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(c) = crash {
        cmd.env(ics_gateway::journal::CRASH_ENV, c)
            .env("ICS_GATEWAY_CRASH_AFTER_MS", "300");
    }
    let mut child = cmd.spawn().expect("the binary starts");
    let out = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(out).lines();
    let first = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
        .await
        .expect("a URL line in time")
        .unwrap()
        .expect("a first line");
    let url = first
        .strip_prefix("ICS_GATEWAY_URL=")
        .unwrap_or_else(|| panic!("{first}"))
        .to_owned();
    Bin { child, url }
}

async fn crash_points_on(db: TestDb) {
    let sb = sandbox(100_000_000).await;
    let dir = std::env::temp_dir().join(format!("ics-gw-crash-{}-{}", std::process::id(), db.name));
    std::fs::create_dir_all(&dir).unwrap();
    let http = http();
    // after_forward first: it arms a latency fault for the next createTransaction, and with
    // an empty journal no restarted reconciler can re-send an older order into that fault.
    let points = ["after_forward", "before_forward", "after_answer"];
    for (i, point) in points.iter().enumerate() {
        let refid = format!("CRASH-{}-{i}", db.name);
        let number = format!("08123456{:04}", 2000 + i);
        if *point == "after_forward" {
            // The upstream holds the order while the gateway dies with it in flight.
            let r = send(
                http.post(format!("{}/__sandbox/faults", sb.url()))
                    .header("content-type", "application/json")
                    .body(
                        json!({"mode": "latency", "action": "createTransaction", "latency_ms": 1500})
                            .to_string(),
                    ),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let mut bin = start_bin(&db.url, sb.url(), &dir, Some(point)).await;
        let tok = token("XLA10", &number, &refid, PRICE, 600);
        let r = order_request(&http, &bin.url, &number, &refid, &tok).send().await;
        assert!(r.is_err(), "{point}: the gateway died before answering: {r:?}");
        let status = tokio::time::timeout(Duration::from_secs(30), bin.child.wait())
            .await
            .expect("it exits")
            .unwrap();
        assert!(!status.success(), "{point}: aborted");
        let j = Journal::open(&db.url).await.unwrap();
        let row = j.order(&refid).await.unwrap();
        assert!(row.is_some(), "{point}: written ahead before anything was sent");
        assert!(!row.unwrap().state.is_final(), "{point}: left open by the crash");
        j.close().await;
    }
    // Restart on the same database: the reconciler settles every order.
    let mut bin = start_bin(&db.url, sb.url(), &dir, None).await;
    let j = Journal::open(&db.url).await.unwrap();
    journal_matches_ledger(&j, &sb, points.len(), &format!("crash on {}", db.name)).await;
    for o in j.list(None, 100, 0).await.unwrap() {
        assert_eq!(o.state, OrderState::Success, "{}: {o:?}", db.name);
    }
    // A refid of a settled order is never placed again.
    let refid = format!("CRASH-{}-0", db.name);
    let tok = token("XLA10", "081234562000", &refid, PRICE, 600);
    let r = send(order_request(&http, &bin.url, "081234562000", &refid, &tok)).await;
    assert_eq!((r.status, r.code().as_str()), (409, "order_exists"), "{}", r.text);
    j.close().await;
    let _ = bin.child.kill().await;
    let _ = std::fs::remove_dir_all(&dir);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_at_each_point_of_an_order_then_restart_settles_each_exactly_once() {
    for db in both() {
        crash_points_on(db).await;
    }
}

// ---------------------------------------------------------------------------------------
// the sandbox's faults across 200 orders

async fn faults_on(db: TestDb) {
    let name = db.name;
    let e = env_on(db, |c| {
        c.upstream_timeout_ms = 1_000;
        c.reconcile.grace_ms = 2_000;
    })
    .await;
    let modes = [
        None,
        Some(json!({"mode": "drop_after_commit", "action": "createTransaction"})),
        Some(json!({"mode": "http500", "action": "createTransaction"})),
        Some(json!({"mode": "http502", "action": "createTransaction"})),
        Some(json!({"mode": "malformed_json", "action": "createTransaction"})),
        None,
        Some(json!({"mode": "http500", "action": "checkTransaction"})),
        None,
    ];
    for i in 0..200 {
        if i % 40 == 39 {
            // A timeout: the upstream answers after the gateway gave up.
            e.arm(json!({"mode": "latency", "action": "createTransaction", "latency_ms": 1_500}))
                .await;
        } else if let Some(f) = &modes[i % modes.len()] {
            e.arm(f.clone()).await;
        }
        let refid = format!("F{name}-{i}");
        let number = format!("0812{:08}", 30_000_000 + i);
        let tok = token("XLA10", &number, &refid, PRICE, 600);
        let r = e.order("XLA10", &number, &refid, Some(&tok)).await;
        assert!(
            r.status != 403 && r.status != 429 && r.status != 409,
            "{i}: {}",
            r.text
        );
    }
    let j = Journal::open(&e.db.url).await.unwrap();
    journal_matches_ledger(&j, &e.sandbox, 200, &format!("faults on {name}")).await;
    j.close().await;
    e.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sandbox_faults_across_200_orders_leave_journal_equal_to_ledger() {
    for db in both() {
        faults_on(db).await;
    }
}

// ---------------------------------------------------------------------------------------
// two instances on one PostgreSQL

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres_hold_the_cap_to_the_rupiah() {
    let Some(db) = postgres() else { return };
    const ADMITTABLE: i64 = 137;
    let cap = ADMITTABLE * PRICE + PRICE / 2;
    let sb = sandbox(100_000_000).await;
    let start = |name: &'static str| {
        let mut c = config(sb.url());
        c.database = Secret(db.url.clone());
        c.instance = Some(name.into());
        c.limits.daily_spend_cap = cap;
        ics_gateway::serve(c)
    };
    let a = start("gw-a").await.unwrap();
    let b = start("gw-b").await.unwrap();
    let urls = [a.url().to_owned(), b.url().to_owned()];
    let http = http();
    let mut tasks = Vec::new();
    for i in 0..500 {
        let url = urls[i % 2].clone();
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let refid = format!("PAIR-{i}");
            let number = format!("0813{:08}", 40_000_000 + i);
            let tok = token("XLA10", &number, &refid, PRICE, 600);
            send(order_request(&http, &url, &number, &refid, &tok)).await
        }));
    }
    let mut placed = 0;
    let mut capped = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            200 => placed += 1,
            429 => {
                assert_eq!(r.code(), "spend_cap", "{}", r.text);
                capped += 1;
            }
            s => panic!("{s}: {}", r.text),
        }
    }
    assert_eq!(
        (placed, capped),
        (ADMITTABLE, 500 - ADMITTABLE),
        "the cap to the rupiah"
    );
    let j = Journal::open(&db.url).await.unwrap();
    all_final(&j).await;
    let spent = j
        .spent_today(
            &ics_gateway::journal::limits(&a.app().config),
            ics_journal::now_ms(),
        )
        .await
        .unwrap();
    assert_eq!(spent, ADMITTABLE * PRICE);
    assert!(spent <= cap);
    let (count, _) = ledger(&sb).await;
    assert_eq!(count.len() as i64, ADMITTABLE);
    assert!(count.values().all(|n| *n == 1), "no refid twice");
    let orders = j.list(None, 10_000, 0).await.unwrap();
    assert_eq!(orders.len() as i64, ADMITTABLE);
    let mut by = HashMap::new();
    for o in &orders {
        assert_eq!(o.state, OrderState::Success, "{o:?}");
        // Answered pending; settled by exactly one instance's reconciler.
        let who = o.settled_by.clone().unwrap_or_default();
        assert!(who == "gw-a" || who == "gw-b", "{o:?}");
        *by.entry(who).or_insert(0) += 1;
    }
    eprintln!("settled by: {by:?}");
    j.close().await;
    a.shutdown().await;
    b.shutdown().await;
    sb.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// webhooks through the route, shop events, back-office

fn webhook_body(refid: &str, status: &str, number: &str) -> String {
    json!({
        "refid": refid, "status": status, "kode_produk": "XLA10", "nomor_tujuan": number,
        "harga": PRICE, "kodereseller": "RS00001", "updated_at": "2026-01-01 00:00:00"
    })
    .to_string()
}

async fn webhooks_events_backoffice_on(db: TestDb) {
    let name = db.name;
    // The shop's receiver: fails the first two attempts of every delivery.
    let attempts: Arc<Mutex<HashMap<String, usize>>> = Default::default();
    let got = attempts.clone();
    let (shop, log) = upstream(move |seen| {
        let id = seen
            .headers
            .iter()
            .find(|(k, _)| k == "x-ics-delivery")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let mut g = got.lock().unwrap();
        let n = g.entry(id).or_insert(0);
        *n += 1;
        let status = if *n <= 2 { 503 } else { 204 };
        axum::response::IntoResponse::into_response(axum::http::StatusCode::from_u16(status).unwrap())
    })
    .await;
    let events_secret = "shop-events-secret-0123456789abcdef";
    let e = env_on(db, |c| {
        c.events_url = Some(format!("{shop}/hooks/ics"));
        c.events_secret = Some(Secret(events_secret.into()));
        c.webhook_path = "/hooks/upstream".into();
    })
    .await;
    let orders = [
        ("WH-ok", "081200002222"),
        ("WH-fail", "081200003333"),
        ("WH-open", "081200005555"),
    ];
    for (refid, number) in orders {
        let refid = format!("{refid}-{name}");
        let tok = token("XLA10", number, &refid, PRICE, 600);
        let r = e.order("XLA10", number, &refid, Some(&tok)).await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let hook = |body: String, ct: &'static str| {
        send(
            e.http
                .post(e.url("/hooks/upstream"))
                .header("content-type", ct)
                .body(body),
        )
    };
    // Forged: success claimed for the order that stays pending: not believed.
    let open = format!("WH-open-{name}");
    let r = hook(webhook_body(&open, "success", "081200005555"), "application/json").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["state"], "pending", "{}", r.text);
    let j = Journal::open(&e.db.url).await.unwrap();
    assert_eq!(j.order(&open).await.unwrap().unwrap().state, OrderState::Pending);
    // Settled by the reconciler; then a forged success for the failed one changes nothing.
    let start = Instant::now();
    let fail = format!("WH-fail-{name}");
    let ok = format!("WH-ok-{name}");
    loop {
        let f = j.order(&fail).await.unwrap().unwrap().state;
        let s = j.order(&ok).await.unwrap().unwrap().state;
        if f.is_final() && s.is_final() {
            assert_eq!((f, s), (OrderState::Failed, OrderState::Success));
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{f} {s}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Duplicated and reordered: the forged success twice, then older statuses.
    for status in ["success", "success", "pending", "failed"] {
        let r = hook(webhook_body(&fail, status, "081200003333"), "application/json").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json()["state"], "failed", "{}", r.text);
    }
    for status in ["pending", "failed", "success"] {
        let r = hook(webhook_body(&ok, status, "081200002222"), "application/json").await;
        assert_eq!(r.json()["state"], "success", "{}", r.text);
    }
    assert_eq!(j.order(&fail).await.unwrap().unwrap().state, OrderState::Failed);
    // A stranger's refid: ignored. Not JSON, not an order, too large: refused.
    let r = hook(
        webhook_body("WH-stranger", "success", "081200002222"),
        "application/json",
    )
    .await;
    assert_eq!(r.json()["outcome"], "unknown_order");
    let r = hook(webhook_body(&open, "success", "081200005555"), "text/plain").await;
    assert_eq!(r.status, 415);
    let r = hook("{\"refid\":\"x\"}".into(), "application/json").await;
    assert_eq!((r.status, r.code().as_str()), (400, "bad_webhook"), "{}", r.text);
    let r = hook(
        format!("{{\"pad\":\"{}\"}}", "x".repeat(20_000)),
        "application/json",
    )
    .await;
    assert_eq!(r.status, 413);
    // The default path is not mounted when another is configured.
    let r = send(
        e.http
            .post(e.url("/gateway/webhook"))
            .header("content-type", "application/json")
            .body(webhook_body(&ok, "success", "081200002222")),
    )
    .await;
    assert_eq!(r.status, 404);

    // Shop events: one per final order, delivered after two refusals, signed.
    let start = Instant::now();
    loop {
        let evs = j.events().await.unwrap();
        if evs.len() == 2 && evs.iter().all(|e| e.delivered_at.is_some()) {
            assert!(evs.iter().all(|e| e.attempts >= 3), "{evs:?}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{evs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seen = log.lock().unwrap().clone();
    assert!(seen.len() >= 6, "{}", seen.len());
    let mut refunds = HashMap::new();
    for s in &seen {
        assert_eq!(s.uri, "/hooks/ics");
        let h = |k: &str| {
            s.headers
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert!(
            ics_journal::events::verify(events_secret.as_bytes(), s.body.as_bytes(), &h("x-ics-signature")),
            "signed"
        );
        assert!(!ics_journal::events::verify(
            b"another-secret-0123456789abcdefgh",
            s.body.as_bytes(),
            &h("x-ics-signature")
        ));
        let v: Value = serde_json::from_str(&s.body).unwrap();
        assert_eq!(v["id"].as_str().unwrap(), h("x-ics-delivery"));
        refunds.insert(
            v["refid"].as_str().unwrap().to_owned(),
            v["refund"].as_bool().unwrap(),
        );
    }
    assert_eq!(refunds.get(&fail), Some(&true));
    assert_eq!(refunds.get(&ok), Some(&false));
    assert!(!refunds.contains_key(&open));
    assert!(attempts.lock().unwrap().values().all(|n| *n >= 3));

    // Back-office: anonymous refused; signed in, to refund first, then open, then delivered.
    for path in ["/gateway/backoffice/orders", "/gateway/backoffice/orders.csv"] {
        let r = e.get(path).await;
        assert_eq!((r.status, r.code().as_str()), (401, "not_signed_in"), "{path}");
    }
    let cookie = e.sign_in().await;
    let r = send(
        e.http
            .get(e.url("/gateway/backoffice/orders"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    let states: Vec<&str> = v["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["failed", "pending", "success"], "{v}");
    assert_eq!(v["counts"]["failed"], 1);
    let r = send(
        e.http
            .get(e.url("/gateway/backoffice/orders?state=success"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.json()["orders"].as_array().unwrap().len(), 1);
    let r = send(
        e.http
            .get(e.url("/gateway/backoffice/orders?state=success&state=failed"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.status, 400, "a repeated parameter is refused: {}", r.text);
    let r = send(
        e.http
            .get(e.url("/gateway/backoffice/orders.csv"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let lines: Vec<&str> = r.text.lines().collect();
    assert_eq!(lines.len(), 4, "{}", r.text);
    assert!(lines[0].starts_with("refid,state"), "{}", lines[0]);
    assert!(lines[1].starts_with(&format!("{fail},failed")), "{}", lines[1]);
    j.close().await;
    e.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhooks_shop_events_and_backoffice_views_through_the_gateway() {
    for db in both() {
        webhooks_events_backoffice_on(db).await;
    }
}

// ---------------------------------------------------------------------------------------
// a webhook while the order is still on its way upstream

async fn early_webhook_on(db: TestDb) {
    let name = db.name;
    // The reconciler polls every 50 ms; the grace (6 s) outlasts the upstream timeout (5 s).
    let e = env_on(db, |_| {}).await;
    // The upstream holds the order 3 s before it runs it.
    e.arm(json!({"mode": "latency", "action": "createTransaction", "latency_ms": 3_000}))
        .await;
    let refid = format!("EARLY-{name}");
    let number = "081200007777";
    let tok = token("XLA10", number, &refid, PRICE, 600);
    let placing = tokio::spawn(send(order_request(&e.http, e.gw.url(), number, &refid, &tok)));
    // Once the order is written ahead (and so on its way), an unsigned webhook claims success.
    let j = Journal::open(&e.db.url).await.unwrap();
    let start = Instant::now();
    while j.order(&refid).await.unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(30), "never admitted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let r = send(
        e.http
            .post(e.url("/gateway/webhook"))
            .header("content-type", "application/json")
            .body(webhook_body(&refid, "success", number)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let outcome = r.json()["outcome"].as_str().unwrap_or("").to_owned();
    // The check reads 404 while the order is held: deferred (`recorded` only if it ran first).
    assert!(outcome == "deferred" || outcome == "recorded", "{}", r.text);
    // The client's own request is the one that places the order: no re-send overtook it.
    let r = placing.await.unwrap();
    assert_eq!(r.status, 200, "{name}: {}", r.text);
    assert_eq!(r.json()["refid"], refid.as_str(), "{name}: {}", r.text);
    assert!(r.json().get("code").is_none(), "{name}: {}", r.text);
    journal_matches_ledger(&j, &e.sandbox, 1, &format!("early webhook on {name}")).await;
    let o = j.order(&refid).await.unwrap().unwrap();
    assert_eq!((o.state, o.resends), (OrderState::Success, 0), "{o:?}");
    assert_eq!(
        creates_received(&e.sandbox).await,
        1,
        "{name}: sent upstream once"
    );
    j.close().await;
    e.stop().await;
}

/// An unauthenticated webhook for an order still on its way upstream (a slow
/// createTransaction) neither hurries the reconciler nor lets its 404 check trigger a
/// re-send: the order is sent once, and the client's own request gets its answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_webhook_during_a_slow_order_does_not_trigger_a_second_send() {
    for db in both() {
        early_webhook_on(db).await;
    }
}

// ---------------------------------------------------------------------------------------
// a client's re-send inside the forward grace

async fn resend_in_grace_on(db: TestDb) {
    let name = db.name;
    // The gateway gives up on the upstream after 1 s; the grace (6 s) outlasts that, and
    // the upstream holds the order 2.5 s before it runs it (the attack: a latency longer
    // than the gateway's timeout).
    let e = env_on(db, |c| c.upstream_timeout_ms = 1_000).await;
    e.arm(json!({"mode": "latency", "action": "createTransaction", "latency_ms": 2_500}))
        .await;
    let refid = format!("GRACE-{name}");
    let number = "081200008888";
    let tok = token("XLA10", number, &refid, PRICE, 600);
    let r = e.order("XLA10", number, &refid, Some(&tok)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (504, "upstream_timeout"),
        "{name}: {}",
        r.text
    );
    // The same order re-sent at once (the client's reconciliation, or anyone holding the
    // token): the gateway's check reads 404, as the first send has not landed. Inside the
    // grace that proves nothing: 409 `order_in_flight`, nothing forwarded.
    let r = e.order("XLA10", number, &refid, Some(&tok)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (409, "order_in_flight"),
        "{name}: {}",
        r.text
    );
    let retry_after: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(
        (1..=6).contains(&retry_after),
        "{name}: the seconds left of the grace: {retry_after}"
    );
    // The first send lands and the reconciler finds it: one order, sent once, never re-sent.
    let o = settled(&e.db.url, &refid).await;
    assert_eq!((o.state, o.resends), (OrderState::Success, 0), "{name}: {o:?}");
    assert_eq!(
        creates_received(&e.sandbox).await,
        1,
        "{name}: sent upstream once"
    );
    let j = Journal::open(&e.db.url).await.unwrap();
    journal_matches_ledger(&j, &e.sandbox, 1, &format!("re-send in the grace on {name}")).await;
    j.close().await;
    // Once settled, the refid is answered `order_exists`.
    let r = e.order("XLA10", number, &refid, Some(&tok)).await;
    assert_eq!((r.status, r.code().as_str()), (409, "order_exists"), "{}", r.text);
    assert_eq!(creates_received(&e.sandbox).await, 1, "{name}: still once");
    e.stop().await;
}

/// API.md rule 7 and the forward grace: a send that outlasts the gateway's upstream timeout
/// (504, journalled `maybe_committed`) and is re-sent at once reads 404 upstream, as it has
/// not landed yet. The gateway answers that re-send 409 `order_in_flight` with
/// `Retry-After` and forwards nothing: the upstream receives one createTransaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_resend_inside_the_forward_grace_is_in_flight_and_sends_nothing() {
    for db in both() {
        resend_in_grace_on(db).await;
    }
}
