//! The simulated API at `/?action=NAME`, routed through the core's actions table.
//!
//! [`handle`] reads the action name, turns it into an [`ActionKind`] and dispatches with
//! [`ics_reseller::with_action!`] to `run::<A>`, which needs `A: Simulate`. The match in
//! `with_action!` is exhaustive, so an action added to the core's table does not compile
//! here until it has a [`Simulate`] impl: the router is the table. Requests are parsed into
//! the core's request types and answers are the core's response types, serialized.
//!
//! Order of checks: action name (400), injected fault taken, auth (401/403), method
//! (405), parameters (400), then the action; failures are an `error` body.

use crate::catalog;
use crate::config::Config;
use crate::faults::{self, FaultMode, Faults};
use crate::sim::{Account, Failure, Sim};
use crate::webhook::{self, Inbox};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method as HttpMethod, StatusCode};
use axum::response::{IntoResponse, Response};
use ics_reseller::actions::*;
use ics_reseller::http::{API_KEY_HEADER, API_KEY_QUERY};
use ics_reseller::types::*;
use serde_json::{Map, Value};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Everything the handlers share.
pub struct App {
    /// The simulation.
    pub sim: Sim,
    /// Armed faults.
    pub faults: Faults,
    /// The built-in webhook receiver's log.
    pub inbox: Inbox,
    /// The request lines of calls to `/`, as they arrived (`/__sandbox/requests`).
    pub requests: crate::control::RequestLog,
    /// The configuration the sandbox started with.
    pub config: Config,
    /// The sandbox's own base URL.
    pub base_url: String,
    /// Client for webhook deliveries (no proxy).
    pub webhook_http: reqwest::Client,
}

/// Closes the TCP connection a request came in on, without an HTTP response. The accept
/// loop puts one in every request's extensions.
#[derive(Clone, Debug, Default)]
pub struct Kill(pub Arc<Notify>);

/// One API request to `/`.
pub struct ApiCall {
    /// HTTP method.
    pub method: HttpMethod,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Request headers.
    pub headers: HeaderMap,
    /// Request body.
    pub body: Bytes,
    /// The connection's kill switch.
    pub kill: Option<Kill>,
}

/// Decodes a query string into pairs (the reverse of the core's `http::query_pairs`,
/// which turns a request's parameters into pairs to encode).
pub fn decode_query(query: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The value of query parameter `name` (first occurrence).
pub fn query_get<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A JSON answer.
pub fn json(status: u16, body: &Value) -> Response {
    json_text(status, body.to_string())
}

fn json_text(status: u16, text: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; charset=utf-8"),
        )],
        text,
    )
        .into_response()
}

/// An `{"error": …}` answer.
pub fn error(status: u16, message: impl Into<String>) -> Response {
    json(status, &serde_json::json!({ "error": message.into() }))
}

impl Failure {
    fn to_value(&self) -> Value {
        serde_json::to_value(&self.body).unwrap_or_default()
    }
}

/// How the simulation answers one action. Implemented for every type of the core's table.
pub trait Simulate: Action {
    /// Runs the action for an authenticated, active account.
    fn simulate(
        app: &Arc<App>,
        acct: &Arc<Account>,
        req: Self::Request,
    ) -> impl Future<Output = Result<Self::Response, Failure>> + Send;
}

impl Simulate for Ping {
    async fn simulate(_: &Arc<App>, acct: &Arc<Account>, _: NoParams) -> Result<PingResponse, Failure> {
        Ok(PingResponse {
            success: true,
            kodereseller: acct.config.kodereseller.clone(),
            extra: Default::default(),
        })
    }
}

impl Simulate for GetProfile {
    async fn simulate(
        app: &Arc<App>,
        acct: &Arc<Account>,
        _: NoParams,
    ) -> Result<GetProfileResponse, Failure> {
        let c = &acct.config;
        Ok(GetProfileResponse {
            success: true,
            data: Profile {
                kodereseller: c.kodereseller.clone(),
                nama: c.nama.clone(),
                nomor: c.nomor.clone(),
                email: c.email.clone(),
                saldo: app.sim.balance(acct),
                verif: c.verif,
                extra: Default::default(),
            },
            extra: Default::default(),
        })
    }
}

impl Simulate for GetBalance {
    async fn simulate(
        app: &Arc<App>,
        acct: &Arc<Account>,
        _: NoParams,
    ) -> Result<GetBalanceResponse, Failure> {
        let c = &acct.config;
        Ok(GetBalanceResponse {
            success: true,
            data: Balance {
                kodereseller: c.kodereseller.clone(),
                nama: c.nama.clone(),
                nomor: c.nomor.clone(),
                saldo: app.sim.balance(acct),
                verif: c.verif,
                extra: Default::default(),
            },
            extra: Default::default(),
        })
    }
}

impl Simulate for ListProducts {
    async fn simulate(
        app: &Arc<App>,
        _: &Arc<Account>,
        req: ListProductsRequest,
    ) -> Result<ListProductsResponse, Failure> {
        Ok(catalog::list(&req, &app.sim.markup))
    }
}

impl Simulate for CreateTransaction {
    async fn simulate(
        app: &Arc<App>,
        acct: &Arc<Account>,
        req: CreateTransactionRequest,
    ) -> Result<CreateTransactionResponse, Failure> {
        app.sim.create(acct, &req)
    }
}

fn not_found(refid: &str) -> Failure {
    Failure::new(404, format!("Transaksi dengan refid {refid} tidak ditemukan")).refid(refid)
}

impl Simulate for CheckTransaction {
    async fn simulate(
        app: &Arc<App>,
        acct: &Arc<Account>,
        req: RefIdRequest,
    ) -> Result<CheckTransactionResponse, Failure> {
        app.sim
            .check(acct, &req.refid)
            .ok_or_else(|| not_found(&req.refid))
    }
}

impl Simulate for GetHistory {
    async fn simulate(
        app: &Arc<App>,
        acct: &Arc<Account>,
        req: GetHistoryRequest,
    ) -> Result<GetHistoryResponse, Failure> {
        // The spec's bounds (page from 1, limit 1 to 100): outside them is a malformed
        // parameter, as a negative one is, not something to clamp silently.
        if req.page == Some(0) {
            return Err(Failure::new(
                400,
                "Parameter tidak valid untuk getHistory: page mulai dari 1",
            ));
        }
        if let Some(limit) = req.limit.filter(|l| !(1..=100).contains(l)) {
            return Err(Failure::new(
                400,
                format!("Parameter tidak valid untuk getHistory: limit harus 1 sampai 100, bukan {limit}"),
            ));
        }
        Ok(app.sim.history(acct, &req))
    }
}

impl Simulate for GetStatistik {
    async fn simulate(
        app: &Arc<App>,
        acct: &Arc<Account>,
        _: NoParams,
    ) -> Result<GetStatistikResponse, Failure> {
        Ok(app.sim.statistik(acct))
    }
}

impl Simulate for ResubmitWebhook {
    async fn simulate(
        app: &Arc<App>,
        acct: &Arc<Account>,
        req: RefIdRequest,
    ) -> Result<ResubmitWebhookResponse, Failure> {
        let payload = app
            .sim
            .webhook_payload(acct, &req.refid)
            .ok_or_else(|| not_found(&req.refid))?;
        let Some(url) = acct.webhook_url.clone() else {
            return Err(Failure::new(400, "Webhook belum diatur untuk akun ini").refid(&req.refid));
        };
        let status = payload
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let result = webhook::post(&app.webhook_http, &url, "resubmit", &payload).await;
        webhook::record(&acct.sent, "resubmit", &req.refid, &status, &url, &result);
        match result {
            Ok((_, response)) => Ok(ResubmitWebhookResponse {
                success: true,
                message: "Webhook dikirim ulang".into(),
                webhook_url: url,
                response,
                extra: Default::default(),
            }),
            Err(e) => Err(Failure::new(502, format!("Webhook gagal dikirim: {e}")).refid(&req.refid)),
        }
    }
}

/// The request's parameters as one JSON object: query parameters (except `action` and
/// `apikey`, and empty ones), then the JSON body's fields on top.
fn params(call: &ApiCall) -> Result<Map<String, Value>, Failure> {
    let mut map = Map::new();
    for (k, v) in &call.query {
        if k == "action" || k.eq_ignore_ascii_case(API_KEY_QUERY) || v.is_empty() {
            continue;
        }
        map.insert(k.clone(), Value::String(v.clone()));
    }
    if !call.body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(&call.body) {
            Ok(Value::Object(body)) => map.extend(body),
            _ => return Err(Failure::new(400, "Body harus berupa objek JSON yang valid")),
        }
    }
    Ok(map)
}

async fn run<A: Simulate>(app: &Arc<App>, acct: &Arc<Account>, params: Map<String, Value>) -> (u16, Value) {
    let refid = params.get("refid").and_then(Value::as_str).map(str::to_owned);
    let req: A::Request = match serde_json::from_value(Value::Object(params)) {
        Ok(r) => r,
        Err(e) => {
            let mut f = Failure::new(400, format!("Parameter tidak valid untuk {}: {e}", A::NAME));
            if A::KIND == ActionKind::CreateTransaction {
                f = f
                    .refid(refid.as_deref().unwrap_or(""))
                    .saldo(app.sim.balance(acct));
            }
            return (f.status, f.to_value());
        }
    };
    match A::simulate(app, acct, req).await {
        Ok(resp) => (200, serde_json::to_value(resp).unwrap_or_default()),
        Err(f) => (f.status, f.to_value()),
    }
}

fn api_key(call: &ApiCall) -> Option<&str> {
    call.headers
        .get(API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            call.query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(API_KEY_QUERY))
                .map(|(_, v)| v.as_str())
        })
        .map(str::trim)
        .filter(|k| !k.is_empty())
}

/// Answers one API request.
pub async fn handle(app: &Arc<App>, call: ApiCall) -> Response {
    let Some(name) = query_get(&call.query, "action").filter(|n| !n.is_empty()) else {
        return error(400, "Parameter action wajib diisi");
    };
    let Some(kind) = ActionKind::from_name(name) else {
        return error(400, format!("Action {name} tidak dikenal"));
    };
    let fault = if app.config.faults {
        app.faults.take(kind)
    } else {
        None
    };
    match fault.map(|f| f.mode) {
        Some(FaultMode::Latency) => {
            let ms = fault.map(|f| f.latency_ms).unwrap_or(0);
            // A real upstream finishes a request it received even when the caller stops
            // waiting (a client's timeout closes the connection, which drops this future):
            // the wait and the action run in a task of their own, so a slow order still
            // lands after its caller gave up.
            let app = app.clone();
            let detached = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                respond(&app, call, kind, fault).await
            });
            return detached
                .await
                .unwrap_or_else(|_| error(500, "latency: the request's task failed"));
        }
        Some(m @ (FaultMode::Http500 | FaultMode::Http502 | FaultMode::Http429)) => {
            let mut response = match m {
                FaultMode::Http429 => error(429, "Terlalu banyak permintaan, coba lagi nanti"),
                _ => {
                    let status = if m == FaultMode::Http500 { 500 } else { 502 };
                    (
                        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                        [(header::CONTENT_TYPE, "text/html")],
                        faults::html_page(status),
                    )
                        .into_response()
                }
            };
            if let Some(secs) = fault.and_then(|f| f.retry_after_s) {
                response.headers_mut().insert(header::RETRY_AFTER, secs.into());
            }
            return response;
        }
        Some(FaultMode::EchoKey) => {
            let key = api_key(&call).unwrap_or_default().to_owned();
            return json_text(400, faults::echo_key(&key));
        }
        _ => {}
    }
    respond(app, call, kind, fault).await
}

/// Runs the action of `call` and answers it, shaped by `fault` (the modes that act on the
/// answer: a dropped connection, a malformed or PHP-style body).
async fn respond(app: &Arc<App>, call: ApiCall, kind: ActionKind, fault: Option<faults::Taken>) -> Response {
    let (status, body) = answer(app, &call, kind).await;
    let mut response = match fault.map(|f| f.mode) {
        Some(FaultMode::DropAfterCommit) => {
            if let Some(kill) = &call.kill {
                kill.0.notify_one();
                // The connection task drops the connection, and this future with it.
                std::future::pending::<()>().await;
            }
            error(500, "drop_after_commit: no connection to drop")
        }
        Some(FaultMode::MalformedJson) => json_text(status, faults::malformed(&body.to_string())),
        Some(FaultMode::Bom) => {
            let mut text = String::from('\u{feff}');
            text.push_str(&body.to_string());
            json_text(status, text)
        }
        Some(m) if m.php_transform().is_some() => {
            let transform = m.php_transform().unwrap_or(|v| v);
            json(status, &transform(body))
        }
        _ => json(status, &body),
    };
    if status == 405 {
        // RFC 9110 §15.5.6: a 405 lists the methods the target supports.
        if let Ok(v) = HeaderValue::from_str(&allowed_methods(kind).join(", ")) {
            response.headers_mut().insert(header::ALLOW, v);
        }
    }
    response
}

/// The methods the API answers `kind` on ([`ActionKind::methods`]), HEAD with GET.
pub fn allowed_methods(kind: ActionKind) -> Vec<&'static str> {
    let mut out = Vec::new();
    for m in kind.methods() {
        out.push(m.as_str());
        if *m == ics_reseller::Method::Get {
            out.push("HEAD");
        }
    }
    out
}

async fn answer(app: &Arc<App>, call: &ApiCall, kind: ActionKind) -> (u16, Value) {
    let err = |status: u16, msg: &str| (status, serde_json::json!({ "error": msg }));
    let Some(key) = api_key(call) else {
        return err(401, "API key wajib diisi");
    };
    let Some(acct) = app.sim.account(key).cloned() else {
        return err(401, "API key tidak valid");
    };
    if !acct.config.active {
        return err(403, "Akun tidak aktif");
    }
    let allowed = allowed_methods(kind);
    if !allowed.contains(&call.method.as_str()) {
        let allowed = allowed.join(", ");
        return err(
            405,
            &format!(
                "Metode {} tidak diizinkan untuk {}; gunakan {allowed}",
                call.method,
                kind.name()
            ),
        );
    }
    let params = match params(call) {
        Ok(p) => p,
        Err(f) => return (f.status, f.to_value()),
    };
    ics_reseller::with_action!(kind, A => run::<A>(app, &acct, params).await)
}
