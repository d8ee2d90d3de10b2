//! A local stand-in for the ICS-Store Reseller API, over real HTTP.
//!
//! - [`api`]: the simulation at `/?action=NAME`, routed through the core's actions table
//!   (`with_action!` + one [`api::Simulate`] impl per action).
//! - [`sim`]: accounts, balances, orders, the ledger, test numbers and settlement.
//! - [`catalog`]: products of all four types, the global markup.
//! - [`webhook`]: deliveries to an account's webhook URL and the built-in receiver.
//! - [`faults`]: injected latency, 5xx pages, dropped connections, malformed JSON, PHP values.
//! - [`control`]: the `/__sandbox/` test controls.
//! - [`server`]: routing, CORS, static files and the accept loop.
//! - [`config`]: defaults, the config file, environment variables and flags (clap).
//!
//! Run it in-process:
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let config = ics_sandbox::Config {
//!     bind: "127.0.0.1:0".parse().unwrap(),
//!     settle_ms: 20,
//!     ..Default::default()
//! };
//! let sandbox = ics_sandbox::serve(config).await?;
//! println!("{}", sandbox.url()); // http://127.0.0.1:PORT
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod api;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod control;
pub mod faults;
pub mod server;
pub mod sim;
pub mod webhook;

pub use config::{AccountConfig, Config, Flags, Markup, WebhookTarget};
pub use sim::{Scenario, TEST_NUMBERS};

use api::App;
use faults::Faults;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use webhook::Inbox;

/// A running sandbox. Dropping it stops the server too (without waiting); prefer
/// [`Sandbox::shutdown`], which waits until every connection is closed.
pub struct Sandbox {
    addr: SocketAddr,
    url: String,
    app: Arc<App>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

/// Starts a sandbox on `config.bind` (port 0 picks a free one) in the current tokio
/// runtime. Returns once it is listening.
pub async fn serve(config: Config) -> io::Result<Sandbox> {
    Sandbox::start(config).await
}

/// The client of webhook deliveries (no proxy: they go to the reseller's own URL).
fn webhook_client() -> io::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("ics-sandbox/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .no_proxy()
        .build()
        .map_err(io::Error::other)
}

impl Sandbox {
    /// See [`serve`].
    pub async fn start(config: Config) -> io::Result<Sandbox> {
        config
            .validate()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let shown = if addr.ip().is_unspecified() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        } else {
            addr
        };
        let url = format!("http://{shown}");
        let (stop, stopped) = watch::channel(false);
        let webhook_http = webhook_client()?;
        let app = Arc::new(App {
            sim: sim::Sim::new(&config, &url, webhook_http.clone(), stopped.clone()),
            faults: Faults::default(),
            inbox: Inbox::default(),
            requests: Default::default(),
            base_url: url.clone(),
            webhook_http,
            config,
        });
        let router = server::router(app.clone());
        let keep_alive = !app.config.faults;
        let task = tokio::spawn(server::accept_loop(listener, router, stopped, keep_alive));
        Ok(Sandbox {
            addr,
            url,
            app,
            stop,
            task: Some(task),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &Config {
        &self.app.config
    }

    /// Stops accepting, lets open connections finish (at most two seconds), and returns
    /// when the server has stopped.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// The human summary printed at start: URLs, keys, test numbers.
    pub fn summary(&self) -> String {
        use std::fmt::Write;
        let c = &self.app.config;
        let u = &self.url;
        let mut s = String::new();
        let _ = writeln!(s, "ics-sandbox {} listening on {u}", env!("CARGO_PKG_VERSION"));
        let _ = writeln!(
            s,
            "\nAPI        {u}/?action=NAME   (X-API-Key header or apikey query)"
        );
        if c.faults {
            let _ = writeln!(
                s,
                "controls   {u}/__sandbox/faults | state?key=KEY | reset | info | webhooks | webhook-receiver"
            );
        } else {
            let _ = writeln!(
                s,
                "controls   off (--no-faults); {u}/__sandbox/webhooks and webhook-receiver stay"
            );
        }
        if let Some(w) = &c.www {
            let _ = writeln!(s, "www        {u}/  <- {}", w.display());
        }
        if let Some(p) = &c.pkg {
            let _ = writeln!(s, "pkg        {u}/pkg/  <- {}", p.display());
        }
        let _ = writeln!(s, "CORS       {}", c.cors_origins.join(", "));
        let _ = writeln!(
            s,
            "markup     +{}% +{} rupiah   settle {} ms",
            c.markup.percent, c.markup.flat, c.settle_ms
        );
        let _ = writeln!(s, "\nAccounts:");
        for a in self.app.sim.accounts() {
            let what = match (a.config.active, a.config.verif) {
                (false, _) => "inactive (403)",
                (true, true) => "verified",
                (true, false) => "unverified",
            };
            let _ = writeln!(
                s,
                "  {:<20} {}  {:<15} saldo {:>9}  webhook {}",
                a.config.key,
                a.config.kodereseller,
                what,
                a.config.saldo,
                a.webhook_url.as_deref().unwrap_or("-")
            );
        }
        let _ = writeln!(s, "\nTest numbers (last four digits of any valid 08… number):");
        for (suffix, _, what) in TEST_NUMBERS {
            let label = match suffix {
                "other" => "other".to_owned(),
                digits => format!("…{digits}"),
            };
            let _ = writeln!(s, "  {label:<7} {what}");
        }
        s
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
