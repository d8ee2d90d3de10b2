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
//! - [`metrics`]: Prometheus metrics, served on their own listener (`metrics_listen`)
//!   only. [`error`]: the gateway's JSON errors.
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
    metrics_url: Option<String>,
    app: Arc<server::App>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    metrics_task: Option<JoinHandle<()>>,
    background: Option<journal::Background>,
}

/// Starts a gateway on `config.listen` (and its metrics on `config.metrics_listen`, when
/// set): opens the order journal (`config.database`, running its migrations), starts the
/// reconciler (and the events deliverer), then serves.
pub async fn serve(config: Config) -> Result<Gateway, String> {
    config.validate()?;
    let journal = journal::open(&config).await?;
    let listen = config.listen;
    let app = Arc::new(server::App::new(config, journal)?);
    let background = journal::Background::start(&app.config, &app.journal, app.journal_upstream.clone())?;
    if app.config.open_orders {
        tracing::warn!(
            daily_spend_cap = app.config.limits.daily_spend_cap,
            "OPEN ORDERS: createTransaction and checkTransaction need no order token (demo only!); anyone can spend up to the daily cap and read any order"
        );
    }
    let router = server::router(app.clone())?;
    let (listener, url) = bind(listen, "listen").await?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let metrics = match app.config.metrics_listen {
        Some(m) => Some(bind(m, "metrics_listen").await?),
        None => None,
    };
    let (stop, stopped) = watch::channel(false);
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
    let conn = ConnLimits::of(&app.config);
    let (metrics_url, metrics_task) = match metrics {
        Some((l, u)) => {
            let router = server::metrics_router(app.clone());
            let task = tokio::spawn(accept_loop(l, router, conn, stopped.clone()));
            (Some(format!("{u}/metrics")), Some(task))
        }
        None => (None, None),
    };
    let task = tokio::spawn(accept_loop(listener, router, conn, stopped));
    Ok(Gateway {
        addr,
        url,
        metrics_url,
        app,
        stop,
        task: Some(task),
        metrics_task,
        background: Some(background),
    })
}

/// Binds `addr` (the setting `what`); the listener and its base URL (`http://IP:PORT`, an
/// unspecified address shown as 127.0.0.1).
async fn bind(addr: SocketAddr, what: &str) -> Result<(TcpListener, String), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("{what} {addr}: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    let shown = if bound.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), bound.port())
    } else {
        bound
    };
    Ok((listener, format!("http://{shown}")))
}

/// What bounds each connection: how long its request headers may take, and how many
/// connections are open at once.
#[derive(Clone, Copy, Debug)]
struct ConnLimits {
    header_read_timeout: Duration,
    max_connections: usize,
}

impl ConnLimits {
    fn of(config: &Config) -> ConnLimits {
        ConnLimits {
            header_read_timeout: Duration::from_millis(config.limits.header_read_timeout_ms.max(1)),
            max_connections: config.limits.max_connections.max(1),
        }
    }
}

/// Accepts connections until `stopped`, each served by hyper's HTTP/1 with a header read
/// timeout (a client that does not finish its request headers in time is disconnected;
/// also an idle keep-alive connection) and at most `max_connections` open at once (past
/// that, new connections wait in the listen backlog). On stop, open connections finish
/// their request in flight and close; returns when all are closed.
async fn accept_loop(
    listener: TcpListener,
    router: axum::Router,
    limits: ConnLimits,
    mut stopped: watch::Receiver<bool>,
) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = stop_signal(&mut stopped) => break,
        };
        let (stream, peer) = tokio::select! {
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept: pause, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop_signal(&mut stopped) => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            router.clone().oneshot(req)
        });
        let conn = http.serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Resolves once `stopped` holds `true`.
async fn stop_signal(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
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

    /// The metrics URL on the metrics listener, `http://127.0.0.1:PORT/metrics`; `None`
    /// without `metrics_listen` (no metrics are served).
    pub fn metrics_url(&self) -> Option<&str> {
        self.metrics_url.as_deref()
    }

    /// The shared state (configuration, journal, metrics).
    pub fn app(&self) -> &Arc<server::App> {
        &self.app
    }

    /// Stops accepting, lets open requests finish, stops the reconciler and the events
    /// deliverer, closes the journal; returns when stopped.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in [self.task.take(), self.metrics_task.take()].into_iter().flatten() {
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
