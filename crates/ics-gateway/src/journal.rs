//! The gateway's order journal (`ics-journal`): opened from `config.database` (SQLite by
//! default, PostgreSQL for several instances), the one source of truth for the order
//! limits (refid once, token once, per-number hourly limit, daily spend cap) — admitted in
//! one transaction, written ahead of every forwarded createTransaction. The background
//! reconciler and the shop-events deliverer run beside the server and stop with it.
//!
//! Crash points (`crash-points` feature, tests only): `ICS_GATEWAY_CRASH_AT` names a point
//! of the order path where the process aborts, as a `kill -9` would stop it.

use crate::config::Config;
use crate::scrub::Scrubber;
use async_trait::async_trait;
use ics_journal::events::{Deliverer, DelivererConfig};
use ics_journal::{Journal, JournalOptions, Reconciler, ReconcilerConfig, StopHandle, Upstream};
use ics_reseller::actions::{CheckTransaction, CreateTransaction, ListProducts};
use ics_reseller::{CheckTransactionResponse, CreateTransactionRequest, CreateTransactionResponse, Error};
use std::sync::Arc;
use std::time::Duration;

/// Environment variable naming the crash point (only with the `crash-points` feature).
pub const CRASH_ENV: &str = "ICS_GATEWAY_CRASH_AT";

/// Aborts the process here when `ICS_GATEWAY_CRASH_AT` names this point (`crash-points`
/// feature only; a no-op otherwise).
#[inline]
pub fn crash_point(name: &str) {
    #[cfg(feature = "crash-points")]
    if std::env::var(CRASH_ENV).is_ok_and(|v| v == name) {
        eprintln!("crash point {name}: aborting");
        std::process::abort();
    }
    #[cfg(not(feature = "crash-points"))]
    let _ = name;
}

/// With `crash-points`, the delay (ms) after which the `after_forward` point aborts while
/// createTransaction is in flight (`ICS_GATEWAY_CRASH_AFTER_MS`, default 300).
pub fn crash_in_flight_ms() -> Option<u64> {
    #[cfg(feature = "crash-points")]
    if std::env::var(CRASH_ENV).is_ok_and(|v| v == "after_forward") {
        return Some(
            std::env::var("ICS_GATEWAY_CRASH_AFTER_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(300),
        );
    }
    None
}

/// The upstream as the reconciler and the webhook intake see it: the gateway's own client
/// (same key, TLS roots, timeout, no redirects), one attempt per call; the answers' texts
/// are scrubbed of the key before the journal records them.
#[derive(Clone, Debug)]
pub struct GatewayUpstream {
    /// The gateway's upstream client.
    pub client: ics_reseller_client::Client,
    /// Cuts the key out of the answers.
    pub scrub: Scrubber,
}

#[async_trait]
impl Upstream for GatewayUpstream {
    async fn check(&self, refid: &str) -> Result<CheckTransactionResponse, Error> {
        let req = ics_reseller::RefIdRequest {
            refid: refid.to_owned(),
        };
        let r = self.client.call_once::<CheckTransaction>(req, &[]).await;
        r.map(|r| self.scrub.check_answer(r))
    }

    async fn create(&self, req: &CreateTransactionRequest) -> Result<CreateTransactionResponse, Error> {
        let r = self.client.call_once::<CreateTransaction>(req.clone(), &[]).await;
        r.map(|r| self.scrub.create_answer(r))
    }

    /// Read fresh (not the order path's price cache): a reconciler's re-send is rare, and
    /// must fit the bound at the price of now.
    async fn price(&self, product: &str) -> Result<Option<i64>, Error> {
        let req = ics_journal::upstream::price_request();
        let list = self.client.call_once::<ListProducts>(req, &[]).await?;
        Ok(ics_journal::upstream::ready_price(&list, product))
    }
}

/// The journal's limits from the configuration.
pub fn limits(config: &Config) -> ics_journal::Limits {
    ics_journal::Limits {
        daily_cap: config.limits.daily_spend_cap,
        per_number_per_hour: config.limits.orders_per_number_per_hour,
        utc_offset_secs: config.limits.day_utc_offset_s,
    }
}

/// Opens the journal of `config.database` (migrations run here).
pub async fn open(config: &Config) -> Result<Journal, String> {
    let r = &config.reconcile;
    let options = JournalOptions {
        forward_grace_ms: r.grace_ms,
        first_check_ms: r.first_check_ms,
        max_check_ms: r.max_check_ms,
        ..JournalOptions::default()
    };
    Journal::open_with(config.database.expose(), options)
        .await
        .map_err(|e| format!("order journal: {e}"))
}

/// This instance's name: `config.instance`, or host name and process id.
pub fn instance_name(config: &Config) -> String {
    config.instance.clone().unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_owned())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "gateway".into());
        format!("{host}-{}", std::process::id())
    })
}

/// The background loops; [`Background::stop`] waits for both.
#[derive(Debug)]
pub struct Background {
    reconciler: StopHandle,
    deliverer: Option<StopHandle>,
}

impl Background {
    /// Starts the reconciler (and the deliverer when `events_url` is set).
    pub fn start(
        config: &Config,
        journal: &Journal,
        upstream: Arc<dyn Upstream>,
    ) -> Result<Background, String> {
        let r = &config.reconcile;
        let reconciler = Reconciler::new(
            journal.clone(),
            upstream,
            ReconcilerConfig {
                owner: instance_name(config),
                // One check, one price lookup and one re-send fit in a claim.
                lease_ms: (config.upstream_timeout_ms as i64) * 3 + 5_000,
                poll: Duration::from_millis(r.poll_ms),
                max_resends: r.max_resends,
                ..ReconcilerConfig::default()
            },
        )
        .spawn();
        let deliverer = match (&config.events_url, &config.events_secret) {
            (Some(url), Some(secret)) => {
                let mut dc = DelivererConfig::new(url.clone(), secret.expose().as_bytes().to_vec());
                dc.first_retry_ms = r.events_first_retry_ms;
                dc.poll = Duration::from_millis(r.poll_ms);
                Some(
                    Deliverer::new(journal.clone(), dc)
                        .map_err(|e| format!("events: {e}"))?
                        .spawn(),
                )
            }
            _ => None,
        };
        Ok(Background {
            reconciler,
            deliverer,
        })
    }

    /// Stops both loops (the batch under way finishes first).
    pub async fn stop(self) {
        self.reconciler.stop().await;
        if let Some(d) = self.deliverer {
            d.stop().await;
        }
    }
}
