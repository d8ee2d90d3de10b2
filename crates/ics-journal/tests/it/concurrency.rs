//! Two Journal instances (two pools) on one PostgreSQL under 500 concurrent admissions:
//! the daily cap holds to the rupiah and no refid is admitted twice; then two reconcilers
//! run at once and every order is handled by one at a time.

use crate::util::*;
use async_trait::async_trait;
use ics_journal::{now_ms, Journal, Limits, Reconciler, ReconcilerConfig, Refusal, Upstream};
use ics_reseller::{CheckTransactionResponse, CreateTransactionRequest, CreateTransactionResponse, Error};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The real upstream, watched: which refids are being handled right now (by anyone), and
/// how many creates each refid got.
struct Watched {
    inner: Arc<dyn Upstream>,
    in_flight: Mutex<HashSet<String>>,
    overlaps: Mutex<Vec<String>>,
    creates: Mutex<HashMap<String, u32>>,
}

impl Watched {
    fn enter(&self, refid: &str) {
        if !self.in_flight.lock().unwrap().insert(refid.to_owned()) {
            self.overlaps.lock().unwrap().push(refid.to_owned());
        }
    }
    fn leave(&self, refid: &str) {
        self.in_flight.lock().unwrap().remove(refid);
    }
}

#[async_trait]
impl Upstream for Watched {
    async fn check(&self, refid: &str) -> Result<CheckTransactionResponse, Error> {
        self.enter(refid);
        let r = self.inner.check(refid).await;
        self.leave(refid);
        r
    }
    async fn create(&self, req: &CreateTransactionRequest) -> Result<CreateTransactionResponse, Error> {
        *self.creates.lock().unwrap().entry(req.refid.clone()).or_default() += 1;
        self.enter(&req.refid);
        let r = self.inner.create(req).await;
        self.leave(&req.refid);
        r
    }
    async fn price(&self, product: &str) -> Result<Option<i64>, Error> {
        self.inner.price(product).await
    }
}

const BOUND: i64 = 3_300;
const FIT: i64 = 123;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_hold_the_cap_and_two_reconcilers_split_the_work() {
    let Some(db) = postgres() else { return };
    let j1 = open(&db).await;
    let j2 = open(&db).await;
    let limits = Limits {
        daily_cap: BOUND * FIT + BOUND - 1,
        per_number_per_hour: 1_000,
        utc_offset_secs: 7 * 3600,
    };
    let now = now_ms();
    let mut set = JoinSet::new();
    for i in 0..500usize {
        let j: Journal = if i % 2 == 0 { j1.clone() } else { j2.clone() };
        // 440 distinct refids, 40 repeats of a refid, 20 reuses of a token for a new refid.
        let mut o = if i < 440 {
            new_order(&format!("P{i}"), &number(i), BOUND)
        } else if i < 480 {
            new_order(&format!("P{}", i - 440), &number(i - 440), BOUND)
        } else {
            let mut o = new_order(&format!("Q{i}"), &number(i), BOUND);
            o.token_id = format!("tok-P{}", i - 480);
            o
        };
        o.client_ip_hash = format!("ip{}", i % 7);
        set.spawn(async move { (o.refid.clone(), j.admit(o, &limits, now).await) });
    }
    let mut admitted = Vec::new();
    let mut refusals: HashMap<&'static str, usize> = HashMap::new();
    while let Some(r) = set.join_next().await {
        let (refid, res) = r.unwrap();
        match res {
            Ok(a) => admitted.push(a),
            Err(Refusal::DailyCap { retry_after_secs, .. }) => {
                assert!(retry_after_secs > 0 && retry_after_secs <= 86_400);
                *refusals.entry("daily_cap").or_default() += 1;
            }
            Err(e @ (Refusal::DuplicateRefid | Refusal::TokenSpent)) => {
                *refusals.entry(e.limit()).or_default() += 1
            }
            Err(e) => panic!("{refid}: unexpected refusal {e:?}"),
        }
    }
    let all = j1.list(None, 10_000, 0).await.unwrap();
    let spent: i64 = all.iter().map(|o| o.price_bound).sum();
    eprintln!(
        "admitted {} (cap {}), refusals {refusals:?}",
        all.len(),
        limits.daily_cap
    );
    assert_eq!(admitted.len() as i64, FIT, "the cap admits exactly what fits");
    assert_eq!(all.len() as i64, FIT);
    assert!(
        spent <= limits.daily_cap && spent + BOUND > limits.daily_cap,
        "{spent}"
    );
    let distinct: HashSet<&str> = all.iter().map(|o| o.refid.as_str()).collect();
    assert_eq!(distinct.len(), all.len(), "no refid twice");
    let tokens: HashSet<&str> = all.iter().map(|o| o.token_id.as_str()).collect();
    assert_eq!(tokens.len(), all.len(), "no token twice");

    // None was forwarded: two reconcilers settle them all, each order by one at a time.
    let sb = sandbox().await;
    let watched = Arc::new(Watched {
        inner: upstream(&sb),
        in_flight: Default::default(),
        overlaps: Default::default(),
        creates: Default::default(),
    });
    let cfg = |owner: &str| ReconcilerConfig {
        owner: owner.into(),
        batch: 8,
        poll: Duration::from_millis(20),
        ..ReconcilerConfig::default()
    };
    let r1 = Reconciler::new(j1.clone(), watched.clone(), cfg("r1")).spawn();
    let r2 = Reconciler::new(j2.clone(), watched.clone(), cfg("r2")).spawn();
    let start = Instant::now();
    while j1.open_count().await.unwrap() > 0 {
        assert!(start.elapsed() < Duration::from_secs(90), "still open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    r1.stop().await;
    r2.stop().await;
    assert!(
        watched.overlaps.lock().unwrap().is_empty(),
        "{:?}",
        watched.overlaps.lock().unwrap()
    );
    let creates = watched.creates.lock().unwrap().clone();
    assert_eq!(creates.len() as i64, FIT);
    assert!(
        creates.values().all(|n| *n == 1),
        "one re-send per never-sent order"
    );
    assert_matches_sandbox(&j1, &sb, FIT as usize).await;
    let done = j1.list(None, 10_000, 0).await.unwrap();
    let by: HashMap<Option<String>, usize> = done.iter().fold(HashMap::new(), |mut m, o| {
        *m.entry(o.settled_by.clone()).or_default() += 1;
        m
    });
    eprintln!("settled by {by:?}");
    assert!(done.iter().all(|o| o.settled_by.is_some()), "{by:?}");
    assert_eq!(
        j1.events().await.unwrap().len() as i64,
        FIT,
        "one event per order"
    );
    j1.close().await;
    j2.close().await;
    sb.shutdown().await;
}
