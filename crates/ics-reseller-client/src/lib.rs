//! Native async client for the ICS-Store Reseller API, over the sans-IO core.
//!
//! The core ([`ics_reseller`]) encodes every request and decodes every answer; this crate
//! only moves bytes: [reqwest] with rustls on tokio. It adds what needs a clock and a
//! socket, with the same rules as the npm package:
//!
//! - a timeout per attempt ([`Error::Timeout`]);
//! - reads retried by the core's [`RetryPolicy`] (exponential backoff with jitter,
//!   `Retry-After` honoured); writes never retried blindly;
//! - [`Client::create_transaction`] driving the core's [`Reconciler`]: an order whose answer
//!   was lost is looked up with checkTransaction under the same refid and re-sent only
//!   after an explicit 404 ([`Client::create_transaction_with`] sends the order token on
//!   each of those requests, as `ics-gateway` requires);
//! - no redirect ever followed (a 3xx is an [`Error::HttpStatus`]), so the key never
//!   travels to another host;
//! - the key travels in the `X-API-Key` header (in the URL only with [`AuthMode::Query`]),
//!   is cut out of every error text, and `Debug` never shows it.
//!
//! ```no_run
//! # async fn run() -> Result<(), ics_reseller::Error> {
//! use ics_reseller::{CreateTransactionRequest, ListProductsRequest, ProductType};
//! let client = ics_reseller_client::Client::new("https://reseller.ics-store.my.id", Some("YOUR_KEY"))?;
//! let products = client
//!     .list_products(ListProductsRequest { product_type: ProductType::Xla, providers: None })
//!     .await?;
//! let placed = client
//!     .create_transaction(CreateTransactionRequest {
//!         kode_produk: products.data.ready[0].kode_produk.clone(),
//!         nomor_tujuan: "081234567890".into(),
//!         refid: ics_reseller_client::new_refid(),
//!     })
//!     .await?;
//! println!("placed {}", placed.refid());
//! # Ok(()) }
//! ```
//!
//! A runnable version against a local sandbox is `examples/quickstart.rs` (run by the
//! crate's tests).

#![warn(missing_docs)]

use ics_reseller::actions::{self, Action};
use ics_reseller::{
    ApiKey, AuthMode, CheckTransactionResponse, Config, CreateTransactionRequest, CreateTransactionResponse,
    Error, HttpRequest, Method, Placed, ReconcilePolicy, Reconciler, RetryPolicy, Step,
};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use ics_reseller;

/// Timeout of one attempt unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer body read; a longer one is a decode error.
pub const MAX_BODY_BYTES: usize = 8 << 20;
/// Header carrying an order token to a gateway (see `ics_reseller::token`).
pub const ORDER_TOKEN_HEADER: &str = "X-Order-Token";

/// A new refid: time-ordered, with 80 random bits (the core's [`ics_reseller::new_refid`]
/// fed with the clock and the OS's randomness).
pub fn new_refid() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut random = [0u8; 10];
    fill_random(&mut random);
    ics_reseller::new_refid(ms, random)
}

fn fill_random(buf: &mut [u8]) {
    if getrandom::getrandom(buf).is_err() {
        // No OS randomness: fall back to the clock (refids stay unique per millisecond
        // only with luck, so this is a last resort that never happens on supported OSes).
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8;
        }
    }
}

fn random_unit() -> f64 {
    let mut b = [0u8; 8];
    fill_random(&mut b);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    base_url: String,
    api_key: Option<String>,
    auth: AuthMode,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    reconcile: ReconcilePolicy,
    root_certs: Vec<Vec<u8>>,
    user_agent: String,
    proxy: bool,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "***"))
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("reconcile", &self.reconcile)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key (`None` behind a gateway that adds it).
    pub fn api_key(mut self, key: Option<&str>) -> Self {
        self.api_key = key.map(str::to_owned);
        self
    }

    /// Where the key travels; [`AuthMode::Query`] puts it in URLs (opt-in only).
    pub fn auth(mut self, auth: AuthMode) -> Self {
        self.auth = auth;
        self
    }

    /// Timeout of one attempt (connect, send, read the whole answer).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout of establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The read retry policy ([`RetryPolicy::NEVER`] to turn retries off).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long [`Client::create_transaction`] keeps reconciling.
    pub fn reconcile(mut self, policy: ReconcilePolicy) -> Self {
        self.reconcile = policy;
        self
    }

    /// Trusts this PEM certificate (a private CA) besides the built-in roots.
    pub fn add_root_certificate_pem(mut self, pem: &[u8]) -> Self {
        self.root_certs.push(pem.to_vec());
        self
    }

    /// The `User-Agent` sent.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }

    /// Whether the system's proxy settings (`HTTPS_PROXY`, …) apply (default: yes).
    pub fn use_system_proxy(mut self, proxy: bool) -> Self {
        self.proxy = proxy;
        self
    }

    /// Builds the client; fails on a bad base URL, key or certificate.
    pub fn build(self) -> Result<Client, Error> {
        let key = self.api_key.map(ApiKey::new).transpose()?;
        let mut config = Config::new(self.base_url, key)?;
        config.auth = self.auth;
        let mut b = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .https_only(false);
        if !self.proxy {
            b = b.no_proxy();
        }
        for pem in &self.root_certs {
            let cert = reqwest::Certificate::from_pem(pem)
                .map_err(|e| Error::invalid("rootCertificate", e.without_url().to_string()))?;
            b = b.add_root_certificate(cert);
        }
        let http = b
            .build()
            .map_err(|e| Error::invalid("client", e.without_url().to_string()))?;
        Ok(Client {
            core: ics_reseller::Client::new(config),
            http,
            timeout: self.timeout,
            retry: self.retry,
            reconcile: self.reconcile,
        })
    }
}

/// A native async client. Cheap to clone (one connection pool).
#[derive(Clone)]
pub struct Client {
    core: ics_reseller::Client,
    http: reqwest::Client,
    timeout: Duration,
    retry: RetryPolicy,
    reconcile: ReconcilePolicy,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.core.config();
        f.debug_struct("Client")
            .field("base_url", &c.base_url)
            .field("api_key", &c.api_key.as_ref().map(|_| "***"))
            .field("auth", &c.auth)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("reconcile", &self.reconcile)
            .finish()
    }
}

/// One raw answer: status, `Retry-After`, body bytes.
struct RawAnswer {
    status: u16,
    retry_after: Option<String>,
    body: Vec<u8>,
}

impl Client {
    /// A client with the defaults (header auth, 30 s timeout, default retry and
    /// reconciliation policies).
    pub fn new(base_url: impl Into<String>, api_key: Option<&str>) -> Result<Client, Error> {
        Client::builder(base_url).api_key(api_key).build()
    }

    /// A builder for `base_url`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            api_key: None,
            auth: AuthMode::Header,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            reconcile: ReconcilePolicy::default(),
            root_certs: Vec::new(),
            user_agent: concat!("ics-reseller-client/", env!("CARGO_PKG_VERSION")).to_owned(),
            proxy: true,
        }
    }

    /// The core client (configuration, encode, decode).
    pub fn core(&self) -> &ics_reseller::Client {
        &self.core
    }

    /// Calls action `A`: reads are retried by the [`RetryPolicy`]; a write is sent once
    /// (for orders use [`Client::create_transaction`], which reconciles).
    pub async fn call<A: Action>(&self, request: A::Request) -> Result<A::Response, Error> {
        self.call_with::<A>(request, &[]).await
    }

    /// [`Client::call`] with extra request headers (e.g. [`ORDER_TOKEN_HEADER`]). The
    /// headers the core sets (key, content type) cannot be replaced.
    pub async fn call_with<A: Action>(
        &self,
        request: A::Request,
        extra_headers: &[(&str, &str)],
    ) -> Result<A::Response, Error> {
        let http = self.core.encode::<A>(request)?;
        let mut attempt = 0;
        loop {
            let result = self.send_decode::<A>(&http, extra_headers).await;
            match result {
                Ok(r) => return Ok(r),
                Err(e) => match self.retry.delay_ms(attempt, &e, A::WRITE, random_unit()) {
                    Some(ms) => {
                        attempt += 1;
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                    }
                    None => return Err(e),
                },
            }
        }
    }

    /// Sends action `A` exactly once, no retry.
    pub async fn call_once<A: Action>(
        &self,
        request: A::Request,
        extra_headers: &[(&str, &str)],
    ) -> Result<A::Response, Error> {
        let http = self.core.encode::<A>(request)?;
        self.send_decode::<A>(&http, extra_headers).await
    }

    async fn send_decode<A: Action>(
        &self,
        http: &HttpRequest,
        extra_headers: &[(&str, &str)],
    ) -> Result<A::Response, Error> {
        let raw = self.send(http, extra_headers).await?;
        self.core
            .decode::<A>(raw.status, raw.retry_after.as_deref(), &raw.body)
    }

    async fn send(&self, req: &HttpRequest, extra_headers: &[(&str, &str)]) -> Result<RawAnswer, Error> {
        let mut rb = match req.method {
            Method::Get => self.http.get(&req.url),
            Method::Post => self.http.post(&req.url),
        };
        for (k, v) in extra_headers {
            if !req.headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
                rb = rb.header(*k, *v);
            }
        }
        for (k, v) in &req.headers {
            rb = rb.header(*k, v);
        }
        if let Some(b) = &req.body {
            rb = rb.body(b.clone());
        }
        let timeout = self.timeout;
        let work = async {
            let mut resp = rb.send().await.map_err(|e| self.transport_error(e))?;
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let mut body = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport_error(e))? {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(Error::decode(
                        status,
                        format!("the body is longer than {MAX_BODY_BYTES} bytes"),
                        ics_reseller::http::snippet(&body),
                    ));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(RawAnswer {
                status,
                retry_after,
                body,
            })
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(r) => r.map_err(|e| self.core.redact(e)),
            Err(_) => Err(Error::Timeout {
                after_ms: timeout.as_millis() as u64,
            }),
        }
    }

    fn transport_error(&self, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            return Error::Timeout {
                after_ms: self.timeout.as_millis() as u64,
            };
        }
        // The URL may carry the key (AuthMode::Query): never in the message.
        let e = e.without_url();
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        Error::Network { message }
    }

    /// Places an order and reconciles when its answer is lost (API.md rule 7): the same
    /// refid is looked up with checkTransaction, and re-sent only after an explicit 404.
    /// Ends with the order placed, certainly not placed, or [`Error::MaybeCommitted`].
    pub async fn create_transaction(&self, request: CreateTransactionRequest) -> Result<Placed, Error> {
        self.create_transaction_with(request, None).await
    }

    /// [`Client::create_transaction`] through a gateway that wants an order token: the
    /// token travels in `X-Order-Token` on the first send, on the reconciliation's checks
    /// (the gateway answers a public checkTransaction only to the order's token) and on any
    /// re-send.
    pub async fn create_transaction_with(
        &self,
        request: CreateTransactionRequest,
        order_token: Option<&str>,
    ) -> Result<Placed, Error> {
        // Checked and normalised once, so the re-send is byte-identical.
        let http = self.core.encode::<actions::CreateTransaction>(request.clone())?;
        let refid = ics_reseller::validate::Prepare::prepare(request)?.refid;
        let headers: Vec<(&str, &str)> = order_token
            .map(|t| vec![(ORDER_TOKEN_HEADER, t)])
            .unwrap_or_default();
        let check_req = ics_reseller::RefIdRequest { refid: refid.clone() };
        let mut rec = Reconciler::new(refid, self.reconcile);
        let first: Result<CreateTransactionResponse, Error> = self
            .send_decode::<actions::CreateTransaction>(&http, &headers)
            .await;
        let mut step = rec.on_submit(first);
        loop {
            step = match step {
                Step::Check { after_ms } => {
                    tokio::time::sleep(Duration::from_millis(after_ms)).await;
                    // The gateway answers a check only with the order's token.
                    let r: Result<CheckTransactionResponse, Error> = self
                        .call_once::<actions::CheckTransaction>(check_req.clone(), &headers)
                        .await;
                    rec.on_check(r)
                }
                Step::Resend => {
                    let r = self
                        .send_decode::<actions::CreateTransaction>(&http, &headers)
                        .await;
                    rec.on_submit(r)
                }
                Step::Done(result) => return result,
            }
        }
    }

    /// `ping`.
    pub async fn ping(&self) -> Result<ics_reseller::PingResponse, Error> {
        self.call::<actions::Ping>(ics_reseller::NoParams {}).await
    }

    /// `getProfile`.
    pub async fn get_profile(&self) -> Result<ics_reseller::GetProfileResponse, Error> {
        self.call::<actions::GetProfile>(ics_reseller::NoParams {}).await
    }

    /// `getBalance`.
    pub async fn get_balance(&self) -> Result<ics_reseller::GetBalanceResponse, Error> {
        self.call::<actions::GetBalance>(ics_reseller::NoParams {}).await
    }

    /// `listProducts`.
    pub async fn list_products(
        &self,
        request: ics_reseller::ListProductsRequest,
    ) -> Result<ics_reseller::ListProductsResponse, Error> {
        self.call::<actions::ListProducts>(request).await
    }

    /// `checkTransaction` by refid.
    pub async fn check_transaction(&self, refid: &str) -> Result<CheckTransactionResponse, Error> {
        self.check_transaction_with(refid, None).await
    }

    /// `checkTransaction` through a gateway: `ics-gateway` answers a public check only with
    /// the order's token (the one its createTransaction carried; expired is fine), sent in
    /// `X-Order-Token`.
    pub async fn check_transaction_with(
        &self,
        refid: &str,
        order_token: Option<&str>,
    ) -> Result<CheckTransactionResponse, Error> {
        let headers: Vec<(&str, &str)> = order_token
            .map(|t| vec![(ORDER_TOKEN_HEADER, t)])
            .unwrap_or_default();
        self.call_with::<actions::CheckTransaction>(
            ics_reseller::RefIdRequest { refid: refid.into() },
            &headers,
        )
        .await
    }

    /// `getHistory`.
    pub async fn get_history(
        &self,
        request: ics_reseller::GetHistoryRequest,
    ) -> Result<ics_reseller::GetHistoryResponse, Error> {
        self.call::<actions::GetHistory>(request).await
    }

    /// `getStatistik`.
    pub async fn get_statistik(&self) -> Result<ics_reseller::GetStatistikResponse, Error> {
        self.call::<actions::GetStatistik>(ics_reseller::NoParams {})
            .await
    }

    /// `resubmitWebhook` (a write: sent once).
    pub async fn resubmit_webhook(
        &self,
        refid: &str,
    ) -> Result<ics_reseller::ResubmitWebhookResponse, Error> {
        self.call::<actions::ResubmitWebhook>(ics_reseller::RefIdRequest { refid: refid.into() })
            .await
    }
}
