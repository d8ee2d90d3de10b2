//! Shared helpers: start the sandbox and a gateway in front of it, sign tokens, send raw
//! requests, run small local upstreams.

#![allow(dead_code)]

use ics_gateway::{Config, Gateway, Limits, Operator, Secret};
use ics_reseller::token::{sign_order, OrderGrant};
use serde_json::Value;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const KEY: &str = "sk_test_verified";
pub const SECRET: &str = "test-order-secret-0123456789abcdef";
pub const OPERATOR: &str = "op";
pub const PASSWORD: &str = "correct horse battery staple";

pub fn password_hash() -> String {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| ics_gateway::auth::hash_password(PASSWORD).unwrap())
        .clone()
}

pub fn now_s() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
}

static DB_SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A fresh SQLite journal path in the temporary directory (for gateways whose database
/// outlives no test: the file is small and named by process).
pub fn temp_db_url() -> String {
    let f = std::env::temp_dir().join(format!(
        "ics-gateway-test-{}-{}.db",
        std::process::id(),
        DB_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    format!("sqlite://{}", f.display())
}

/// Quick reconciliation timings for tests (the grace still exceeds the upstream timeout).
pub fn quick_reconcile() -> ics_gateway::config::Reconcile {
    ics_gateway::config::Reconcile {
        grace_ms: 6_000,
        first_check_ms: 50,
        max_check_ms: 400,
        poll_ms: 50,
        max_resends: 1,
        events_first_retry_ms: 50,
    }
}

/// A shop-day offset that puts the shop's clock at noon now, so no test's daily cap is reset
/// by the shop's midnight (17:00 UTC in WIB) passing mid-test: 12 hours either side.
pub fn noon_offset_s() -> i64 {
    43_200 - now_s().rem_euclid(86_400)
}

/// A gateway configuration for tests: generous limits, one operator, its own journal.
pub fn config(upstream: &str) -> Config {
    Config {
        database: Secret(temp_db_url()),
        reconcile: quick_reconcile(),
        listen: "127.0.0.1:0".parse().unwrap(),
        metrics_listen: Some("127.0.0.1:0".parse().unwrap()),
        upstream: upstream.to_owned(),
        upstream_timeout_ms: 5_000,
        api_key: Some(Secret(KEY.into())),
        order_secret: Some(Secret(SECRET.into())),
        operators: vec![Operator {
            username: OPERATOR.into(),
            password_hash: password_hash(),
        }],
        limits: Limits {
            per_ip_per_second: 100_000,
            per_ip_burst: 100_000,
            orders_per_number_per_hour: 10_000,
            daily_spend_cap: 1_000_000_000,
            day_utc_offset_s: noon_offset_s(),
            ..Limits::default()
        },
        price_cache_ms: 2_000,
        ..Config::default()
    }
}

/// The sandbox (its verified account rich enough for many orders) and a gateway.
pub struct Env {
    pub sandbox: ics_sandbox::Sandbox,
    pub gw: Gateway,
    pub http: reqwest::Client,
    pub db: ics_journal::testing::TestDb,
}

pub async fn sandbox(saldo: i64) -> ics_sandbox::Sandbox {
    let mut c = ics_sandbox::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        settle_ms: 20,
        ..Default::default()
    };
    for a in &mut c.accounts {
        if a.key == KEY {
            a.saldo = saldo;
        }
    }
    ics_sandbox::serve(c).await.unwrap()
}

pub async fn env_with(edit: impl FnOnce(&mut Config)) -> Env {
    env_on(ics_journal::testing::sqlite(), edit).await
}

/// [`env_with`] on this database.
pub async fn env_on(db: ics_journal::testing::TestDb, edit: impl FnOnce(&mut Config)) -> Env {
    let sandbox = sandbox(100_000_000).await;
    let mut c = config(sandbox.url());
    c.database = Secret(db.url.clone());
    edit(&mut c);
    let gw = ics_gateway::serve(c).await.unwrap();
    Env {
        sandbox,
        gw,
        http: http(),
        db,
    }
}

pub async fn env() -> Env {
    env_with(|_| {}).await
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_owned()
    }
}

pub async fn send(rb: reqwest::RequestBuilder) -> Resp {
    let r = rb.send().await.expect("answered");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    Resp {
        status,
        headers,
        text,
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.gw.url())
    }

    pub async fn get(&self, path: &str) -> Resp {
        send(self.http.get(self.url(path))).await
    }

    /// `GET /metrics` on the gateway's metrics listener.
    pub async fn metrics(&self) -> Resp {
        metrics(&self.http, &self.gw).await
    }

    /// A public checkTransaction of `refid` (GET) with `token` in `X-Order-Token`, if any.
    pub async fn check(&self, refid: &str, token: Option<&str>) -> Resp {
        let mut rb = self
            .http
            .get(self.url(&format!("/gateway/?action=checkTransaction&refid={refid}")));
        if let Some(t) = token {
            rb = rb.header("x-order-token", t);
        }
        send(rb).await
    }

    pub async fn post_json(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Resp {
        let mut rb = self
            .http
            .post(self.url(path))
            .header("content-type", "application/json")
            .body(body.to_string());
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        send(rb).await
    }

    /// createTransaction through the gateway with an optional token.
    pub async fn order(&self, code: &str, number: &str, refid: &str, token: Option<&str>) -> Resp {
        let body = serde_json::json!({"kode_produk": code, "nomor_tujuan": number, "refid": refid});
        let h: Vec<(&str, &str)> = token.map(|t| vec![("x-order-token", t)]).unwrap_or_default();
        self.post_json("/gateway/?action=createTransaction", &body, &h)
            .await
    }

    /// A sign-in attempt (`POST /gateway/auth/login`) with these extra headers.
    pub async fn login(&self, username: &str, password: &str, headers: &[(&str, &str)]) -> Resp {
        let body = serde_json::json!({"username": username, "password": password});
        self.post_json("/gateway/auth/login", &body, headers).await
    }

    /// Signs the test operator in ([`sign_in`]); the session cookie.
    pub async fn sign_in(&self) -> String {
        sign_in(&self.http, self.gw.url()).await
    }

    /// The sandbox's state of the verified account.
    pub async fn state(&self) -> Value {
        send(
            self.http
                .get(format!("{}/__sandbox/state?key={KEY}", self.sandbox.url())),
        )
        .await
        .json()
    }

    pub async fn balance(&self) -> i64 {
        self.state().await["balance"].as_i64().unwrap()
    }

    pub async fn arm(&self, spec: Value) {
        let r = send(
            self.http
                .post(format!("{}/__sandbox/faults", self.sandbox.url()))
                .header("content-type", "application/json")
                .body(spec.to_string()),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }

    pub async fn stop(self) {
        self.gw.shutdown().await;
        self.sandbox.shutdown().await;
    }
}

/// `POST {base}/gateway/auth/login` as `username`.
pub fn login_request(
    http: &reqwest::Client,
    base: &str,
    username: &str,
    password: &str,
) -> reqwest::RequestBuilder {
    http.post(format!("{base}/gateway/auth/login"))
        .header("content-type", "application/json")
        .body(serde_json::json!({"username": username, "password": password}).to_string())
}

/// Signs the test operator in at the gateway `base` (asserting 204); the session cookie
/// (`ics_session=…`) to send back.
pub async fn sign_in(http: &reqwest::Client, base: &str) -> String {
    let r = send(login_request(http, base, OPERATOR, PASSWORD)).await;
    assert_eq!(r.status, 204, "{}", r.text);
    r.headers["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned()
}

/// createTransaction of XLA10 for `number` under `refid` at the gateway `base`, with
/// `token` (to send, or to send with a client of its own settings).
pub fn order_request(
    http: &reqwest::Client,
    base: &str,
    number: &str,
    refid: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    http.post(format!("{base}/gateway/?action=createTransaction"))
        .header("content-type", "application/json")
        .header("x-order-token", token)
        .body(serde_json::json!({"kode_produk": "XLA10", "nomor_tujuan": number, "refid": refid}).to_string())
}

/// `GET /metrics` on `gw`'s metrics listener (the tests' [`config`] always has one).
pub async fn metrics(http: &reqwest::Client, gw: &Gateway) -> Resp {
    let url = gw.metrics_url().expect("a metrics listener");
    let r = send(http.get(url)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

/// How many createTransaction requests the sandbox received (its request log: every
/// test's sandbox is its own, so with one refid ordered these are that refid's sends).
pub async fn creates_received(sb: &ics_sandbox::Sandbox) -> usize {
    let v = send(http().get(format!("{}/__sandbox/requests", sb.url())))
        .await
        .json();
    v["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r["target"].as_str().unwrap_or("").contains("createTransaction"))
        .count()
}

/// Waits (at most 30 s) until the journal on `db_url` holds `refid` final, and returns it.
pub async fn settled(db_url: &str, refid: &str) -> ics_journal::OrderRecord {
    let j = ics_journal::Journal::open(db_url).await.unwrap();
    let start = std::time::Instant::now();
    loop {
        if let Some(o) = j.order(refid).await.unwrap() {
            if o.state.is_final() {
                j.close().await;
                return o;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "never settled: {o:?}");
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{refid} never journalled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The token the shop signed for the order `refid` (any product and number), which a public
/// checkTransaction of that refid must carry.
pub fn check_token(refid: &str) -> String {
    token("XLA10", "081234561111", refid, 20_000, 600)
}

/// A token for one order.
pub fn token(code: &str, number: &str, refid: &str, max_price: i64, ttl: i64) -> String {
    sign_with(SECRET, code, number, refid, max_price, now_s() + ttl)
}

pub fn sign_with(
    secret: &str,
    code: &str,
    number: &str,
    refid: &str,
    max_price: i64,
    expires_at: i64,
) -> String {
    sign_order(
        secret.as_bytes(),
        &OrderGrant {
            kode_produk: code.into(),
            nomor_tujuan: number.into(),
            refid: refid.into(),
            max_price,
            expires_at,
        },
    )
    .unwrap()
}

/// What a local upstream received.
#[derive(Clone, Debug, Default)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub type Log = Arc<Mutex<Vec<Seen>>>;

/// A local HTTP server answering every request with `reply(seen)`; records each request.
pub async fn upstream<F>(reply: F) -> (String, Log)
where
    F: Fn(&Seen) -> axum::response::Response + Clone + Send + Sync + 'static,
{
    let log: Log = Default::default();
    let l = log.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let reply = reply.clone();
        let l = l.clone();
        async move {
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
            let seen = Seen {
                method: parts.method.to_string(),
                uri: parts.uri.to_string(),
                headers: parts
                    .headers
                    .iter()
                    .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                    .collect(),
                body: String::from_utf8_lossy(&body).into_owned(),
            };
            let r = reply(&seen);
            l.lock().unwrap().push(seen);
            r
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}

/// A valid listProducts answer with one product.
pub fn products_json(title: &str) -> Value {
    serde_json::json!({
        "success": true, "type": "all", "title": title, "providers_used": [],
        "data": {"ready": [{"kode_produk": "XLA10", "nama_produk": "XL 10GB", "deskripsi": "-",
            "harga_final": 20000, "stok": 5, "type": "xla", "provider": "KUBER"}], "empty": []}
    })
}
