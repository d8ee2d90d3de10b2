//! Gateway bench: throughput and p50/p99 of reads and of authorised orders through the
//! gateway next to the same calls made directly to the sandbox (no journal), in one run;
//! orders through a gateway journalling on SQLite (a temp file, fsync on) and, when
//! PostgreSQL is installed, through a second gateway on a throwaway PostgreSQL (fsync on,
//! `ics_journal::testing::TempPostgres`); plus the
//! process's memory with 2,000 open connections to the gateway. Everything runs in this
//! one process on 127.0.0.1 (sandbox, gateway, load), so the figures compare the two paths
//! rather than measure a deployment. No timing is asserted anywhere.
//!
//! `cargo run -p ics-gateway --example bench [--release] -- [READS] [ORDERS] [CONNS]`

use ics_gateway::{Config, Limits, Secret};
use ics_reseller::token::{sign_order, OrderGrant};
use ics_reseller::{CreateTransactionRequest, ListProductsRequest, ProductType};
use ics_reseller_client::Client;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "sk_test_verified";
const SECRET: &str = "bench-order-secret-0123456789abcdef";
const CONCURRENCY: usize = 32;

struct Row {
    what: String,
    n: usize,
    secs: f64,
    lat: Vec<Duration>,
}

impl Row {
    fn pct(&self, p: f64) -> f64 {
        let i = ((self.lat.len() as f64 - 1.0) * p).round() as usize;
        self.lat[i].as_secs_f64() * 1000.0
    }
}

/// Runs `n` calls of `f(i)` with [`CONCURRENCY`] in flight; latencies sorted.
async fn run<F, Fut>(what: &str, n: usize, f: F) -> Row
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let f = f.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break;
                }
                let t = Instant::now();
                assert!(f(i).await, "call {i} failed");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.expect("task"));
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort();
    Row {
        what: what.to_owned(),
        n,
        secs,
        lat,
    }
}

fn rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let reads = args.first().copied().unwrap_or(2_000);
    let orders = args.get(1).copied().unwrap_or(1_000);
    let conns = args.get(2).copied().unwrap_or(2_000);

    let mut sc = ics_sandbox::Config {
        bind: "127.0.0.1:0".parse().expect("addr"),
        settle_ms: 50,
        ..Default::default()
    };
    for a in &mut sc.accounts {
        if a.key == KEY {
            a.saldo = 1_000_000_000_000;
        }
    }
    let sandbox = ics_sandbox::serve(sc).await.expect("sandbox");
    let sqlite = std::env::temp_dir().join(format!("ics-gateway-bench-{}.db", std::process::id()));
    let config = |database: String| Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database: Secret(database),
        upstream: sandbox.url().to_owned(),
        api_key: Some(Secret(KEY.into())),
        order_secret: Some(Secret(SECRET.into())),
        limits: Limits {
            per_ip_per_second: 1_000_000,
            per_ip_burst: 1_000_000,
            orders_per_number_per_hour: 1_000_000,
            daily_spend_cap: i64::MAX / 4,
            // The bench holds 2,000 idle keep-alive connections open at once.
            max_connections: 10_000,
            header_read_timeout_ms: 600_000,
            ..Limits::default()
        },
        ..Config::default()
    };
    let gw = ics_gateway::serve(config(format!("sqlite://{}", sqlite.display())))
        .await
        .expect("gateway");
    let pg = ics_journal::testing::TempPostgres::start(true)
        .map_err(|e| eprintln!("no PostgreSQL row: {e}"))
        .ok();
    let gw_pg = match &pg {
        Some(pg) => Some(
            ics_gateway::serve(config(pg.url().to_owned()))
                .await
                .expect("gateway"),
        ),
        None => None,
    };

    let direct = Client::builder(sandbox.url())
        .api_key(Some(KEY))
        .use_system_proxy(false)
        .build()
        .expect("client");
    let through = Client::builder(format!("{}/gateway", gw.url()))
        .use_system_proxy(false)
        .build()
        .expect("client");
    let list = || ListProductsRequest {
        product_type: ProductType::Xla,
        providers: None,
    };
    let order = |tag: &str, i: usize| CreateTransactionRequest {
        kode_produk: "XDA1".into(),
        nomor_tujuan: format!("0813{:06}11", i % 1_000_000),
        refid: format!("BENCH-{tag}-{i}"),
    };

    let mut rows = Vec::new();
    let c = direct.clone();
    rows.push(
        run("listProducts, direct to the sandbox", reads, move |_| {
            let c = c.clone();
            async move { c.list_products(list()).await.is_ok() }
        })
        .await,
    );
    let c = through.clone();
    rows.push(
        run("listProducts, through the gateway", reads, move |_| {
            let c = c.clone();
            async move { c.list_products(list()).await.is_ok() }
        })
        .await,
    );
    let c = direct.clone();
    rows.push(
        run("createTransaction, direct to the sandbox", orders, move |i| {
            let c = c.clone();
            async move { c.create_transaction(order("D", i)).await.is_ok() }
        })
        .await,
    );
    let mut targets = vec![("SQLite", "S", through.clone())];
    if let Some(g) = &gw_pg {
        let c = Client::builder(format!("{}/gateway", g.url()))
            .use_system_proxy(false)
            .build()
            .expect("client");
        targets.push(("PostgreSQL", "P", c));
    }
    for (db, tag, c) in targets {
        rows.push(
            run(
                &format!("createTransaction + token, through the gateway, journal on {db}"),
                orders,
                move |i| {
                    let c = c.clone();
                    async move {
                        let req = order(tag, i);
                        let token = sign_order(
                            SECRET.as_bytes(),
                            &OrderGrant {
                                kode_produk: req.kode_produk.clone(),
                                nomor_tujuan: req.nomor_tujuan.clone(),
                                refid: req.refid.clone(),
                                max_price: 3_000,
                                expires_at: now_s() + 600,
                            },
                        )
                        .expect("sign");
                        c.create_transaction_with(req, Some(&token)).await.is_ok()
                    }
                },
            )
            .await,
        );
    }

    println!("| call ({CONCURRENCY} in flight) | n | calls/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} |",
            r.what,
            r.n,
            r.n as f64 / r.secs,
            r.pct(0.5),
            r.pct(0.99)
        );
    }

    // Memory with `conns` open keep-alive connections, each having made one request.
    let before = rss_kib();
    let mut open = Vec::with_capacity(conns);
    for _ in 0..conns {
        let mut s = tokio::net::TcpStream::connect(gw.addr()).await.expect("connect");
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
            .await
            .expect("write");
        let mut buf = [0u8; 256];
        let _ = s.read(&mut buf).await.expect("read");
        open.push(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = rss_kib();
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "\nmemory: RSS {} KiB before, {} KiB with {conns} open connections to the gateway (+{} KiB, {:.1} KiB per connection, both ends in this process)",
            b,
            a,
            a.saturating_sub(b),
            a.saturating_sub(b) as f64 / conns as f64
        );
    }
    drop(open);
    gw.shutdown().await;
    if let Some(g) = gw_pg {
        g.shutdown().await;
    }
    drop(pg);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", sqlite.display()));
    }
    sandbox.shutdown().await;
}
