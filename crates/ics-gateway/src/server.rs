//! Routing and the handlers: the public `/gateway/`, the signed-in `/gateway/backoffice/`,
//! `/gateway/auth/*`, `/gateway/demo/pay`, `/healthz` and the static files; `/metrics` on
//! its own listener only ([`metrics_router`]), never on the public one.

use crate::auth::{self, Auth, LoginError};
use crate::config::{AllowLists, Config};
use crate::error::GwError;
use crate::journal::{crash_in_flight_ms, crash_point};
use crate::metrics::Metrics;
use crate::params;
use crate::scrub::Scrubber;
use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ics_journal::{Journal, NewOrder, OrderState, Refusal, Upstream};
use ics_reseller::actions::{self, Action};
use ics_reseller::token::{sign_order, token_id, verify_grant, verify_order, OrderGrant};
use ics_reseller::{ActionKind, CreateTransactionRequest, Error, ListProductsRequest, ProductType};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Header carrying the order token.
pub const ORDER_TOKEN_HEADER: &str = "x-order-token";
/// Lifetime of a token from the demo payment route, in seconds.
pub const DEMO_TOKEN_TTL_S: i64 = 15 * 60;

/// Live prices of the products ready to order, read briefly cached.
#[derive(Debug, Default)]
struct PriceCache {
    read_at: Option<Instant>,
    prices: HashMap<String, i64>,
}

/// Everything a handler needs.
pub struct App {
    /// The configuration.
    pub config: Config,
    /// The resolved allow-lists.
    pub allow: AllowLists,
    /// The upstream client (holds the key).
    pub upstream: ics_reseller_client::Client,
    /// Cuts the key out of answers and logs.
    pub scrub: Scrubber,
    /// The order-token secret.
    pub secret: Option<Vec<u8>>,
    /// The order journal: admits orders (the limits' one source of truth) and records
    /// every answer.
    pub journal: Journal,
    /// The journal's limits.
    pub journal_limits: ics_journal::Limits,
    /// The upstream as the reconciler and the webhook intake call it.
    pub journal_upstream: Arc<dyn Upstream>,
    ip_key: Vec<u8>,
    /// Back-office sign-in.
    pub auth: Auth,
    /// Prometheus metrics.
    pub metrics: Metrics,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    /// Bounds the password verifications running at once (each holds 19 MiB).
    login_slots: Arc<tokio::sync::Semaphore>,
    login_running: std::sync::atomic::AtomicUsize,
    login_peak: std::sync::atomic::AtomicUsize,
    prices: Mutex<PriceCache>,
    price_flight: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("upstream", &self.upstream)
            .finish_non_exhaustive()
    }
}

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl App {
    /// Builds the shared state; fails on a bad configuration.
    pub fn new(config: Config, journal: Journal) -> Result<App, String> {
        let allow = config.validate()?;
        let key = config.api_key.clone().ok_or("no API key")?;
        let mut b = ics_reseller_client::Client::builder(config.upstream.clone())
            .api_key(Some(key.expose()))
            .timeout(Duration::from_millis(config.upstream_timeout_ms))
            .retry(ics_reseller::RetryPolicy::NEVER)
            .user_agent(concat!("ics-gateway/", env!("CARGO_PKG_VERSION")));
        if let Some(ca) = &config.upstream_ca {
            let pem = std::fs::read(ca).map_err(|e| format!("{}: {e}", ca.display()))?;
            b = b.add_root_certificate_pem(&pem);
        }
        let upstream = b.build().map_err(|e| format!("upstream client: {e}"))?;
        let l = &config.limits;
        let quota = Quota::per_second(NonZeroU32::new(l.per_ip_per_second).ok_or("per_ip_per_second")?)
            .allow_burst(NonZeroU32::new(l.per_ip_burst).ok_or("per_ip_burst")?);
        let auth = Auth::new(
            config.operators.clone(),
            Duration::from_secs(config.session_ttl_s),
            l.login_per_ip_per_minute,
            l.login_per_user_per_minute,
        );
        let mut ip_key = vec![0u8; 32];
        getrandom::getrandom(&mut ip_key).map_err(|e| format!("random: {e}"))?;
        if let Some(s) = &config.order_secret {
            // Stable across restarts and instances, useless without the secret.
            ip_key = format!("ics-gateway ip hash\0{}", s.expose()).into_bytes();
        }
        Ok(App {
            journal_limits: crate::journal::limits(&config),
            journal_upstream: Arc::new(crate::journal::GatewayUpstream {
                client: upstream.clone(),
                scrub: Scrubber::new(key.expose()),
            }),
            journal,
            ip_key,
            scrub: Scrubber::new(key.expose()),
            secret: config
                .order_secret
                .as_ref()
                .map(|s| s.expose().as_bytes().to_vec()),
            allow,
            upstream,
            auth,
            metrics: Metrics::new(),
            per_ip: RateLimiter::keyed(quota),
            login_slots: Arc::new(tokio::sync::Semaphore::new(config.limits.login_slots())),
            login_running: Default::default(),
            login_peak: Default::default(),
            prices: Mutex::new(PriceCache::default()),
            price_flight: tokio::sync::Mutex::new(()),
            config,
        })
    }

    /// The most password verifications that have run at once since the start (at most
    /// [`crate::config::Limits::login_slots`]).
    pub fn login_peak(&self) -> usize {
        self.login_peak.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Drops idle limiter entries and expired sessions.
    pub fn sweep(&self) {
        self.per_ip.retain_recent();
        self.auth.sweep();
    }

    async fn call<A: Action>(&self, req: A::Request) -> Result<A::Response, Error> {
        let start = Instant::now();
        let r = self.upstream.call_once::<A>(req, &[]).await;
        self.metrics
            .upstream
            .get_or_create(&crate::metrics::ActionLabels { action: A::NAME })
            .observe(start.elapsed().as_secs_f64());
        r
    }

    /// The live `harga_final` of a product ready to order (`None`: not orderable).
    /// The live price of a product that can be ordered now: a 409 `product_unavailable`
    /// when it is not, the upstream's failure as a response to relay (inner `Err`).
    async fn orderable_price(&self, code: &str) -> Result<Result<i64, Response>, GwError> {
        match self.live_price(code).await {
            Ok(Some(p)) => Ok(Ok(p)),
            Ok(None) => Err(GwError::new(
                StatusCode::CONFLICT,
                "product_unavailable",
                format!("{code} is not available to order"),
            )),
            Err(resp) => Ok(Err(resp)),
        }
    }

    async fn live_price(&self, code: &str) -> Result<Option<i64>, Response> {
        let ttl = Duration::from_millis(self.config.price_cache_ms);
        let cached = |c: &PriceCache| match c.read_at {
            Some(t) if t.elapsed() < ttl => Some(c.prices.get(code).copied()),
            _ => None,
        };
        if let Some(p) = cached(&self.prices.lock().unwrap_or_else(|p| p.into_inner())) {
            return Ok(p);
        }
        let _one = self.price_flight.lock().await;
        if let Some(p) = cached(&self.prices.lock().unwrap_or_else(|p| p.into_inner())) {
            return Ok(p);
        }
        let list = self
            .call::<actions::ListProducts>(ListProductsRequest {
                product_type: ProductType::All,
                providers: None,
            })
            .await
            .map_err(|e| self.upstream_error(e).0)?;
        let prices: HashMap<String, i64> = list
            .data
            .ready
            .iter()
            .map(|p| (p.kode_produk.clone(), p.harga_final))
            .collect();
        let mut c = self.prices.lock().unwrap_or_else(|p| p.into_inner());
        c.prices = prices;
        c.read_at = Some(Instant::now());
        Ok(c.prices.get(code).copied())
    }

    /// A JSON answer with the key scrubbed out.
    fn json(&self, status: StatusCode, mut v: Value, retry_after_ms: Option<u64>) -> Response {
        self.scrub.value(&mut v);
        let bytes = self.scrub.bytes(v.to_string().as_bytes());
        let mut r = Response::new(Body::from(bytes));
        *r.status_mut() = status;
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Some(ms) = retry_after_ms {
            let s = ms.div_ceil(1000).max(1);
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }

    fn gw(&self, e: GwError) -> (Response, &'static str) {
        let code = e.code;
        let ra = e.retry_after_s.map(|s| s * 1000);
        (self.json(e.status, e.body(), ra), code)
    }

    /// The answer for an upstream success.
    fn upstream_ok<T: serde::Serialize>(&self, resp: &T) -> (Response, &'static str) {
        match serde_json::to_value(resp) {
            Ok(v) => (self.json(StatusCode::OK, v, None), "ok"),
            Err(_) => self.gw(GwError::new(
                StatusCode::BAD_GATEWAY,
                "upstream_bad_answer",
                "unreadable answer",
            )),
        }
    }

    /// The gateway's answer for an upstream failure: the status class kept (so a client's
    /// retry and reconciliation rules hold), the upstream's text never relayed raw.
    fn upstream_error(&self, e: Error) -> (Response, &'static str) {
        let class5 = |s: u16| match s {
            503 => StatusCode::SERVICE_UNAVAILABLE,
            504 => StatusCode::GATEWAY_TIMEOUT,
            _ => StatusCode::BAD_GATEWAY,
        };
        let err = |status: StatusCode, code: &'static str, msg: &str, ra: Option<u64>| {
            (self.json(status, json!({"error": msg, "code": code}), ra), code)
        };
        match e {
            Error::Rejected {
                status,
                body,
                retry_after_ms,
            } => {
                let mut v = serde_json::to_value(&*body).unwrap_or_else(|_| json!({"error": "rejected"}));
                if let Value::Object(m) = &mut v {
                    m.entry("code").or_insert(json!("rejected"));
                }
                let (st, ra) = match status {
                    429 => (
                        StatusCode::TOO_MANY_REQUESTS,
                        Some(retry_after_ms.unwrap_or(1000)),
                    ),
                    s if s >= 500 => (class5(s), retry_after_ms),
                    s if (300..400).contains(&s) => (StatusCode::BAD_GATEWAY, None),
                    s => (StatusCode::from_u16(s).unwrap_or(StatusCode::BAD_GATEWAY), None),
                };
                (self.json(st, v, ra), "rejected")
            }
            Error::NotFound { message } => {
                let m = message.unwrap_or_else(|| "not found".into());
                (
                    self.json(
                        StatusCode::NOT_FOUND,
                        json!({"error": m, "code": "not_found"}),
                        None,
                    ),
                    "not_found",
                )
            }
            Error::Forbidden { .. } => err(
                StatusCode::FORBIDDEN,
                "upstream_forbidden",
                "the upstream refused the reseller account (inactive)",
                None,
            ),
            Error::Unauthorized { .. } => err(
                StatusCode::BAD_GATEWAY,
                "upstream_unauthorized",
                "the upstream refused the gateway's API key",
                None,
            ),
            Error::HttpStatus {
                status,
                retry_after_ms,
                ..
            } => match status {
                429 => err(
                    StatusCode::TOO_MANY_REQUESTS,
                    "upstream_busy",
                    "the upstream asks to slow down",
                    Some(retry_after_ms.unwrap_or(1000)),
                ),
                s if s >= 500 => err(class5(s), "upstream_error", "the upstream failed", retry_after_ms),
                s if (300..400).contains(&s) => err(
                    StatusCode::BAD_GATEWAY,
                    "upstream_redirect",
                    "the upstream answered with a redirect, which the gateway never follows",
                    None,
                ),
                _ => err(
                    StatusCode::BAD_GATEWAY,
                    "upstream_status",
                    "unexpected upstream status",
                    None,
                ),
            },
            Error::Decode { status, .. } => err(
                if status >= 500 {
                    class5(status)
                } else {
                    StatusCode::BAD_GATEWAY
                },
                "upstream_bad_answer",
                "the upstream's answer was unreadable",
                None,
            ),
            Error::Network { .. } => err(
                StatusCode::BAD_GATEWAY,
                "upstream_unreachable",
                "the upstream could not be reached or dropped the connection",
                None,
            ),
            Error::Timeout { .. } => err(
                StatusCode::GATEWAY_TIMEOUT,
                "upstream_timeout",
                "the upstream did not answer in time",
                None,
            ),
            Error::InvalidInput(i) => {
                let m = format!("{}: {}", i.field, i.reason);
                err(StatusCode::BAD_REQUEST, "invalid_input", &m, None)
            }
            _ => err(
                StatusCode::BAD_GATEWAY,
                "upstream_error",
                "the upstream failed",
                None,
            ),
        }
    }
}

/// The client's IP: the peer, or with `trust_proxy` the last `X-Forwarded-For` entry (the
/// one the proxy appended; `ip`, `ip:port` or `[v6]:port`). When that entry is not an
/// address the peer is used: never an earlier entry, which the client wrote.
fn client_ip(app: &App, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    if !app.config.trust_proxy {
        return peer.ip();
    }
    let Some(last) = headers.get_all("x-forwarded-for").iter().next_back() else {
        return peer.ip();
    };
    last.to_str()
        .ok()
        .and_then(|v| v.rsplit(',').next())
        .and_then(forwarded_ip)
        .unwrap_or_else(|| peer.ip())
}

/// One `X-Forwarded-For` entry as an address: `ip`, `ip:port`, `[v6]` or `[v6]:port`.
fn forwarded_ip(entry: &str) -> Option<IpAddr> {
    let e = entry.trim();
    e.parse::<IpAddr>()
        .ok()
        .or_else(|| e.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            e.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|v6| v6.parse::<std::net::Ipv6Addr>().ok())
                .map(IpAddr::V6)
        })
}

/// Whether the request came over HTTPS (directly never: TLS ends at the proxy).
fn over_https(app: &App, headers: &HeaderMap) -> bool {
    app.config.secure_cookies
        || (app.config.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("https")))
}

/// Refuses a cross-site state-changing request unless its origin is allowed.
fn check_same_origin(app: &App, headers: &HeaderMap) -> Result<(), GwError> {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if let Some(o) = origin {
        if app.config.allow_origins.iter().any(|a| a == o) {
            return Ok(());
        }
    }
    let refused = || {
        GwError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "cross-site requests are refused",
        )
    };
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !(site == "same-origin" || site == "none") {
            return Err(refused());
        }
    }
    if let Some(o) = origin {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let o_host = o
            .strip_prefix("http://")
            .or_else(|| o.strip_prefix("https://"))
            .unwrap_or("\0");
        if host.is_empty() || !o_host.eq_ignore_ascii_case(host) {
            return Err(refused());
        }
    }
    Ok(())
}

fn limit_ip(app: &App, ip: IpAddr) -> Result<(), GwError> {
    use governor::clock::{Clock, DefaultClock};
    app.per_ip.check_key(&auth::rate_key(ip)).map_err(|e| {
        app.metrics.limit("per_ip");
        let wait = e.wait_time_from(DefaultClock::default().now()).as_secs() + 1;
        GwError::limited("rate_limited", "too many requests from this address", wait)
    })
}

/// Reads a JSON body: 415 unless `application/json`, 413 over the size limit, 408 when it
/// takes longer than `limits.body_read_timeout_ms`.
async fn json_body(app: &App, headers: &HeaderMap, body: Body) -> Result<axum::body::Bytes, GwError> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    if !params::is_json(ct) {
        return Err(GwError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "json_only",
            "only Content-Type: application/json is accepted",
        ));
    }
    let read = to_bytes(body, app.config.body_limit);
    let within = Duration::from_millis(app.config.limits.body_read_timeout_ms.max(1));
    match tokio::time::timeout(within, read).await {
        Ok(r) => r.map_err(|_| {
            GwError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "request body too large",
            )
        }),
        Err(_) => Err(GwError::new(
            StatusCode::REQUEST_TIMEOUT,
            "body_timeout",
            "the request body did not arrive in time",
        )),
    }
}

/// Which allow-list a route uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Public,
    Backoffice,
}

impl Route {
    fn label(self) -> &'static str {
        match self {
            Route::Public => "public",
            Route::Backoffice => "backoffice",
        }
    }
}

async fn public(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    api(app, Route::Public, peer, req).await
}

async fn backoffice(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    api(app, Route::Backoffice, peer, req).await
}

async fn api(app: Arc<App>, route: Route, peer: SocketAddr, req: Request) -> Response {
    let start = Instant::now();
    let (action, (resp, outcome)) = match api_inner(&app, route, peer, req).await {
        Ok((action, r)) => (action, r),
        Err((action, e)) => (action, app.gw(e)),
    };
    app.metrics.request(route.label(), action, outcome);
    tracing::info!(
        route = route.label(),
        action,
        status = resp.status().as_u16(),
        outcome,
        ms = start.elapsed().as_millis() as u64,
        "request"
    );
    resp
}

type Handled = Result<(&'static str, (Response, &'static str)), (&'static str, GwError)>;

async fn api_inner(app: &Arc<App>, route: Route, peer: SocketAddr, req: Request) -> Handled {
    let (parts, body) = req.into_parts();
    let ip = client_ip(app, &parts.headers, peer);
    let no = |e| ("-", e);
    if route == Route::Backoffice {
        let cookie = parts.headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
        if auth::cookie_session(cookie)
            .and_then(|id| app.auth.session(id))
            .is_none()
        {
            return Err(no(GwError::new(
                StatusCode::UNAUTHORIZED,
                "not_signed_in",
                "the back-office needs a signed-in operator",
            )));
        }
    } else {
        limit_ip(app, ip).map_err(no)?;
    }
    let method = match parts.method {
        Method::GET => ics_reseller::Method::Get,
        Method::POST => ics_reseller::Method::Post,
        _ => {
            return Err(no(GwError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "only GET and POST",
            )))
        }
    };
    let body = if method == ics_reseller::Method::Post {
        check_same_origin(app, &parts.headers).map_err(no)?;
        Some(json_body(app, &parts.headers, body).await.map_err(no)?)
    } else {
        None
    };
    let query = params::query_params(parts.uri.query()).map_err(no)?;
    let kind = params::action_of(&query).map_err(no)?;
    let allow = match route {
        Route::Public => &app.allow.public,
        Route::Backoffice => &app.allow.backoffice,
    };
    let name = kind.name();
    if !allow.contains(&kind) {
        return Err((
            name,
            GwError::new(
                StatusCode::FORBIDDEN,
                "action_not_allowed",
                format!("action {name} is not allowed here"),
            ),
        ));
    }
    if !kind.methods().contains(&method) {
        return Err((
            name,
            GwError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{name} takes {}", kind.method().as_str()),
            ),
        ));
    }
    if method == ics_reseller::Method::Post && query.len() != 1 {
        return Err((
            name,
            GwError::bad_request(
                "query_on_post",
                "a POST carries only ?action=NAME; parameters go in the JSON body",
            ),
        ));
    }
    if kind == ActionKind::CreateTransaction {
        let req = params::from_body::<actions::CreateTransaction>(body.as_deref().unwrap_or(b""))
            .map_err(|e| (name, e))?;
        // The order runs in its own task: a client that disconnects mid-order cannot cancel
        // it between forwarding and recording the answer.
        let (app, headers) = (app.clone(), parts.headers.clone());
        let task = tokio::spawn(async move { order(&app, ip, &headers, req).await });
        return match task.await {
            Ok(r) => Ok((name, r)),
            Err(_) => Err((
                name,
                GwError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the order task failed",
                ),
            )),
        };
    }
    if kind == ActionKind::CheckTransaction && route == Route::Public {
        return check(app, &parts.headers, &query, body.as_deref())
            .await
            .map(|r| (name, r))
            .map_err(|e| (name, e));
    }
    let r = ics_reseller::with_action!(kind, A => forward::<A>(app, &query, body.as_deref()).await);
    r.map(|r| (name, r)).map_err(|e| (name, e))
}

/// The public checkTransaction: answered only to whoever holds the order — its token (the
/// one the shop's backend signed for this refid, expired or not) in `X-Order-Token` —
/// unless the gateway runs with `open_orders`. The answer names the customer's number,
/// product, price and status, and refids from other channels are often sequential: without
/// this, anyone could read any order and enumerate the shop's sales. Nothing is sent
/// upstream for a refused check. Signed-in operators check any order on the back-office
/// route.
async fn check(
    app: &App,
    headers: &HeaderMap,
    query: &[(String, String)],
    body: Option<&[u8]>,
) -> Result<(Response, &'static str), GwError> {
    let req = match body {
        Some(b) => params::from_body::<actions::CheckTransaction>(b)?,
        None => params::from_query::<actions::CheckTransaction>(query)?,
    };
    authorise_check(app, headers, &req.refid)?;
    Ok(match app.call::<actions::CheckTransaction>(req).await {
        Ok(resp) => app.upstream_ok(&resp),
        Err(e) => app.upstream_error(e),
    })
}

/// Whether the request may read the order `refid`: a genuine token (expired or not) whose
/// grant names `refid`, or no token at all in open-orders mode.
fn authorise_check(app: &App, headers: &HeaderMap, refid: &str) -> Result<(), GwError> {
    let forbidden = |code, message: String| GwError::new(StatusCode::FORBIDDEN, code, message);
    let token = headers
        .get(ORDER_TOKEN_HEADER)
        .map(|v| v.to_str().unwrap_or("\u{1}"));
    match (token, &app.secret) {
        (None, _) if app.config.open_orders => Ok(()),
        (None, _) => Err(forbidden(
            "order_token_missing",
            "checkTransaction needs the order's X-Order-Token (signed-in operators use the back-office route)"
                .into(),
        )),
        (Some(_), None) => Err(forbidden(
            "order_token_unverifiable",
            "this gateway has no order-token secret".into(),
        )),
        (Some(t), Some(secret)) => {
            let grant = verify_grant(secret, t).map_err(|e| forbidden(e.code(), e.to_string()))?;
            if grant.refid != refid {
                let e = ics_reseller::token::TokenError::Mismatch("refid");
                return Err(forbidden(e.code(), e.to_string()));
            }
            Ok(())
        }
    }
}

async fn forward<A: Action>(
    app: &App,
    query: &[(String, String)],
    body: Option<&[u8]>,
) -> Result<(Response, &'static str), GwError> {
    let req = match body {
        Some(b) => params::from_body::<A>(b)?,
        None => params::from_query::<A>(query)?,
    };
    Ok(match app.call::<A>(req).await {
        Ok(resp) => app.upstream_ok(&resp),
        Err(e) => app.upstream_error(e),
    })
}

/// The order path: authorise (token, live price), admit (one order per refid, limits,
/// spend cap), forward once, record the answer.
async fn order(
    app: &App,
    ip: IpAddr,
    headers: &HeaderMap,
    req: CreateTransactionRequest,
) -> (Response, &'static str) {
    let r = order_inner(app, ip, headers, req).await;
    let (resp, outcome) = match r {
        Ok(r) => r,
        Err(e) => {
            app.metrics.order("not_admitted");
            app.gw(e)
        }
    };
    (resp, outcome)
}

async fn order_inner(
    app: &App,
    ip: IpAddr,
    headers: &HeaderMap,
    req: CreateTransactionRequest,
) -> Result<(Response, &'static str), GwError> {
    let now = now_s();
    let token = headers
        .get(ORDER_TOKEN_HEADER)
        .map(|v| v.to_str().unwrap_or("\u{1}"));
    // 1. Authorise: a genuine, unexpired token for exactly this order.
    let grant: Option<OrderGrant> = match (token, &app.secret) {
        (Some(t), Some(secret)) => {
            let g = verify_order(secret, t, now)
                .map_err(|e| GwError::new(StatusCode::FORBIDDEN, e.code(), e.to_string()))?;
            g.authorises(&req)
                .map_err(|e| GwError::new(StatusCode::FORBIDDEN, e.code(), e.to_string()))?;
            Some(g)
        }
        (None, _) if app.config.open_orders => None,
        (Some(_), None) => {
            return Err(GwError::new(
                StatusCode::FORBIDDEN,
                "order_token_unverifiable",
                "this gateway has no order-token secret",
            ))
        }
        (None, _) => {
            return Err(GwError::new(
                StatusCode::FORBIDDEN,
                "order_token_missing",
                "createTransaction needs an X-Order-Token from the shop's backend",
            ))
        }
    };
    // 2. The live price within the bound.
    let price = match app.orderable_price(&req.kode_produk).await? {
        Ok(p) => p,
        Err(resp) => return Ok((resp, "upstream_error")),
    };
    let bound = match &grant {
        Some(g) if price > g.max_price => {
            return Err(GwError::new(
                StatusCode::CONFLICT,
                "price_above_bound",
                format!("the live price {price} exceeds the authorised {}", g.max_price),
            ))
        }
        Some(g) => g.max_price,
        None => price,
    };
    // 3. Admit: in one journal transaction (refid and token once, per-number limit, daily
    //    cap), the order written ahead before anything is forwarded.
    let token_id = match token {
        Some(t) => token_id(t),
        None => format!("open:{}", req.refid),
    };
    let order = NewOrder {
        refid: req.refid.clone(),
        product: req.kode_produk.clone(),
        number: req.nomor_tujuan.clone(),
        price_bound: bound,
        token_id: token_id.clone(),
        client_ip_hash: ics_journal::client_ip_hash(&app.ip_key, &ip.to_string()),
    };
    match app
        .journal
        .admit(order, &app.journal_limits, ics_journal::now_ms())
        .await
    {
        Ok(_) => {}
        Err(Refusal::DuplicateRefid) => return client_resend(app, req, &token_id, price).await,
        Err(r) => return Err(refusal_error(app, &r)),
    }
    crash_point("before_forward");
    // 4. Forward once and record the answer.
    Ok(forward_order(app, req, bound).await)
}

/// Forwards an admitted (written-ahead) order and records the answer in the journal.
async fn forward_order(app: &App, req: CreateTransactionRequest, bound: i64) -> (Response, &'static str) {
    let refid = req.refid.clone();
    let call = app.call::<actions::CreateTransaction>(req);
    tokio::pin!(call);
    let result = match crash_in_flight_ms() {
        Some(ms) => tokio::select! {
            r = &mut call => r,
            _ = tokio::time::sleep(Duration::from_millis(ms)) => {
                crash_point("after_forward");
                call.await
            }
        },
        None => call.await,
    };
    crash_point("after_answer");
    // The upstream's texts are journalled without the key (an echo would otherwise reach
    // the back-office views and exports, and backups of the database).
    let result = result.map(|r| app.scrub.create_answer(r));
    let outcome = match app
        .journal
        .record_answer(&refid, &result, ics_journal::now_ms())
        .await
    {
        Ok(state) if state.is_final() && state.to_refund() => "refused",
        Ok(OrderState::MaybeCommitted) => "unknown",
        Ok(_) => "placed",
        Err(e) => {
            // The row stays open: the reconciler settles it by checkTransaction.
            tracing::error!(refid = %refid, error = %e, "recording an answer failed");
            "unrecorded"
        }
    };
    app.metrics.order(outcome);
    tracing::info!(refid = %refid, price_bound = bound, outcome, "order");
    match result {
        Ok(resp) => app.upstream_ok(&resp),
        Err(e) => app.upstream_error(e),
    }
}

/// A refid already journalled: the client's own reconciliation may re-send it after a 404,
/// under the journal's rules (never acknowledged, outcome unknown, a re-send left, and the
/// gateway's own checkTransaction says 404 once the last send's forward grace is over),
/// written ahead like any order.
///
/// Within that grace a 404 proves nothing (API.md rule 7; the reconciler's rule too): the
/// last send may have outlasted the gateway's timeout and still be committing upstream.
/// Such a re-send is answered 409 `order_in_flight` with `Retry-After` (the seconds left of
/// the grace, at least 1) and nothing is forwarded.
///
/// A re-send is the SAME order or nothing: its product, its normalised number and its
/// authorisation (`token_id`: the same token, or in open-orders mode none both times) must
/// equal the journalled ones, and the live `price` must still fit the journalled bound —
/// else `order_exists`. The journal keeps the first request's product, number and price
/// bound (the spend cap counts that bound), so another product, number or token (whose
/// price bound may differ) under a used refid would be charged unrecorded and uncapped.
/// The client's own reconciliation re-sends the request it sent, token included.
///
/// Another send of the refid may be under way: the first one (a twin request), or the
/// reconciler's own re-send of the same 404 order. Answering "in flight" at once would let
/// the client's confirming check run before that send lands upstream, and report a refusal
/// for an order that is being placed. So this waits (polling the journal, at most the
/// upstream timeout plus two seconds) until that send is recorded, then answers from what
/// the journal says; `order_in_flight` only when the wait runs out.
async fn client_resend(
    app: &App,
    req: CreateTransactionRequest,
    token_id: &str,
    price: i64,
) -> Result<(Response, &'static str), GwError> {
    let exists = || {
        GwError::new(
            StatusCode::CONFLICT,
            "order_exists",
            "an order with this refid was already placed",
        )
    };
    let in_flight = || {
        GwError::new(
            StatusCode::CONFLICT,
            "order_in_flight",
            "this refid is being ordered right now",
        )
    };
    let deadline = tokio::time::Instant::now()
        + Duration::from_millis(app.config.upstream_timeout_ms.saturating_add(2_000));
    let mut pause = RESEND_POLL;
    let mut wait = || {
        let this = pause;
        pause = (pause * 2).min(RESEND_POLL_MAX);
        async move {
            if tokio::time::Instant::now() >= deadline {
                return Err(in_flight());
            }
            tokio::time::sleep(this).await;
            Ok(())
        }
    };
    loop {
        let cur = app
            .journal
            .order(&req.refid)
            .await
            .map_err(|e| journal_down(&e.to_string()))?
            .ok_or_else(exists)?;
        let same_number =
            ics_reseller::normalize_phone(&req.nomor_tujuan).is_ok_and(|n| n.number == cur.number);
        if cur.product != req.kode_produk
            || !same_number
            || cur.token_id != token_id
            || price > cur.price_bound
        {
            return Err(GwError::new(
                StatusCode::CONFLICT,
                "order_exists",
                "an order with this refid was already placed (another product, number, token or price)",
            ));
        }
        match cur.state {
            OrderState::MaybeCommitted if !cur.acked && cur.resends < app.config.reconcile.max_resends => {}
            OrderState::Admitted | OrderState::Resending => {
                wait().await?;
                continue;
            }
            _ => return Err(exists()),
        }
        let check = ics_reseller::RefIdRequest {
            refid: req.refid.clone(),
        };
        match app.call::<actions::CheckTransaction>(check).await {
            Ok(found) => {
                // Journalled without the key, as every other upstream text (see forward_order).
                let found = app.scrub.check_answer(found);
                if let Err(e) = app
                    .journal
                    .record_check(&req.refid, &found, ics_journal::now_ms())
                    .await
                {
                    tracing::warn!(refid = %req.refid, error = %e, "recording a check failed");
                }
                return Err(exists());
            }
            Err(Error::NotFound { .. }) => {
                // The last send may still be landing (a slow upstream commits after the
                // gateway's timeout): a 404 so soon after it proves nothing (the
                // reconciler's rule), so nothing is forwarded before its grace is over.
                let left_ms = grace_left_ms(app, &cur);
                if left_ms > 0 {
                    return Err(GwError {
                        retry_after_s: Some((left_ms as u64).div_ceil(1000).max(1)),
                        ..GwError::new(
                            StatusCode::CONFLICT,
                            "order_in_flight",
                            "this refid's last send may still be landing upstream; check it again later",
                        )
                    });
                }
                let ok = app
                    .journal
                    .begin_resend(
                        &req.refid,
                        app.config.reconcile.max_resends,
                        ics_journal::now_ms(),
                    )
                    .await
                    .map_err(|e| journal_down(&e.to_string()))?;
                if !ok {
                    // A reconciler holds the order's lease (it is checking or re-sending it).
                    wait().await?;
                    continue;
                }
                crash_point("before_forward");
                return Ok(forward_order(app, req, cur.price_bound).await);
            }
            Err(e) => {
                app.metrics.order("unknown");
                return Ok(app.upstream_error(e));
            }
        }
    }
}

/// What is left of the forward grace of `order`'s last send (ms; 0 or less: over). Within
/// it a 404 is inconclusive ([`ics_journal::JournalOptions::forward_grace_ms`]).
fn grace_left_ms(app: &App, order: &ics_journal::OrderRecord) -> i64 {
    order.sent_at + app.journal.options().forward_grace_ms - ics_journal::now_ms()
}

/// How soon [`client_resend`] looks at the journal again while another send of its refid
/// runs; the pause doubles up to [`RESEND_POLL_MAX`].
const RESEND_POLL: Duration = Duration::from_millis(25);
/// The longest pause between two looks.
const RESEND_POLL_MAX: Duration = Duration::from_millis(400);

fn journal_down(detail: &str) -> GwError {
    tracing::error!(error = detail, "order journal unavailable");
    GwError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "journal_unavailable",
        "the order journal is unavailable; nothing was ordered",
    )
}

/// The answer for a journal refusal (nothing was written, nothing forwarded).
fn refusal_error(app: &App, r: &Refusal) -> GwError {
    match r {
        Refusal::Invalid { reason } => GwError::bad_request("invalid_input", reason.clone()),
        Refusal::DuplicateRefid => GwError::new(
            StatusCode::CONFLICT,
            "order_exists",
            "an order with this refid was already placed",
        ),
        Refusal::TokenSpent => GwError::new(
            StatusCode::CONFLICT,
            "token_spent",
            "this order token was already used for another refid",
        ),
        Refusal::NumberRate { retry_after_secs, .. } => {
            app.metrics.limit("per_number");
            GwError::limited(
                "number_limit",
                "too many orders for this number in the last hour",
                *retry_after_secs,
            )
        }
        Refusal::DailyCap { retry_after_secs, .. } => {
            app.metrics.limit("spend_cap");
            GwError::limited("spend_cap", "the daily spend cap is reached", *retry_after_secs)
        }
        Refusal::Storage(e) => journal_down(e),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

async fn login(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let (resp, outcome) = match login_inner(&app, peer, req).await {
        Ok(r) => (r, "ok"),
        Err(e) => app.gw(e),
    };
    app.metrics.request("auth", "-", outcome);
    tracing::info!(route = "auth", status = resp.status().as_u16(), outcome, "login");
    resp
}

async fn login_inner(app: &Arc<App>, peer: SocketAddr, req: Request) -> Result<Response, GwError> {
    let (parts, body) = req.into_parts();
    check_same_origin(app, &parts.headers)?;
    let body = json_body(app, &parts.headers, body).await?;
    let l: Login = serde_json::from_slice(&body)
        .map_err(|_| GwError::bad_request("bad_json", "expected {\"username\", \"password\"}"))?;
    let ip = client_ip(app, &parts.headers, peer);
    // A verification holds 19 MiB: with every slot taken, answer at once rather than queue
    // (a queue of blocking tasks is the memory the bound is there to cap).
    let permit = app.login_slots.clone().try_acquire_owned().map_err(|_| {
        app.metrics.limit("login_busy");
        GwError {
            retry_after_s: Some(1),
            ..GwError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "login_busy",
                "too many sign-ins at once; retry shortly",
            )
        }
    })?;
    app.auth.throttle(ip, &l.username).map_err(|e| {
        app.metrics.limit("login");
        match e {
            LoginError::Throttled(s) => GwError::limited("login_throttled", "too many sign-in attempts", s),
            LoginError::Invalid => GwError::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "wrong username or password",
            ),
        }
    })?;
    let a = app.clone();
    let id = tokio::task::spawn_blocking(move || {
        use std::sync::atomic::Ordering::SeqCst;
        let running = a.login_running.fetch_add(1, SeqCst) + 1;
        a.login_peak.fetch_max(running, SeqCst);
        let r = a.auth.login(&l.username, &l.password);
        a.login_running.fetch_sub(1, SeqCst);
        drop(permit);
        r
    })
    .await
    .map_err(|_| GwError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "sign-in failed"))?
    .map_err(|_| {
        GwError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "wrong username or password",
        )
    })?;
    let cookie = auth::set_cookie(Some(&id), app.auth.ttl(), over_https(app, &parts.headers));
    Ok((
        StatusCode::NO_CONTENT,
        [
            (header::SET_COOKIE, cookie),
            (header::CACHE_CONTROL, "no-store".into()),
        ],
    )
        .into_response())
}

async fn logout(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    if let Err(e) = check_same_origin(&app, &headers) {
        return app.gw(e).0;
    }
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    if let Some(id) = auth::cookie_session(cookie) {
        app.auth.logout(id);
    }
    app.metrics.request("auth", "-", "logout");
    let cookie = auth::set_cookie(None, app.auth.ttl(), over_https(&app, &headers));
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response()
}

async fn session(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    match auth::cookie_session(cookie).and_then(|id| app.auth.session(id)) {
        Some(username) => app.json(StatusCode::OK, json!({"username": username}), None),
        None => {
            app.gw(GwError::new(
                StatusCode::UNAUTHORIZED,
                "not_signed_in",
                "not signed in",
            ))
            .0
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Pay {
    kode_produk: String,
    nomor_tujuan: String,
    refid: String,
}

async fn demo_pay(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let (resp, outcome) = match demo_pay_inner(&app, peer, req).await {
        Ok(r) => r,
        Err(e) => app.gw(e),
    };
    app.metrics.request("demo", "-", outcome);
    resp
}

async fn demo_pay_inner(
    app: &App,
    peer: SocketAddr,
    req: Request,
) -> Result<(Response, &'static str), GwError> {
    let (parts, body) = req.into_parts();
    limit_ip(app, client_ip(app, &parts.headers, peer))?;
    check_same_origin(app, &parts.headers)?;
    let body = json_body(app, &parts.headers, body).await?;
    let p: Pay = serde_json::from_slice(&body).map_err(|e| {
        GwError::bad_request(
            "bad_json",
            format!("expected {{kode_produk, nomor_tujuan, refid}}: {e}"),
        )
    })?;
    let price = match app.orderable_price(&p.kode_produk).await? {
        Ok(p) => p,
        Err(resp) => return Ok((resp, "upstream_error")),
    };
    let now = now_s();
    app.journal
        .room_for(&p.nomor_tujuan, price, &app.journal_limits, ics_journal::now_ms())
        .await
        .map_err(|r| refusal_error(app, &r))?;
    let grant = OrderGrant {
        kode_produk: p.kode_produk,
        nomor_tujuan: p.nomor_tujuan,
        refid: p.refid,
        max_price: price,
        expires_at: now + DEMO_TOKEN_TTL_S,
    };
    let secret = app
        .secret
        .as_ref()
        .ok_or_else(|| GwError::new(StatusCode::SERVICE_UNAVAILABLE, "no_secret", "no order secret"))?;
    let token =
        sign_order(secret, &grant).map_err(|e| GwError::bad_request("invalid_input", e.to_string()))?;
    Ok((
        app.json(
            StatusCode::OK,
            json!({"token": token, "max_price": price, "expires_at": grant.expires_at}),
            None,
        ),
        "ok",
    ))
}

/// The upstream's webhook: JSON only, size-limited, rate-limited per IP; the body is a
/// hint, confirmed by checkTransaction before anything is recorded.
async fn webhook(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    let (resp, outcome) = match webhook_inner(&app, peer, req).await {
        Ok(r) => r,
        Err(e) => app.gw(e),
    };
    app.metrics.request("webhook", "-", outcome);
    tracing::info!(
        route = "webhook",
        status = resp.status().as_u16(),
        outcome,
        "webhook"
    );
    resp
}

async fn webhook_inner(
    app: &App,
    peer: SocketAddr,
    req: Request,
) -> Result<(Response, &'static str), GwError> {
    use ics_journal::webhook::{intake, WebhookError, WebhookOutcome};
    let (parts, body) = req.into_parts();
    limit_ip(app, client_ip(app, &parts.headers, peer))?;
    let body = json_body(app, &parts.headers, body).await?;
    match intake(&app.journal, &*app.journal_upstream, &body).await {
        Ok(o) => {
            let (outcome, v) = match &o {
                WebhookOutcome::Recorded { refid, state, .. } => (
                    "recorded",
                    json!({"outcome": "recorded", "refid": refid, "state": state.as_str()}),
                ),
                WebhookOutcome::AlreadyFinal { refid, state } => (
                    "already_final",
                    json!({"outcome": "already_final", "refid": refid, "state": state.as_str()}),
                ),
                WebhookOutcome::UnknownOrder { refid } => (
                    "unknown_order",
                    json!({"outcome": "unknown_order", "refid": refid}),
                ),
                WebhookOutcome::Deferred { refid, .. } => {
                    ("deferred", json!({"outcome": "deferred", "refid": refid}))
                }
            };
            Ok((app.json(StatusCode::OK, v, None), outcome))
        }
        Err(WebhookError::Invalid(e)) => Err(GwError::bad_request(
            "bad_webhook",
            format!("not an order status: {}", e.code().as_str()),
        )),
        Err(WebhookError::Journal(e)) => Err(journal_down(&e.to_string())),
    }
}

fn signed_in(app: &App, headers: &HeaderMap) -> Result<(), GwError> {
    let cookie = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    match auth::cookie_session(cookie).and_then(|id| app.auth.session(id)) {
        Some(_) => Ok(()),
        None => Err(GwError::new(
            StatusCode::UNAUTHORIZED,
            "not_signed_in",
            "the back-office needs a signed-in operator",
        )),
    }
}

/// `GET /gateway/backoffice/orders?state=&limit=&offset=`: the journal's orders, to refund
/// first, then still open, then delivered, with counts per state.
async fn orders_list(State(app): State<Arc<App>>, headers: HeaderMap, uri: axum::http::Uri) -> Response {
    let r = async {
        signed_in(&app, &headers)?;
        let q = params::query_params(uri.query())?;
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let num = |k: &str, d: i64| -> Result<i64, GwError> {
            get(k).map_or(Ok(d), |v| {
                v.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| GwError::bad_request("bad_parameter", format!("{k} must be a number")))
            })
        };
        if let Some((n, _)) = q
            .iter()
            .find(|(n, _)| !["state", "limit", "offset"].contains(&n.as_str()))
        {
            return Err(GwError::bad_request(
                "bad_parameter",
                format!("unknown parameter {n}"),
            ));
        }
        let state = match get("state") {
            None | Some("") => None,
            Some(s) => Some(
                OrderState::parse(s).ok_or_else(|| GwError::bad_request("bad_parameter", "unknown state"))?,
            ),
        };
        let limit = num("limit", 100)?.min(1000);
        let offset = num("offset", 0)?;
        let j = |e: ics_journal::JournalError| journal_down(&e.to_string());
        let orders = app.journal.list(state, limit, offset).await.map_err(j)?;
        let counts = app.journal.counts().await.map_err(j)?;
        let counts: serde_json::Map<String, Value> = counts
            .into_iter()
            .map(|(s, n)| (s.as_str().to_owned(), json!(n)))
            .collect();
        let orders: Vec<Value> = orders
            .iter()
            .map(|o| {
                json!({
                    "refid": o.refid, "state": o.state.as_str(), "final": o.state.is_final(),
                    "to_refund": o.state.to_refund(), "product": o.product, "number": o.number,
                    "price_bound": o.price_bound, "price": o.price, "supplier_trxid": o.supplier_trxid,
                    "message": o.message, "last_error": o.last_error, "checks": o.checks,
                    "resends": o.resends, "settled_by": o.settled_by,
                    "created_at": o.created_at, "updated_at": o.updated_at,
                })
            })
            .collect();
        Ok::<_, GwError>(app.json(StatusCode::OK, json!({"counts": counts, "orders": orders}), None))
    }
    .await;
    let (resp, outcome) = match r {
        Ok(r) => (r, "ok"),
        Err(e) => app.gw(e),
    };
    app.metrics.request("backoffice", "orders", outcome);
    resp
}

/// `GET /gateway/backoffice/orders.csv`: every journalled order as CSV (formulas defused by
/// the journal's export), every cell scrubbed of the key ([`Scrubber::csv`]).
async fn orders_csv(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let r = async {
        signed_in(&app, &headers)?;
        let mut out = Vec::new();
        app.journal
            .export_csv(&mut out)
            .await
            .map_err(|e| journal_down(&e.to_string()))?;
        Ok::<_, GwError>(
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"orders.csv\""),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                app.scrub.csv(&out),
            )
                .into_response(),
        )
    }
    .await;
    let (resp, outcome) = match r {
        Ok(r) => (r, "ok"),
        Err(e) => app.gw(e),
    };
    app.metrics.request("backoffice", "orders_csv", outcome);
    resp
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /metrics` of the metrics listener.
async fn metrics(State(app): State<Arc<App>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
        .into_response()
}

async fn not_found() -> Response {
    GwError::new(StatusCode::NOT_FOUND, "not_found", "no such route").into_response()
}

/// Refuses, before the static file service sees them: protocol-relative paths, backslashes,
/// NULs, `..`, any segment starting with `.` (dotfiles and dot-folders such as `.env` or
/// `.git/`, however encoded), and a path where anything the file service may open for it
/// resolves outside `root` through a symlink: the file itself, its precompressed siblings
/// (`NAME.gz`, `NAME.br`) and, for a folder, its `index.html` and that file's siblings.
async fn contained(root: Arc<PathBuf>, prefix: &'static str, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let rel = path.strip_prefix(prefix).unwrap_or(path);
    let decoded: String = form_urlencoded::parse(format!("p={}", rel.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if path.starts_with("//")
        || decoded.contains('\\')
        || decoded.contains('\0')
        || decoded.split('/').any(|s| s.starts_with('.'))
    {
        return not_found().await;
    }
    let full = root.join(decoded.trim_start_matches('/'));
    let mut opened = vec![full.clone()];
    if full.is_dir() {
        opened.push(full.join("index.html"));
    }
    let siblings: Vec<PathBuf> = opened
        .iter()
        .flat_map(|p| ["gz", "br"].map(|ext| sibling(p, ext)))
        .collect();
    opened.extend(siblings);
    let escapes = |p: &PathBuf| {
        p.canonicalize()
            .is_ok_and(|real| !real.starts_with(root.as_path()))
    };
    if opened.iter().any(escapes) {
        return not_found().await;
    }
    next.run(req).await
}

/// `path` with `.ext` appended to its file name (`a.js` → `a.js.gz`).
fn sibling(path: &Path, ext: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// `Cache-Control` of a static file whose name carries a content hash: it never changes
/// under that name, so browsers keep it a year without asking.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Whether the last segment of `path` carries a content hash the way bundlers write it:
/// `NAME.HASH.EXT` with `HASH` 8 to 64 hex digits (`app.3f9a1c2e.js`). Nothing else is
/// taken for a hash (a stale file cached for a year is worse than a revalidation).
pub fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && !parts[0].is_empty()
        && !parts[parts.len() - 1].is_empty()
        && parts[1..parts.len() - 1]
            .iter()
            .any(|p| (8..=64).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Marks successful answers for content-hashed names [`IMMUTABLE`]; every other static
/// file gets `no-cache` (revalidated with `Last-Modified` each time) further out.
async fn immutable_when_hashed(req: Request, next: Next) -> Response {
    let hashed = has_content_hash(req.uri().path());
    let mut resp = next.run(req).await;
    let ok = resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED;
    if hashed && ok {
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    }
    resp
}

/// The headers every static answer carries (defence in depth for the shop's pages, which
/// hold the checkout and the back-office): no framing by another site (clickjacking:
/// `frame-ancestors` and, for older browsers, `X-Frame-Options`), no MIME sniffing, and
/// only the origin as referrer to other sites.
pub const PAGE_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", "frame-ancestors 'self'"),
    ("x-frame-options", "SAMEORIGIN"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
];

async fn page_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    for (name, value) in PAGE_HEADERS {
        resp.headers_mut()
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    resp
}

fn static_service(dir: &Path, prefix: &'static str) -> Result<Router, String> {
    let root = dir
        .canonicalize()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let serve = tower_http::services::ServeDir::new(&root)
        .precompressed_gzip()
        .precompressed_br()
        .append_index_html_on_directories(true);
    let root = Arc::new(root);
    Ok(Router::new()
        .fallback_service(serve)
        .layer(
            tower_http::compression::CompressionLayer::new()
                .gzip(true)
                .br(true),
        )
        .layer(middleware::from_fn(immutable_when_hashed))
        .layer(tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(middleware::from_fn(page_headers))
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let root = root.clone();
            async move { contained(root, prefix, req, next).await }
        })))
}

/// The whole router.
pub fn router(app: Arc<App>) -> Result<Router, String> {
    let mut gw = Router::new()
        .route("/gateway", any(public))
        .route("/gateway/", any(public))
        .route("/gateway/backoffice", any(backoffice))
        .route("/gateway/backoffice/", any(backoffice))
        .route("/gateway/auth/login", post(login))
        .route("/gateway/auth/logout", post(logout))
        .route("/gateway/auth/session", get(session))
        .route("/gateway/backoffice/orders", get(orders_list))
        .route("/gateway/backoffice/orders.csv", get(orders_csv));
    if app.config.demo_payments {
        gw = gw.route("/gateway/demo/pay", post(demo_pay));
    }
    if !app.config.allow_origins.is_empty() {
        let origins: Vec<HeaderValue> = app
            .config
            .allow_origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        gw = gw.layer(
            tower_http::cors::CorsLayer::new()
                .allow_origin(tower_http::cors::AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([
                    header::CONTENT_TYPE,
                    header::HeaderName::from_static(ORDER_TOKEN_HEADER),
                ]),
        );
    }
    let mut r = gw
        .route(&app.config.webhook_path, post(webhook))
        .route("/healthz", get(healthz))
        // Metrics are served on `metrics_listen` only ([`metrics_router`]): here, not even
        // by a static file of that name.
        .route("/metrics", any(not_found))
        .route("/metrics/", any(not_found))
        .with_state(app.clone());
    if let Some(pkg) = &app.config.pkg {
        r = r.nest_service("/pkg", static_service(pkg, "/pkg")?);
    }
    r = match &app.config.static_dir {
        Some(dir) => r.fallback_service(static_service(dir, "")?),
        None => r.fallback(not_found),
    };
    Ok(
        r.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        )),
    )
}

/// The router of the metrics listener (`metrics_listen`): `GET /metrics` (Prometheus text)
/// and nothing else.
pub fn metrics_router(app: Arc<App>) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .with_state(app)
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

#[cfg(test)]
mod forwarded_tests {
    use super::forwarded_ip;

    #[test]
    fn forwarded_entries_parse_with_and_without_port() {
        for (entry, ip) in [
            (" 10.1.2.3 ", Some("10.1.2.3")),
            ("10.1.2.3:8080", Some("10.1.2.3")),
            ("2001:db8::1", Some("2001:db8::1")),
            ("[2001:db8::1]:443", Some("2001:db8::1")),
            ("[2001:db8::1]", Some("2001:db8::1")),
            ("unknown", None),
            ("10.1.2.3:x", None),
            ("", None),
        ] {
            assert_eq!(
                forwarded_ip(entry).map(|i| i.to_string()).as_deref(),
                ip,
                "{entry}"
            );
        }
    }
}

#[cfg(test)]
mod cache_tests {
    use super::has_content_hash;

    #[test]
    fn content_hashes_are_only_hex_segments_between_name_and_extension() {
        for hashed in [
            "/app.3f9a1c2e.js",
            "/a/b/style.0123456789abcdef.css",
            "x.DEADBEEF.min.js",
        ] {
            assert!(has_content_hash(hashed), "{hashed}");
        }
        for plain in [
            "/app.js",
            "/deadbeef.js",
            "/app.3f9a1c2.js",
            "/app-3f9a1c2e.js",
            "/app.3f9a1c2g.js",
            "/pkg/wasm/ics_reseller_bg.wasm",
            "/.3f9a1c2e.js",
            "/app.3f9a1c2e.",
            "/",
        ] {
            assert!(!has_content_hash(plain), "{plain}");
        }
    }
}
