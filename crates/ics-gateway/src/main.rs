//! The `ics-gateway` binary: `ics-gateway [FLAGS]` serves; `ics-gateway hash-password`
//! hashes a password read from stdin; `ics-gateway sign-order …` signs an order token with
//! `ICS_GATEWAY_ORDER_SECRET`. The first stdout line is `ICS_GATEWAY_URL=http://…` (then
//! `ICS_GATEWAY_METRICS_URL=http://…/metrics` with `--metrics-listen`); logs are JSON
//! lines on stderr.

use clap::{Parser, Subcommand};
use ics_gateway::config::{url_has_password, Config, DATABASE_ENV, ORDER_SECRET_ENV};
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// The production gateway in front of the ICS-Store Reseller API.
#[derive(Parser, Debug)]
#[command(name = "ics-gateway", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// TOML config file (every field optional; flags override it).
    #[arg(long, env = "ICS_GATEWAY_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "ICS_GATEWAY_LISTEN")]
    listen: Option<SocketAddr>,
    /// Serve GET /metrics (Prometheus) on this second address, e.g. 127.0.0.1:9464; never
    /// on the public one. Default: no metrics served.
    #[arg(long, env = "ICS_GATEWAY_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Base URL of the upstream API.
    #[arg(long, env = "ICS_GATEWAY_UPSTREAM")]
    upstream: Option<String>,
    /// PEM CA certificate to trust for an HTTPS upstream.
    #[arg(long, env = "ICS_GATEWAY_UPSTREAM_CA")]
    upstream_ca: Option<PathBuf>,
    /// Demo only: createTransaction without an order token (limits still apply).
    #[arg(long)]
    open_orders: bool,
    /// Mount POST /gateway/demo/pay (simulated payment returning an order token).
    #[arg(long)]
    demo_payments: bool,
    /// An exact origin allowed cross-origin (repeatable). Default: same-origin only.
    #[arg(long = "allow-origin")]
    allow_origin: Vec<String>,
    /// Serve this folder at `/`.
    #[arg(long = "static")]
    static_dir: Option<PathBuf>,
    /// Serve this folder at `/pkg/`.
    #[arg(long)]
    pkg: Option<PathBuf>,
    /// Read the client IP from X-Forwarded-For and the scheme from X-Forwarded-Proto.
    #[arg(long)]
    trust_proxy: bool,
    /// Always mark the session cookie Secure.
    #[arg(long)]
    secure_cookies: bool,
    /// Daily spend cap in rupiah (sum of the orders' price bounds).
    #[arg(long)]
    daily_spend_cap: Option<i64>,
    /// The order journal: sqlite://PATH (default sqlite://ics-gateway.db) or postgres://…
    /// (several instances). Also ICS_GATEWAY_DATABASE.
    #[arg(long)]
    database: Option<String>,
    /// This instance's name in the journal (default: host name and process id).
    #[arg(long, env = "ICS_GATEWAY_INSTANCE")]
    instance: Option<String>,
    /// Path of the upstream's webhook intake (default /gateway/webhook).
    #[arg(long)]
    webhook_path: Option<String>,
    /// The shop's URL receiving signed order.final events (secret: ICS_GATEWAY_EVENTS_SECRET).
    #[arg(long, env = "ICS_GATEWAY_EVENTS_URL")]
    events_url: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Hash a password (read from stdin, one line) with argon2id for `[[operators]]`.
    HashPassword,
    /// Sign an order token with ICS_GATEWAY_ORDER_SECRET; prints the token.
    SignOrder {
        /// Product code.
        #[arg(long)]
        kode_produk: String,
        /// Destination number.
        #[arg(long)]
        nomor_tujuan: String,
        /// The refid the order must use.
        #[arg(long)]
        refid: String,
        /// Highest price accepted, in rupiah.
        #[arg(long)]
        max_price: i64,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 900)]
        ttl_seconds: i64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::HashPassword) => {
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).is_err() {
                eprintln!("could not read the password from stdin");
                return ExitCode::FAILURE;
            }
            let pw = line.trim_end_matches(['\r', '\n']);
            if pw.is_empty() {
                eprintln!("empty password");
                return ExitCode::FAILURE;
            }
            match ics_gateway::auth::hash_password(pw) {
                Ok(h) => {
                    println!("{h}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
        Some(Command::SignOrder {
            kode_produk,
            nomor_tujuan,
            refid,
            max_price,
            ttl_seconds,
        }) => {
            let Ok(secret) = std::env::var(ORDER_SECRET_ENV) else {
                eprintln!("set {ORDER_SECRET_ENV}");
                return ExitCode::FAILURE;
            };
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            let grant = ics_reseller::token::OrderGrant {
                kode_produk,
                nomor_tujuan,
                refid,
                max_price,
                expires_at: now + ttl_seconds,
            };
            match ics_reseller::token::sign_order(secret.as_bytes(), &grant) {
                Ok(t) => {
                    println!("{t}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            }
        }
        None => serve(cli),
    }
}

fn serve(cli: Cli) -> ExitCode {
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ICS_GATEWAY_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let mut config = match &cli.config {
        Some(p) => match Config::from_file(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("config: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => Config::default(),
    };
    config.secrets_from_env();
    if let Some(l) = cli.listen {
        config.listen = l;
    }
    if cli.metrics_listen.is_some() {
        config.metrics_listen = cli.metrics_listen;
    }
    if let Some(u) = cli.upstream {
        config.upstream = u;
    }
    if let Some(ca) = cli.upstream_ca {
        config.upstream_ca = Some(ca);
    }
    config.open_orders |= cli.open_orders;
    config.demo_payments |= cli.demo_payments;
    config.allow_origins.extend(cli.allow_origin);
    if cli.static_dir.is_some() {
        config.static_dir = cli.static_dir;
    }
    if cli.pkg.is_some() {
        config.pkg = cli.pkg;
    }
    config.trust_proxy |= cli.trust_proxy;
    config.secure_cookies |= cli.secure_cookies;
    if let Some(cap) = cli.daily_spend_cap {
        config.limits.daily_spend_cap = cap;
    }
    if let Some(d) = cli.database {
        if url_has_password(&d) {
            // Never echoed: the URL holds the password.
            eprintln!(
                "--database carries a password, which every user of this machine can read in \
                 `ps`: give the URL in {DATABASE_ENV} or as `database` in the config file"
            );
            return ExitCode::FAILURE;
        }
        config.database = ics_gateway::Secret(d);
    }
    if cli.instance.is_some() {
        config.instance = cli.instance;
    }
    if let Some(p) = cli.webhook_path {
        config.webhook_path = p;
    }
    if cli.events_url.is_some() {
        config.events_url = cli.events_url;
    }
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        // Signal handlers first: a signal sent as soon as the URL line is read must stop
        // the gateway gracefully, not kill it.
        let signals = match Signals::install() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("signal handlers: {e}");
                return ExitCode::FAILURE;
            }
        };
        let gw = match ics_gateway::serve(config).await {
            Ok(g) => g,
            Err(e) => {
                eprintln!("ics-gateway: {e}");
                return ExitCode::FAILURE;
            }
        };
        {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "ICS_GATEWAY_URL={}", gw.url());
            if let Some(m) = gw.metrics_url() {
                let _ = writeln!(out, "ICS_GATEWAY_METRICS_URL={m}");
            }
            let _ = out.flush();
        }
        tracing::info!(url = gw.url(), metrics = gw.metrics_url(), "listening");
        signals.wait().await;
        tracing::info!("shutting down");
        gw.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// SIGTERM and SIGINT (Ctrl+C), listened to from before the URL is printed.
struct Signals {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                term: signal(SignalKind::terminate())?,
                int: signal(SignalKind::interrupt())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Signals {})
        }
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.term.recv() => {}
                _ = self.int.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
