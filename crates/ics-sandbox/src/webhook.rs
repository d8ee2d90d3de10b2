//! Webhooks, both ways: delivering an order's state to an account's URL (API.md rule 8: the
//! checkTransaction body shape as JSON, on create and on every status change), and the
//! built-in receiver at `POST /__sandbox/webhook-receiver` that records what it gets.

use crate::clock;
use crate::sim::lock;
use serde::Serialize;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// How long one delivery may take.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of the receiver's reply resubmitWebhook returns (in characters).
pub const RESPONSE_CHARS: usize = 500;

/// A delivery waiting in an account's queue.
#[derive(Debug)]
pub struct Outgoing {
    /// Where to POST.
    pub url: String,
    /// The order.
    pub refid: String,
    /// Its status at the time of the change.
    pub status: String,
    /// `create` or `status`.
    pub event: &'static str,
    /// The checkTransaction body.
    pub payload: Value,
}

/// One delivery made by the sandbox.
#[derive(Clone, Debug, Serialize)]
pub struct SentWebhook {
    /// When it was sent.
    pub at: String,
    /// `create`, `status` or `resubmit`.
    pub event: String,
    /// The order.
    pub refid: String,
    /// Status carried by the payload.
    pub status: String,
    /// The URL.
    pub url: String,
    /// HTTP status of the receiver's answer, when there was one.
    pub http_status: Option<u16>,
    /// The transport error, when there was no answer.
    pub error: Option<String>,
    /// The receiver's reply, cut to 500 characters.
    pub response: String,
}

/// An account's delivery log.
pub type SentLog = Arc<Mutex<Vec<SentWebhook>>>;

/// The first `n` characters of `s`.
pub fn cut_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// POSTs `payload` as JSON to `url`; the receiver's status and reply (cut to 500
/// characters), or the transport error.
pub async fn post(
    http: &reqwest::Client,
    url: &str,
    event: &str,
    payload: &Value,
) -> Result<(u16, String), String> {
    let resp = http
        .post(url)
        .header("Content-Type", "application/json")
        .header("X-Sandbox-Event", event)
        .body(payload.to_string())
        .timeout(DELIVERY_TIMEOUT)
        .send()
        .await
        .map_err(|e| error_chain(&e))?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|e| error_chain(&e))?;
    Ok((status, cut_chars(&text, RESPONSE_CHARS)))
}

/// An error with its sources, on one line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Records one delivery's outcome in `log`.
pub fn record(
    log: &SentLog,
    event: &str,
    refid: &str,
    status: &str,
    url: &str,
    result: &Result<(u16, String), String>,
) {
    let (http_status, error, response) = match result {
        Ok((s, r)) => (Some(*s), None, r.clone()),
        Err(e) => (None, Some(e.clone()), String::new()),
    };
    lock(log).push(SentWebhook {
        at: clock::now(),
        event: event.to_owned(),
        refid: refid.to_owned(),
        status: status.to_owned(),
        url: url.to_owned(),
        http_status,
        error,
        response,
    });
}

/// Starts an account's delivery worker: deliveries go out one at a time, in queue order.
/// It ends when the queue's sender (held by the account) is dropped.
pub fn spawn_worker(http: reqwest::Client, log: SentLog) -> mpsc::UnboundedSender<Outgoing> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Outgoing>();
    if let Ok(handle) = tokio::runtime::Handle::try_current() {
        handle.spawn(async move {
            while let Some(o) = rx.recv().await {
                let result = post(&http, &o.url, o.event, &o.payload).await;
                record(&log, o.event, &o.refid, &o.status, &o.url, &result);
            }
        });
    }
    tx
}

/// One request received by the built-in receiver.
#[derive(Clone, Debug, Serialize)]
pub struct Received {
    /// Sequence number, from 1.
    pub id: u64,
    /// When it arrived.
    pub received_at: String,
    /// The `X-Sandbox-Event` header (`create`, `status`, `resubmit`), if any.
    pub event: Option<String>,
    /// The body, parsed when it is JSON, else as a string.
    pub body: Value,
}

/// The built-in receiver's log.
#[derive(Debug, Default)]
pub struct Inbox {
    received: Mutex<Vec<Received>>,
}

impl Inbox {
    /// Records a delivery; returns its id.
    pub fn push(&self, event: Option<String>, body: &[u8]) -> u64 {
        let body = serde_json::from_slice(body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()));
        let mut r = lock(&self.received);
        let id = r.len() as u64 + 1;
        r.push(Received {
            id,
            received_at: clock::now(),
            event,
            body,
        });
        id
    }

    /// Every delivery received, oldest first; only those of `refid` when given.
    pub fn list(&self, refid: Option<&str>) -> Vec<Received> {
        lock(&self.received)
            .iter()
            .filter(|r| refid.is_none_or(|want| r.body.get("refid").and_then(Value::as_str) == Some(want)))
            .cloned()
            .collect()
    }

    /// Forgets every delivery.
    pub fn clear(&self) {
        lock(&self.received).clear();
    }
}
