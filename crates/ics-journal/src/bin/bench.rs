//! Journal throughput: orders admitted (write-ahead) and their answer recorded, per second,
//! on SQLite (a temp file, WAL, synchronous=FULL) and on a throwaway PostgreSQL (fsync on),
//! sequentially and with concurrent callers. No upstream: this is the journal's own cost
//! per order. Run: `cargo run -p ics-journal --bin ics-journal-bench -- [ORDERS]`.

use ics_journal::testing::{postgres_bin, TempPostgres};
use ics_journal::{now_ms, Journal, Limits, NewOrder};
use ics_reseller::CreateTransactionResponse;
use std::time::Instant;
use tokio::task::JoinSet;

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
    println!(
        "{:<10} {:>11} {:>8} {:>10}",
        "backend", "concurrency", "orders", "orders/s"
    );
    for (name, url, _pg) in &targets {
        let journal = Journal::open(url).await.expect("journal opens");
        for (round, concurrency) in [1usize, 16].into_iter().enumerate() {
            let per = n / concurrency;
            let start = Instant::now();
            let mut set = JoinSet::new();
            for t in 0..concurrency {
                let j = journal.clone();
                set.spawn(async move {
                    for k in 0..per {
                        let refid = format!("B{round}-{t}-{k}");
                        let order = NewOrder {
                            refid: refid.clone(),
                            product: "XDA1".into(),
                            number: format!("0812{:08}", (t * per + k) % 100_000_000),
                            price_bound: 5_000,
                            token_id: format!("tok-{refid}"),
                            client_ip_hash: "bench".into(),
                        };
                        let limits = Limits {
                            daily_cap: i64::MAX / 4,
                            per_number_per_hour: 1_000,
                            ..Limits::default()
                        };
                        j.admit(order, &limits, now_ms()).await.expect("admitted");
                        let answer = Ok(CreateTransactionResponse {
                            success: true,
                            pending: true,
                            message: "Pesanan diterima, sedang diproses.".into(),
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
                });
            }
            while let Some(r) = set.join_next().await {
                r.expect("bench task");
            }
            let secs = start.elapsed().as_secs_f64();
            let done = per * concurrency;
            println!(
                "{name:<10} {concurrency:>11} {done:>8} {:>10.0}",
                done as f64 / secs
            );
        }
        journal.close().await;
    }
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", file.display()));
    }
}
