//! ics-gateway: the production backend a storefront deploys in front of the ICS-Store
//! Reseller API. It keeps the API key, lets the browser run only an allow-list of actions
//! (each parsed into the core's typed request and re-encoded, so nothing of the browser's
//! request reaches the upstream as sent), authorises orders with signed order tokens,
//! limits abuse, signs operators in to the back-office, and serves the storefront.
//!
//! - [`config`]: the TOML file, defaults, secrets from the environment.
//! - [`params`]: strict query/body parsing against PHP's name-mangling rules.
//! - [`server`]: routes and handlers, the order path, static files.
//! - [`journal`]: the durable order journal (`ics-journal`, SQLite or PostgreSQL): admission
//!   under exact limits written ahead of every order, the background reconciler, shop events.
//! - [`auth`]: argon2id operators, sessions, sign-in throttling.
//! - [`scrub`]: the key cut out of everything bound for the browser.
//! - [`metrics`]: Prometheus metrics. [`error`]: the gateway's JSON errors.
//!
//! ```no_run
//! # async fn run() -> Result<(), String> {
//! let mut config = ics_gateway::Config::default();
//! config.upstream = "http://127.0.0.1:8080".into();
//! config.secrets_from_env(); // ICS_GATEWAY_KEY, ICS_GATEWAY_ORDER_SECRET
//! let gw = ics_gateway::serve(config).await?;
//! println!("ICS_GATEWAY_URL={}", gw.url());
//! gw.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod auth;
pub mod config;
pub mod error;
pub mod journal;
pub mod metrics;
pub mod params;
pub mod scrub;
pub mod server;

pub use config::{Config, Limits, Operator, Secret};

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A running gateway. Dropping it stops the server (without waiting).
pub struct Gateway {
    addr: SocketAddr,
    url: String,
    app: Arc<server::App>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    background: Option<journal::Background>,
}

/// Starts a gateway on `config.listen`: opens the order journal (`config.database`, running
/// its migrations), starts the reconciler (and the events deliverer), then serves.
pub async fn serve(config: Config) -> Result<Gateway, String> {
    config.validate()?;
    let journal = journal::open(&config).await?;
    let listen = config.listen;
    let app = Arc::new(server::App::new(config, journal)?);
    let background = journal::Background::start(&app.config, &app.journal, app.journal_upstream.clone())?;
    if app.config.open_orders {
        tracing::warn!(
            daily_spend_cap = app.config.limits.daily_spend_cap,
            "OPEN ORDERS: createTransaction needs no order token (demo only!); anyone can spend up to the daily cap"
        );
    }
    let router = server::router(app.clone())?;
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| format!("listen {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let shown = if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    };
    let url = format!("http://{shown}");
    let (stop, mut stopped) = watch::channel(false);
    let sweeper = app.clone();
    let mut sweep_stop = stopped.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(30)) => sweeper.sweep(),
                _ = sweep_stop.changed() => break,
            }
        }
    });
    let task = tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<SocketAddr>();
        let _ = axum::serve(listener, service)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await;
    });
    Ok(Gateway {
        addr,
        url,
        app,
        stop,
        task: Some(task),
        background: Some(background),
    })
}

impl Gateway {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The shared state (configuration, journal, metrics).
    pub fn app(&self) -> &Arc<server::App> {
        &self.app
    }

    /// Stops accepting, lets open requests finish, stops the reconciler and the events
    /// deliverer, closes the journal; returns when stopped.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        if let Some(b) = self.background.take() {
            b.stop().await;
        }
        self.app.journal.close().await;
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(b) = self.background.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(b.stop());
            }
        }
    }
}
