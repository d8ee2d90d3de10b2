//! Shared test helpers: start a sandbox on 127.0.0.1:0, call it with the core's
//! `Client::encode`/`decode` over a real HTTP transport (reqwest), and validate every
//! answer body against the committed `schema/json` schemas.

use ics_reseller::actions::{Action, CheckTransaction, CreateTransaction};
use ics_reseller::{
    ApiKey, Client, Config as ClientConfig, CreateTransactionRequest, Error, HttpRequest, TxStatus,
};
use ics_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const VERIFIED: &str = "sk_test_verified";
pub const UNVERIFIED: &str = "sk_test_unverified";
pub const INACTIVE: &str = "sk_test_inactive";
pub const LOWBALANCE: &str = "sk_test_lowbalance";

/// Settle delay used by the tests.
pub const SETTLE_MS: u64 = 40;

/// A running sandbox plus an HTTP client.
pub struct Sb {
    pub sandbox: Sandbox,
    pub url: String,
    pub http: reqwest::Client,
}

/// An HTTP client that never goes through a proxy.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// The test configuration: an ephemeral port and a short settle delay.
pub fn test_config() -> Config {
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        settle_ms: SETTLE_MS,
        ..Config::default()
    }
}

pub async fn start() -> Sb {
    start_with(|_| {}).await
}

pub async fn start_with(edit: impl FnOnce(&mut Config)) -> Sb {
    let mut config = test_config();
    edit(&mut config);
    let sandbox = ics_sandbox::serve(config).await.expect("sandbox starts");
    let url = sandbox.url().to_owned();
    Sb {
        sandbox,
        url,
        http: http_client(),
    }
}

/// One answer: status, raw body, and what the core made of it.
pub struct Answer<A: Action> {
    pub status: u16,
    pub body: Value,
    pub raw: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
    pub result: Result<A::Response, Error>,
}

impl<A: Action> Answer<A> {
    #[track_caller]
    pub fn ok(self) -> A::Response {
        match self.result {
            Ok(r) => r,
            Err(e) => panic!("{} failed: {e:?}\nbody: {}", A::NAME, self.body),
        }
    }

    #[track_caller]
    pub fn err(self) -> Error {
        match self.result {
            Ok(r) => panic!("{} should fail, got {r:?}", A::NAME),
            Err(e) => e,
        }
    }
}

fn schemas() -> &'static HashMap<String, jsonschema::Validator> {
    static S: OnceLock<HashMap<String, jsonschema::Validator>> = OnceLock::new();
    S.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema/json");
        let mut out = HashMap::new();
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap();
            let Some(ty) = name.strip_suffix(".schema.json") else {
                continue;
            };
            let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let v = jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
            out.insert(ty.to_owned(), v);
        }
        assert!(out.len() >= 10, "schemas found in {}", dir.display());
        out
    })
}

/// Validates `body` against the committed schema `type_name`, listing every error.
#[track_caller]
pub fn assert_schema(type_name: &str, body: &Value) {
    let v = schemas()
        .get(type_name)
        .unwrap_or_else(|| panic!("no committed schema {type_name}"));
    let errors: Vec<String> = v
        .iter_errors(body)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{type_name}: {errors:#?}\n{body:#}");
}

/// The schema an answer of action `A` must satisfy: `ErrorBody` when it has `error`.
#[track_caller]
pub fn assert_answer_schema<A: Action>(body: &Value) {
    if body.get("error").is_some() {
        assert_schema("ErrorBody", body);
    } else {
        assert_schema(&<A::Response as schemars::JsonSchema>::schema_name(), body);
    }
}

impl Sb {
    /// A core client for the API with this key (header auth).
    pub fn client(&self, key: &str) -> Client {
        Client::new(ClientConfig::new(&self.url, Some(ApiKey::new(key).unwrap())).unwrap())
    }

    /// A core client with no key (for the gateway, or to test 401).
    pub fn keyless(&self, base: &str) -> Client {
        Client::new(ClientConfig::new(format!("{}{base}", self.url), None).unwrap())
    }

    /// Sends an encoded request; `Err` is the transport's error text.
    pub async fn send(
        &self,
        req: &HttpRequest,
    ) -> Result<(u16, reqwest::header::HeaderMap, Vec<u8>), String> {
        let mut rb = match req.method {
            ics_reseller::Method::Get => self.http.get(&req.url),
            ics_reseller::Method::Post => self.http.post(&req.url),
        };
        for (k, v) in &req.headers {
            rb = rb.header(*k, v);
        }
        if let Some(b) = &req.body {
            rb = rb.body(b.clone());
        }
        let resp = rb.send().await.map_err(|e| format!("{e:?}"))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(|e| format!("{e:?}"))?;
        Ok((status, headers, bytes.to_vec()))
    }

    /// Calls `A` through `client`: encode, send, validate the body's schema (when it is
    /// JSON), decode. A transport failure becomes `Error::Network`.
    pub async fn call_with<A: Action>(&self, client: &Client, req: A::Request) -> Answer<A> {
        let http = client.encode::<A>(req).expect("request encodes");
        match self.send(&http).await {
            Ok((status, headers, raw)) => {
                let retry_after = headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let body: Value = serde_json::from_slice(&raw).unwrap_or(Value::Null);
                let result = client.decode::<A>(status, retry_after.as_deref(), &raw);
                Answer {
                    status,
                    body,
                    raw,
                    headers,
                    result,
                }
            }
            Err(message) => Answer {
                status: 0,
                body: Value::Null,
                raw: Vec::new(),
                headers: Default::default(),
                result: Err(Error::Network { message }),
            },
        }
    }

    /// Calls `A` with `key` and checks the body against its committed schema.
    pub async fn call<A: Action>(&self, key: &str, req: A::Request) -> Answer<A> {
        let a = self.call_with::<A>(&self.client(key), req).await;
        assert_json_answer::<A>(&a);
        a
    }

    /// GET a sandbox URL path; the JSON body.
    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let r = self.http.get(format!("{}{path}", self.url)).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON to a sandbox URL path; the JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .header("Content-Type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// `GET /__sandbox/state?key=KEY`.
    pub async fn state(&self, key: &str) -> Value {
        let (s, v) = self.get_json(&format!("/__sandbox/state?key={key}")).await;
        assert_eq!(s, 200, "{v}");
        v
    }

    /// Arms a fault; panics unless accepted.
    pub async fn arm(&self, spec: Value) {
        let (s, v) = self.post_json("/__sandbox/faults", &spec).await;
        assert_eq!(s, 200, "{v}");
    }

    /// Places an order with `key`.
    pub async fn order(&self, key: &str, code: &str, number: &str, refid: &str) -> Answer<CreateTransaction> {
        self.call::<CreateTransaction>(key, order_req(code, number, refid))
            .await
    }

    /// Places an order without the core's input checks (to test the server's own), then
    /// reads the answer with the core's decode.
    pub async fn order_unchecked(
        &self,
        key: &str,
        code: &str,
        number: &str,
        refid: &str,
    ) -> Answer<CreateTransaction> {
        let client = self.client(key);
        let mut http = client
            .encode::<CreateTransaction>(order_req("XLA10", "081234567890", "VALID"))
            .unwrap();
        http.body = Some(
            serde_json::json!({"kode_produk": code, "nomor_tujuan": number, "refid": refid}).to_string(),
        );
        let (status, headers, raw) = self.send(&http).await.expect("answered");
        let body: Value = serde_json::from_slice(&raw).unwrap();
        assert_answer_schema::<CreateTransaction>(&body);
        let result = client.decode::<CreateTransaction>(status, None, &raw);
        Answer {
            status,
            body,
            raw,
            headers,
            result,
        }
    }

    /// Polls checkTransaction until the order's status is `want` (at most 30 s).
    pub async fn wait_status(
        &self,
        key: &str,
        refid: &str,
        want: TxStatus,
    ) -> ics_reseller::CheckTransactionResponse {
        let start = Instant::now();
        loop {
            let r = self
                .call::<CheckTransaction>(key, ics_reseller::RefIdRequest { refid: refid.into() })
                .await
                .ok();
            if r.status == want {
                return r;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{refid} still {} after 30 s, want {want}",
                r.status
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Stops the sandbox and waits until it has.
    pub async fn stop(self) {
        self.sandbox.shutdown().await;
    }
}

/// Checks a JSON answer's schema (nothing to check when the body is not JSON).
#[track_caller]
pub fn assert_json_answer<A: Action>(a: &Answer<A>) {
    if !a.body.is_null() {
        assert_answer_schema::<A>(&a.body);
    }
}

pub fn order_req(code: &str, number: &str, refid: &str) -> CreateTransactionRequest {
    CreateTransactionRequest {
        kode_produk: code.into(),
        nomor_tujuan: number.into(),
        refid: refid.into(),
    }
}

/// Polls `cond` every 10 ms for at most 30 s (a deadline for a loaded machine, not a timing).
pub async fn eventually<F: FnMut() -> Fut, Fut: std::future::Future<Output = bool>>(what: &str, mut cond: F) {
    let start = Instant::now();
    while !cond().await {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
