//! Journal throughput, in one run:
//!
//! 1. the journal alone: orders admitted (write-ahead) and their answer recorded, per
//!    second, sequentially and with 16 callers;
//! 2. the order path a gateway runs against the in-process sandbox (admit → createTransaction
//!    over HTTP → record), 16 callers, next to the same createTransaction calls without a
//!    journal.
//!
//! SQLite is a temp file (WAL, synchronous=FULL); PostgreSQL a throwaway server with fsync
//! on. Run: `cargo run --release -p ics-journal --example journal_bench -- [ORDERS]`
//! (or without `--release`; the database's fsync dominates either way).

use ics_journal::testing::{postgres_bin, TempPostgres};
use ics_journal::{now_ms, HttpUpstream, Journal, Limits, NewOrder, Upstream};
use ics_reseller::{ApiKey, Client, Config, CreateTransactionRequest, CreateTransactionResponse};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

const CALLERS: usize = 16;

fn order(refid: &str, i: usize) -> NewOrder {
    NewOrder {
        refid: refid.to_owned(),
        product: "XDA1".into(),
        // …1111: the sandbox's success-at-once number, no settle timers.
        number: format!("0812{:04}1111", i % 10_000),
        price_bound: 5_000,
        token_id: format!("tok-{refid}"),
        client_ip_hash: "bench".into(),
    }
}

fn limits() -> Limits {
    Limits {
        daily_cap: i64::MAX / 4,
        per_number_per_hour: 1_000_000,
        ..Limits::default()
    }
}

/// Runs `per` orders on each of `callers` tasks; returns orders per second.
async fn run<F, Fut>(callers: usize, per: usize, f: F) -> f64
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let f = Arc::new(f);
    let start = Instant::now();
    let mut set = JoinSet::new();
    for t in 0..callers {
        let f = f.clone();
        set.spawn(async move {
            for k in 0..per {
                f(t, k).await;
            }
        });
    }
    while let Some(r) = set.join_next().await {
        r.expect("bench task");
    }
    (callers * per) as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    let file = std::env::temp_dir().join(format!("ics-journal-bench-{}.db", std::process::id()));
    let mut targets = vec![("sqlite", format!("sqlite://{}", file.display()), None)];
    if postgres_bin().is_some() {
        let pg = TempPostgres::start(true).expect("PostgreSQL starts");
        targets.push(("postgres", pg.url().to_owned(), Some(pg)));
    } else {
        eprintln!("no PostgreSQL binaries: SQLite only");
    }

    let mut config = ics_sandbox::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    };
    for a in &mut config.accounts {
        a.saldo = 1_000_000_000_000;
    }
    let sandbox = ics_sandbox::serve(config).await.expect("sandbox starts");
    let client =
        Client::new(Config::new(sandbox.url(), Some(ApiKey::new("sk_test_verified").unwrap())).unwrap());
    let upstream = Arc::new(HttpUpstream::new(client, Duration::from_secs(10)).unwrap());

    println!("{:<44} {:>8} {:>10}", "what", "orders", "orders/s");
    let per = n / CALLERS;
    let up = upstream.clone();
    let direct = run(CALLERS, per, move |t, k| {
        let up = up.clone();
        async move {
            let req = CreateTransactionRequest {
                kode_produk: "XDA1".into(),
                nomor_tujuan: format!("0812{:04}1111", k % 10_000),
                refid: format!("D-{t}-{k}"),
            };
            up.create(&req).await.expect("placed");
        }
    })
    .await;
    println!(
        "{:<44} {:>8} {direct:>10.0}",
        "createTransaction, no journal (16 callers)",
        per * CALLERS
    );

    for (name, url, _pg) in &targets {
        let journal = Journal::open(url).await.expect("journal opens");
        for callers in [1, CALLERS] {
            let per = n / callers;
            let j = journal.clone();
            let rate = run(callers, per, move |t, k| {
                let j = j.clone();
                async move {
                    let refid = format!("J{callers}-{t}-{k}");
                    j.admit(order(&refid, k), &limits(), now_ms())
                        .await
                        .expect("admitted");
                    let answer = Ok(CreateTransactionResponse {
                        success: true,
                        pending: false,
                        message: "Transaksi sukses.".into(),
                        refid: refid.clone(),
                        supplier_trxid: Some(format!("T{k}")),
                        saldo_awal: 1_000_000,
                        saldo_akhir: 995_000,
                        extra: Default::default(),
                    });
                    j.record_answer(&refid, &answer, now_ms())
                        .await
                        .expect("recorded");
                }
            })
            .await;
            let what = format!("{name}: admit + record ({callers} callers)");
            println!("{what:<44} {:>8} {rate:>10.0}", per * callers);
        }
        let (j, up) = (journal.clone(), upstream.clone());
        let rate = run(CALLERS, per, move |t, k| {
            let (j, up) = (j.clone(), up.clone());
            async move {
                let refid = format!("G-{t}-{k}");
                let a = j
                    .admit(order(&refid, k), &limits(), now_ms())
                    .await
                    .expect("admitted");
                let req = CreateTransactionRequest {
                    kode_produk: "XDA1".into(),
                    nomor_tujuan: a.number,
                    refid: a.refid,
                };
                let answer = up.create(&req).await;
                j.record_answer(&refid, &answer, now_ms())
                    .await
                    .expect("recorded");
            }
        })
        .await;
        let what = format!("{name}: admit + create + record (16 callers)");
        println!("{what:<44} {:>8} {rate:>10.0}", per * CALLERS);
        journal.close().await;
    }
    sandbox.shutdown().await;
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", file.display()));
    }
}
