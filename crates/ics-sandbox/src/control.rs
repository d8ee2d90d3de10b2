//! The test controls under `/__sandbox/`, a prefix the API (`/?action=`) can never use.
//!
//! With faults enabled (the default): `faults` (GET lists, POST arms, DELETE clears),
//! `state?key=KEY` (balance, ledger, orders, webhook deliveries), `reset`, `info`.
//! Always: `webhook-receiver` (POST records a delivery) and `webhooks` (GET lists, DELETE
//! clears), so the default webhook of the `verified` account works even with `--no-faults`.
//! With faults enabled, `requests` (GET lists, DELETE clears) shows the request line of
//! every call to `/` exactly as it arrived, before the `/NAME/..` normalisation, so
//! generated clients can be checked against upstream's form.

use crate::api::{self, App};
use crate::faults::FaultSpec;
use crate::sim::TEST_NUMBERS;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The `/__sandbox` routes.
pub fn router(app: &App) -> Router<Arc<App>> {
    let mut r = Router::new()
        .route("/webhook-receiver", post(receive))
        .route("/webhooks", get(list_webhooks).delete(clear_webhooks));
    if app.config.faults {
        r = r
            .route("/faults", get(list_faults).post(arm_fault).delete(clear_faults))
            .route("/state", get(state))
            .route("/reset", post(reset))
            .route("/requests", get(list_requests).delete(clear_requests))
            .route("/info", get(info));
    }
    r.fallback(|| async { api::error(404, "no such /__sandbox route") })
        .layer(axum::middleware::from_fn_with_state(
            app.config.cors_origins.clone(),
            same_origin_only,
        ))
}

/// Whether a request to the controls comes from a page of another site: a `Sec-Fetch-Site`
/// other than `same-origin`/`none`, or an `Origin` whose host is not the request's `Host`.
/// Origins listed exactly in `--cors-origin` (a test page on another port) are allowed;
/// `*` does not count.
pub fn cross_site(headers: &HeaderMap, allowed: &[String]) -> bool {
    let origin = headers.get("origin").and_then(|v| v.to_str().ok());
    if let Some(o) = origin {
        if allowed.iter().any(|a| a != "*" && a == o) {
            return false;
        }
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site != "same-origin" && site != "none" {
            return true;
        }
    }
    match origin {
        None => false,
        Some(o) => {
            let host = headers.get("host").and_then(|v| v.to_str().ok()).unwrap_or("");
            let o_host = o
                .strip_prefix("http://")
                .or_else(|| o.strip_prefix("https://"))
                .unwrap_or("\0");
            host.is_empty() || !o_host.eq_ignore_ascii_case(host)
        }
    }
}

async fn same_origin_only(
    State(allowed): State<Vec<String>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if cross_site(req.headers(), &allowed) {
        return api::error(403, "the /__sandbox controls answer same-origin requests only");
    }
    next.run(req).await
}

/// Whether a query parameter name would reach PHP as `apikey` or is a spelling of it:
/// percent- and `+`-decoded, cut at a NUL or `[`, then only its letters and digits, lower
/// case (`api%6Bey`, ` apikey`, `apikey[]`, `api.key`, `API_KEY`…).
pub fn names_the_key(raw_name: &str) -> bool {
    let decoded: String = form_urlencoded::parse(format!("{raw_name}=").as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_else(|| raw_name.to_owned());
    let cut = decoded.split(['\0', '[']).next().unwrap_or("");
    let squashed: String = cut
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    squashed == "apikey"
}

/// A request target with the value of every parameter that [`names_the_key`] replaced by
/// `***`.
pub fn redact_target(target: &str) -> String {
    let Some((path, query)) = target.split_once('?') else {
        return target.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|p| {
            let name = p.split_once('=').map(|(n, _)| n).unwrap_or(p);
            if names_the_key(name) {
                format!("{name}=***")
            } else {
                p.to_owned()
            }
        })
        .collect();
    format!("{path}?{}", parts.join("&"))
}

async fn receive(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    let event = headers
        .get("x-sandbox-event")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let id = app.inbox.push(event, &body);
    api::json(200, &json!({"ok": true, "id": id, "message": "webhook diterima"}))
}

#[derive(Deserialize)]
struct RefidQuery {
    refid: Option<String>,
}

async fn list_webhooks(State(app): State<Arc<App>>, Query(q): Query<RefidQuery>) -> Response {
    api::json(200, &json!({"deliveries": app.inbox.list(q.refid.as_deref())}))
}

async fn clear_webhooks(State(app): State<Arc<App>>) -> Response {
    app.inbox.clear();
    api::json(200, &json!({"ok": true}))
}

async fn list_faults(State(app): State<Arc<App>>) -> Response {
    api::json(200, &json!({"faults": app.faults.list()}))
}

async fn arm_fault(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let spec: FaultSpec = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return api::error(400, format!("fault body: {e}")),
    };
    match app.faults.arm(spec) {
        Ok(armed) => api::json(
            200,
            &json!({"ok": true, "armed": armed, "faults": app.faults.list()}),
        ),
        Err(e) => api::error(400, e),
    }
}

async fn clear_faults(State(app): State<Arc<App>>) -> Response {
    let cleared = app.faults.clear();
    api::json(200, &json!({"ok": true, "cleared": cleared}))
}

#[derive(Deserialize)]
struct KeyQuery {
    key: Option<String>,
}

async fn state(State(app): State<Arc<App>>, Query(q): Query<KeyQuery>) -> Response {
    match q.key {
        Some(key) => match app.sim.account(&key) {
            Some(acct) => api::json(200, &app.sim.state(acct)),
            None => api::error(404, "no account has this key"),
        },
        None => {
            let all: Vec<Value> = app.sim.accounts().iter().map(|a| app.sim.state(a)).collect();
            api::json(200, &json!({"accounts": all}))
        }
    }
}

async fn reset(State(app): State<Arc<App>>) -> Response {
    app.sim.reset();
    app.faults.clear();
    app.inbox.clear();
    app.requests.clear();
    api::json(200, &json!({"ok": true}))
}

/// What the sandbox is running with, without the keys.
pub fn info_value(app: &App) -> Value {
    let accounts: Vec<Value> = app
        .sim
        .accounts()
        .iter()
        .map(|a| {
            json!({
                "name": a.config.name,
                "kodereseller": a.config.kodereseller,
                "verif": a.config.verif,
                "active": a.config.active,
                "saldo_awal": a.config.saldo,
                "webhook_url": a.webhook_url,
            })
        })
        .collect();
    let numbers: Vec<Value> = TEST_NUMBERS
        .iter()
        .map(|(suffix, scenario, what)| json!({"suffix": suffix, "scenario": scenario, "what": what}))
        .collect();
    json!({
        "url": app.base_url,
        "version": env!("CARGO_PKG_VERSION"),
        "settle_ms": app.config.settle_ms,
        "markup": {"flat": app.config.markup.flat, "percent": app.config.markup.percent},
        "accounts": accounts,
        "test_numbers": numbers,
    })
}

async fn info(State(app): State<Arc<App>>) -> Response {
    api::json(200, &info_value(&app))
}

/// The request target of a request as it arrived, put in its extensions by the accept loop
/// before the path is normalised.
#[derive(Clone, Debug)]
pub struct ReceivedTarget(pub String);

/// The last [`RequestLog::CAPACITY`] request lines of calls to `/`, oldest first.
#[derive(Debug, Default)]
pub struct RequestLog(Mutex<VecDeque<Value>>);

impl RequestLog {
    /// How many request lines are kept.
    pub const CAPACITY: usize = 1000;

    /// Records one request line, with the value of an `apikey` query parameter, under any
    /// spelling PHP would read as one ([`redact_target`]), replaced by `***` (the key never
    /// lands in a log, even one kept for tests).
    pub fn push(&self, method: &str, target: &str) {
        let target = redact_target(target);
        let mut log = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() == Self::CAPACITY {
            log.pop_front();
        }
        log.push_back(json!({"method": method, "target": target}));
    }

    /// Every recorded request line, oldest first.
    pub fn list(&self) -> Vec<Value> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    /// Forgets them.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

async fn list_requests(State(app): State<Arc<App>>) -> Response {
    api::json(200, &json!({"requests": app.requests.list()}))
}

async fn clear_requests(State(app): State<Arc<App>>) -> Response {
    app.requests.clear();
    api::json(200, &json!({"ok": true}))
}

#[cfg(test)]
mod tests {
    use super::RequestLog;

    #[test]
    fn the_request_log_never_keeps_a_key() {
        let log = RequestLog::default();
        log.push("GET", "/?action=ping&apikey=sk_test_verified&x=1");
        log.push("GET", "/?APIKEY=sk_test_verified");
        let text = serde_json::to_string(&log.list()).unwrap();
        assert!(!text.contains("sk_test_verified"), "{text}");
        assert!(text.contains("/?action=ping&apikey=***&x=1"), "{text}");
        for name in [
            "api%6Bey",
            "%20apikey",
            "+apikey",
            "apikey[]",
            "apikey%5B%5D",
            "api.key",
            "API_KEY",
            "apikey%00x",
            "%61%70%69%6b%65%79",
        ] {
            log.push("GET", &format!("/?action=ping&{name}=sk_test_verified&x=1"));
            let text = serde_json::to_string(&log.list()).unwrap();
            assert!(!text.contains("sk_test_verified"), "{name}: {text}");
        }
        assert!(
            super::names_the_key("apikey")
                && !super::names_the_key("apikeys")
                && !super::names_the_key("key")
        );
    }

    #[test]
    fn cross_site_requests_to_the_controls_are_recognised() {
        use axum::http::HeaderMap;
        let h = |pairs: &[(&'static str, &'static str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, v.parse().unwrap());
            }
            m
        };
        let allowed = vec!["*".to_owned(), "http://127.0.0.1:9".to_owned()];
        assert!(!super::cross_site(&h(&[("host", "127.0.0.1:8")]), &allowed));
        assert!(!super::cross_site(
            &h(&[("host", "127.0.0.1:8"), ("origin", "http://127.0.0.1:8")]),
            &allowed
        ));
        assert!(super::cross_site(
            &h(&[("host", "127.0.0.1:8"), ("origin", "http://evil.test")]),
            &allowed
        ));
        assert!(super::cross_site(
            &h(&[("host", "127.0.0.1:8"), ("sec-fetch-site", "cross-site")]),
            &allowed
        ));
        assert!(super::cross_site(
            &h(&[("host", "127.0.0.1:8"), ("origin", "null")]),
            &allowed
        ));
        assert!(!super::cross_site(
            &h(&[
                ("host", "127.0.0.1:8"),
                ("origin", "http://127.0.0.1:9"),
                ("sec-fetch-site", "same-site")
            ]),
            &allowed
        ));
    }
}
