//! Events to the shop: when an order turns final, an event row is written in the same
//! transaction (the outbox); a [`Deliverer`] POSTs each one to the shop's URL as JSON,
//! signed `X-ICS-Signature: sha256=<hex HMAC-SHA256 of the body>`, with its id in
//! `X-ICS-Delivery`, retried with backoff until the shop answers 2xx: at least once, so
//! the shop deduplicates by the delivery id.

use crate::journal::{now_ms, Journal, JournalError};
use crate::reconcile::StopHandle;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::Row;
use std::fmt;
use std::time::Duration;

/// Header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "X-ICS-Signature";
/// Header carrying the event's id (the same on every attempt).
pub const DELIVERY_HEADER: &str = "X-ICS-Delivery";

/// `sha256=<hex>` of HMAC-SHA256(secret, body).
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks a `sha256=<hex>` signature of `body` in constant time.
pub fn verify(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// Where and how events go.
#[derive(Clone)]
pub struct DelivererConfig {
    /// The shop's URL.
    pub url: String,
    /// The signing secret, shared with the shop.
    pub secret: Vec<u8>,
    /// First retry delay (ms); doubles per attempt.
    pub first_retry_ms: i64,
    /// Longest retry delay (ms).
    pub max_retry_ms: i64,
    /// Timeout of one POST.
    pub timeout: Duration,
    /// Sleep when nothing is due.
    pub poll: Duration,
    /// Most events claimed at once.
    pub batch: i64,
}

impl fmt::Debug for DelivererConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DelivererConfig")
            .field("url", &self.url)
            .field("secret", &"***")
            .finish_non_exhaustive()
    }
}

impl DelivererConfig {
    /// Defaults: retries from 1 s up to 10 min, 10 s per POST.
    pub fn new(url: impl Into<String>, secret: impl Into<Vec<u8>>) -> DelivererConfig {
        DelivererConfig {
            url: url.into(),
            secret: secret.into(),
            first_retry_ms: 1_000,
            max_retry_ms: 600_000,
            timeout: Duration::from_secs(10),
            poll: Duration::from_millis(500),
            batch: 32,
        }
    }
}

/// One event in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Delivery id.
    pub id: String,
    /// The order's refid.
    pub refid: String,
    /// The JSON body sent.
    pub body: String,
    /// Attempts made.
    pub attempts: i64,
    /// Delivered at (ms), once the shop answered 2xx.
    pub delivered_at: Option<i64>,
    /// Last failure.
    pub last_error: Option<String>,
}

/// POSTs the outbox to the shop.
#[derive(Clone, Debug)]
pub struct Deliverer {
    journal: Journal,
    http: reqwest::Client,
    config: std::sync::Arc<DelivererConfig>,
}

impl Deliverer {
    /// A deliverer for this journal.
    pub fn new(journal: Journal, config: DelivererConfig) -> Result<Deliverer, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(config.timeout)
            .build()?;
        Ok(Deliverer {
            journal,
            http,
            config: std::sync::Arc::new(config),
        })
    }

    /// Runs [`Deliverer::run_once`] in a loop until stopped.
    pub fn spawn(self) -> StopHandle {
        let poll = self.config.poll;
        StopHandle::spawn(
            "event delivery pass",
            move || {
                let me = self.clone();
                async move { me.run_once(now_ms()).await }
            },
            poll,
        )
    }

    /// Claims the events due at `now`, POSTs each once; returns how many were attempted.
    pub async fn run_once(&self, now: i64) -> Result<usize, JournalError> {
        // The lease covers the whole batch (POSTed one after the other), so no other
        // instance re-sends an event while this one is still on its way.
        let batch = self.config.batch.max(1);
        let lease = now + self.config.timeout.as_millis() as i64 * (batch + 1) + 1000;
        let lock = self
            .journal
            .for_update()
            .replace("FOR UPDATE", "FOR UPDATE SKIP LOCKED");
        let rows = sqlx::query(&format!(
            "UPDATE journal_events SET lease_until = $1 WHERE id IN (SELECT id FROM journal_events \
             WHERE delivered_at IS NULL AND next_attempt_at <= $2 AND (lease_until IS NULL OR lease_until <= $2) \
             ORDER BY next_attempt_at LIMIT $3{lock}) RETURNING id, body, attempts"
        ))
        .bind(lease)
        .bind(now)
        .bind(batch)
        .fetch_all(self.journal.pool())
        .await?;
        let n = rows.len();
        for row in rows {
            let id: String = row.try_get("id")?;
            let body: String = row.try_get("body")?;
            let attempts: i64 = row.try_get("attempts")?;
            let outcome = self
                .http
                .post(&self.config.url)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, sign(&self.config.secret, body.as_bytes()))
                .header(DELIVERY_HEADER, &id)
                .body(body)
                .send()
                .await;
            let error = match outcome {
                Ok(r) if r.status().is_success() => None,
                Ok(r) => Some(format!("HTTP {}", r.status().as_u16())),
                Err(e) => Some(e.without_url().to_string()),
            };
            let at = now_ms();
            match error {
                None => {
                    sqlx::query(
                        "UPDATE journal_events SET delivered_at = $1, attempts = attempts + 1, \
                         lease_until = NULL, last_error = NULL WHERE id = $2",
                    )
                    .bind(at)
                    .bind(&id)
                    .execute(self.journal.pool())
                    .await?;
                }
                Some(err) => {
                    let shift = attempts.clamp(0, 20) as u32;
                    let wait = self
                        .config
                        .first_retry_ms
                        .saturating_mul(1i64 << shift)
                        .min(self.config.max_retry_ms)
                        .max(1);
                    sqlx::query(
                        "UPDATE journal_events SET attempts = attempts + 1, next_attempt_at = $1, \
                         lease_until = NULL, last_error = $2 WHERE id = $3",
                    )
                    .bind(at + wait)
                    .bind(err)
                    .bind(&id)
                    .execute(self.journal.pool())
                    .await?;
                }
            }
        }
        Ok(n)
    }
}

impl Journal {
    /// Every event in the outbox, oldest first.
    pub async fn events(&self) -> Result<Vec<Event>, JournalError> {
        let rows = sqlx::query(
            "SELECT id, refid, body, attempts, delivered_at, last_error FROM journal_events \
             ORDER BY created_at, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Event {
                    id: r.try_get("id")?,
                    refid: r.try_get("refid")?,
                    body: r.try_get("body")?,
                    attempts: r.try_get("attempts")?,
                    delivered_at: r.try_get("delivered_at")?,
                    last_error: r.try_get("last_error")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(JournalError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_forgeries_do_not() {
        let s = sign(b"secret", b"{\"a\":1}");
        assert!(s.starts_with("sha256=") && s.len() == 7 + 64);
        assert!(verify(b"secret", b"{\"a\":1}", &s));
        assert!(!verify(b"secret", b"{\"a\":2}", &s));
        assert!(!verify(b"other", b"{\"a\":1}", &s));
        assert!(!verify(b"secret", b"{\"a\":1}", &s[7..]));
        assert!(!verify(b"secret", b"{\"a\":1}", "sha256=zz"));
    }
}
