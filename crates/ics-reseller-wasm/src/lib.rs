//! WebAssembly client of the ICS-Store Reseller API over `fetch`: the `ics-reseller` npm
//! package (built by `cargo xtask build-wasm`).
//!
//! Thin by design (DESIGN.md invariant 3): this crate converts JS values, calls `fetch` and
//! runs timers. Encoding, status mapping, validation, the retry policy
//! ([`ics_reseller::RetryPolicy`]), the order reconciliation ([`ics_reseller::Reconciler`]),
//! refids, phone rules and webhook parsing all come from the core crate.
//!
//! - [`ResellerClient`]: one method per action of the core's table, plus
//!   `waitForTransaction`; the JS entry adds `history()`.
//! - [`convert`]: JS values ⇄ core types; the core's `Error` as the JS `ResellerError`.
//! - [`transport`]: one exchange over `fetch` with timeout and `AbortSignal`, and `sleep`.
//!
//! The TypeScript declarations are `js/types.generated.d.ts` (from the core, by
//! `cargo xtask codegen`) followed by the hand-written `js/index.d.ts`; wasm-bindgen's own
//! are not used.

pub mod convert;
pub mod transport;

/// Talc instead of the default dlmalloc: smaller and faster in wasm (see ARCHITECTURE.md).
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use std::rc::Rc;

use convert::{from_js, get, to_js, to_js_error};
use ics_reseller::{
    actions::{self, Action},
    ActionKind, ApiKey, AuthMode, Client, Config, CreateTransactionRequest, Error, ErrorCode, HttpRequest,
    Placed, ReconcilePolicy, Reconciler, RefIdRequest, RetryPolicy, Step, TxStatus,
};
use js_sys::{Array, Function, Promise};
use transport::{aborted, exchange, sleep};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

/// Default time one HTTP exchange may take.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
/// The header that carries an order token to the gateway (the `orderToken` option of
/// `createTransaction`, `checkTransaction` and `waitForTransaction`); the gateway refuses
/// an order, and a public check of it, without a valid one.
pub const ORDER_TOKEN_HEADER: &str = "X-Order-Token";
/// Default poll interval of `waitForTransaction`.
pub const DEFAULT_WAIT_INTERVAL_MS: u32 = 2_000;
/// Default overall limit of `waitForTransaction`.
pub const DEFAULT_WAIT_TIMEOUT_MS: u32 = 120_000;

/// Whether this runs in a browser page (`window` and `document` exist), where anyone who
/// opens the developer tools can read an API key.
fn in_browser_page() -> bool {
    let global = js_sys::global();
    ["window", "document"]
        .iter()
        .all(|k| !get(&global, k).is_undefined())
}

/// A relative `baseUrl` (`/gateway`) resolved against the page's `location` (browsers and
/// workers); an absolute one, or any outside a page, is returned as it is (the core checks it).
fn resolve_base_url(base: String) -> String {
    if base.starts_with("http://") || base.starts_with("https://") {
        return base;
    }
    let global = js_sys::global();
    let href = get(&get(&global, "location"), "href");
    let Ok(url) = get(&global, "URL").dyn_into::<Function>() else {
        return base;
    };
    if href.as_string().is_none() {
        return base;
    }
    js_sys::Reflect::construct(&url, &Array::of2(&JsValue::from_str(&base), &href))
        .ok()
        .and_then(|u| get(&u, "href").as_string())
        .unwrap_or(base)
}

fn opt_string(options: &JsValue, key: &'static str) -> Result<Option<String>, Error> {
    let v = get(options, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| Error::invalid(key, "must be a string"))
}

fn opt_uint(options: &JsValue, key: &'static str, max: u32) -> Result<Option<u32>, Error> {
    let v = get(options, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(max)).contains(&n) => Ok(Some(n as u32)),
        _ => Err(Error::invalid(
            key,
            format!("must be a whole number from 0 to {max}"),
        )),
    }
}

fn opt_signal(options: &JsValue) -> Result<Option<AbortSignal>, Error> {
    let v = get(options, "signal");
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    // `instanceof` fails across realms and polyfills: accept anything shaped like a signal.
    if !get(&v, "aborted").is_undefined() && get(&v, "addEventListener").is_function() {
        Ok(Some(v.unchecked_into()))
    } else {
        Err(Error::invalid("signal", "must be an AbortSignal"))
    }
}

/// The `orderToken` call option of createTransaction, checkTransaction and
/// waitForTransaction: a `v1.<payload>.<mac>` token as the shop's backend signed it
/// (checked for shape only; the gateway checks the rest).
fn opt_order_token(options: &JsValue) -> Result<Option<String>, Error> {
    let Some(token) = opt_string(options, "orderToken")? else {
        return Ok(None);
    };
    let shape = token.len() <= ics_reseller::token::MAX_TOKEN_LEN
        && token.starts_with("v1.")
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !shape {
        return Err(Error::invalid(
            "orderToken",
            "must be an order token as signOrder() makes it (v1.<payload>.<mac>)",
        ));
    }
    Ok(Some(token))
}

/// Adds `X-Order-Token: token` to an encoded request, when the call has a token.
fn with_token(http: &mut HttpRequest, o: &CallOpts) {
    if let Some(token) = &o.token {
        http.headers.push((ORDER_TOKEN_HEADER, token.clone()));
    }
}

/// Per-call options: `{ signal?, timeoutMs?, orderToken? }` (the token read once per call,
/// sent by the methods that take it).
struct CallOpts {
    signal: Option<AbortSignal>,
    timeout_ms: u32,
    token: Option<String>,
}

struct Inner {
    core: Client,
    timeout_ms: u32,
    retry: RetryPolicy,
    reconcile: ReconcilePolicy,
    fetch: Option<Function>,
}

impl Inner {
    fn call_opts(&self, options: &JsValue) -> Result<CallOpts, Error> {
        Ok(CallOpts {
            signal: opt_signal(options)?,
            timeout_ms: opt_uint(options, "timeoutMs", 3_600_000)?.unwrap_or(self.timeout_ms),
            token: opt_order_token(options)?,
        })
    }

    /// One exchange and its typed decoding by the core, no retry (createTransaction and
    /// its checks, which the [`Reconciler`] reads).
    async fn once<A: Action>(&self, http: &HttpRequest, o: &CallOpts) -> Result<A::Response, Error> {
        let a = exchange(self.fetch.as_ref(), http, o.signal.as_ref(), o.timeout_ms)
            .await
            .map_err(|e| self.core.redact(e))?;
        self.decode_typed::<A>(a.status, a.retry_after.as_deref(), &a.text)
    }

    /// The core's decode of a body: its text copied into the wasm once and parsed there by
    /// the core's [`Value::from_json`](ics_reseller::value::Value::from_json) (a value
    /// `JSON.parse` built would cross the boundary once per key and string: ~25× slower at
    /// 10,000 products, see ARCHITECTURE.md's decisions).
    fn decode_typed<A: Action>(
        &self,
        status: u16,
        retry_after: Option<&str>,
        text: &JsValue,
    ) -> Result<A::Response, Error> {
        let text = convert::text_of(text);
        let value = ics_reseller::value::Value::from_json(&text).map_err(|e| e.to_string());
        let de = value.as_ref().map(|v| move || v).map_err(Clone::clone);
        self.core
            .decode_parsed::<A, _>(status, retry_after, de, &|| text.clone().into_bytes())
    }

    /// One exchange decoded as a JS value: the fast path of `js/decode.js` for a success
    /// its generated check takes, the core for everything else. No retry.
    async fn once_js(&self, kind: ActionKind, http: &HttpRequest, o: &CallOpts) -> Result<JsValue, Error> {
        let a = exchange(self.fetch.as_ref(), http, o.signal.as_ref(), o.timeout_ms)
            .await
            .map_err(|e| self.core.redact(e))?;
        self.decode_js(kind, a.status, a.retry_after.as_deref(), &a.text)
    }

    /// One answer (body text) as a JS value: parsed once by `JSON.parse`; the fast path of
    /// `js/decode.js` for a success its generated check takes, the core for everything else.
    fn decode_js(
        &self,
        kind: ActionKind,
        status: u16,
        retry_after: Option<&str>,
        text: &JsValue,
    ) -> Result<JsValue, Error> {
        if let Some(v) = convert::fast_answer(kind.name(), status, text) {
            return Ok(v);
        }
        ics_reseller::with_action!(kind, A => self
            .decode_typed::<A>(status, retry_after, text)
            .and_then(|r| to_js(&r)))
    }

    /// An action sent once (a write) or retried as the core's [`RetryPolicy`] says (a read).
    async fn send(&self, kind: ActionKind, http: &HttpRequest, o: &CallOpts) -> Result<JsValue, Error> {
        let mut attempt = 0;
        loop {
            let err = match self.once_js(kind, http, o).await {
                Ok(r) => return Ok(r),
                Err(e) => e,
            };
            match self
                .retry
                .delay_ms(attempt, &err, kind.is_write(), js_sys::Math::random())
            {
                Some(ms) => sleep(ms, o.signal.as_ref()).await?,
                None => return Err(err),
            }
            attempt += 1;
        }
    }

    /// An action: createTransaction is placed ([`Inner::place`], resolving `{ outcome,
    /// refid, response }`); any other is encoded, sent (reads with retries) and decoded.
    async fn call(&self, kind: ActionKind, params: JsValue, options: JsValue) -> Result<JsValue, Error> {
        if kind == ActionKind::CreateTransaction {
            return self.place(params, options).await;
        }
        let mut http = ics_reseller::with_action!(kind, A => {
            let request: <A as Action>::Request = from_js(&params, "params")?;
            self.core.encode::<A>(request)?
        });
        let o = self.call_opts(&options)?;
        if kind == ActionKind::CheckTransaction {
            with_token(&mut http, &o);
        }
        self.send(kind, &http, &o).await
    }

    /// createTransaction driven by the core's [`Reconciler`]: the refid generated when
    /// absent, an unknown outcome reconciled with checkTransaction.
    async fn place(&self, params: JsValue, options: JsValue) -> Result<JsValue, Error> {
        // A copy of the caller's object with a refid when it has none (or null, or "").
        let params = if params.is_undefined() || params.is_null() {
            js_sys::Object::new().into()
        } else if params.is_object() && !Array::is_array(&params) {
            let copy = js_sys::Object::assign(&js_sys::Object::new(), params.unchecked_ref());
            let refid = get(&copy, "refid");
            if refid.is_undefined() || refid.is_null() || refid.as_string().is_some_and(|s| s.is_empty()) {
                let _ = js_sys::Reflect::set(&copy, &"refid".into(), &new_ref_id().into());
            }
            copy.into()
        } else {
            params
        };
        let request: CreateTransactionRequest = from_js(&params, "params")?;
        let o = self.call_opts(&options)?;
        let refid = request.refid.clone();
        let mut create = self.core.encode::<actions::CreateTransaction>(request)?;
        let mut check = self
            .core
            .encode::<actions::CheckTransaction>(RefIdRequest { refid: refid.clone() })?;
        // The same request (token included) is what the reconciliation re-sends after a
        // 404; its checks carry the token too (the gateway answers a check only to it).
        with_token(&mut check, &o);
        with_token(&mut create, &o);
        if aborted(o.signal.as_ref()) {
            return Err(Error::Aborted); // nothing was sent
        }
        let mut r = Reconciler::new(refid, self.reconcile);
        let mut step = r.on_submit(self.once::<actions::CreateTransaction>(&create, &o).await);
        let placed = loop {
            step = match step {
                Step::Done(result) => break result?,
                _ if aborted(o.signal.as_ref()) => return Err(r.abort()),
                Step::Check { after_ms } => {
                    if sleep(after_ms, o.signal.as_ref()).await.is_err() {
                        return Err(r.abort());
                    }
                    r.on_check(self.once::<actions::CheckTransaction>(&check, &o).await)
                }
                Step::Resend => r.on_submit(self.once::<actions::CreateTransaction>(&create, &o).await),
            };
        };
        let (outcome, response) = match &placed {
            Placed::Accepted(a) => ("accepted", to_js(a)?),
            Placed::Found(f) => ("found", to_js(f)?),
        };
        let out = js_sys::Object::new();
        for (k, v) in [
            ("outcome", JsValue::from_str(outcome)),
            ("refid", JsValue::from_str(placed.refid())),
            ("response", response),
        ] {
            let _ = js_sys::Reflect::set(&out, &k.into(), &v);
        }
        Ok(out.into())
    }

    /// Polls checkTransaction until the order is final or the time is up.
    async fn wait(&self, refid: String, options: JsValue) -> Result<JsValue, Error> {
        let o = self.call_opts(&options)?;
        let interval = opt_uint(&options, "intervalMs", 3_600_000)?.unwrap_or(DEFAULT_WAIT_INTERVAL_MS);
        let limit = opt_uint(&options, "timeoutMs", 86_400_000)?.unwrap_or(DEFAULT_WAIT_TIMEOUT_MS);
        let o = CallOpts {
            timeout_ms: self.timeout_ms.min(limit.max(1)),
            ..o
        };
        let mut http = self
            .core
            .encode::<actions::CheckTransaction>(RefIdRequest { refid })?;
        with_token(&mut http, &o);
        let deadline = js_sys::Date::now() + f64::from(limit);
        loop {
            let answer = self.send(ActionKind::CheckTransaction, &http, &o).await?;
            let status = get(&answer, "status").as_string().unwrap_or_default();
            if TxStatus::parse(&status).is_final() {
                return Ok(answer);
            }
            if js_sys::Date::now() + f64::from(interval) > deadline {
                return Err(Error::Timeout {
                    after_ms: u64::from(limit),
                });
            }
            sleep(u64::from(interval), o.signal.as_ref()).await?;
        }
    }
}

/// What one promise of the client runs: an action method, or `waitForTransaction`.
enum Call {
    /// An action of the core's table, with its `params` and call options.
    Action(ActionKind, JsValue, JsValue),
    /// `waitForTransaction(refid, options)`.
    Wait(JsValue, JsValue),
}

/// The client: `new ResellerClient({ baseUrl, apiKey?, auth?, timeoutMs?, retries?,
/// allowBrowserKey?, fetch? })`. Its `Debug`/`console.log` never show the key.
#[wasm_bindgen(skip_typescript)]
pub struct ResellerClient {
    inner: Rc<Inner>,
}

/// The core's table of actions ([`ics_reseller::for_each_action!`]) as methods of
/// [`ResellerClient`]: one per row, named by its `js`/`snake` columns, taking `params` when
/// the row says it has parameters. Each method is its own `#[wasm_bindgen] impl` block, so
/// the choice between the two shapes is made before wasm-bindgen reads it.
macro_rules! action_methods {
    (; $(
        $(#[$doc:meta])*
        $ty:ident {
            name: $name:literal, js: $js:tt, snake: $snake:ident, method: $method:ident,
            request: $req:ty, response: $resp:ty,
            write: $write:literal, params: $params:tt, tag: $tag:ident,
            public: $public:literal, backoffice: $backoffice:literal,
            summary: $summary:literal $(,)?
        }
    )*) => {
        $(action_methods!(@method $params, [$(#[$doc])*], $js, $snake, $ty);)*

        /// The JS name of every action method (checked against the core's table by
        /// [`method_names`]' test).
        const METHODS: &[&str] = &[$($js),*];
    };
    (@method true, [$(#[$doc:meta])*], $js:tt, $snake:ident, $ty:ident) => {
        #[wasm_bindgen]
        impl ResellerClient {
            $(#[$doc])*
            #[wasm_bindgen(js_name = $js)]
            pub fn $snake(&self, params: JsValue, options: JsValue) -> Promise {
                self.action(ActionKind::$ty, params, options)
            }
        }
    };
    (@method false, [$(#[$doc:meta])*], $js:tt, $snake:ident, $ty:ident) => {
        #[wasm_bindgen]
        impl ResellerClient {
            $(#[$doc])*
            #[wasm_bindgen(js_name = $js)]
            pub fn $snake(&self, options: JsValue) -> Promise {
                self.action(ActionKind::$ty, JsValue::UNDEFINED, options)
            }
        }
    };
}

ics_reseller::for_each_action!(action_methods);

impl ResellerClient {
    /// An action method's promise.
    fn action(&self, kind: ActionKind, params: JsValue, options: JsValue) -> Promise {
        self.run(Call::Action(kind, params, options))
    }

    /// Every method's promise, rejecting with a `ResellerError`: one future type for all of
    /// them, not one per method (each would be its own copy of the call's state machine and
    /// of `future_to_promise`).
    fn run(&self, call: Call) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let result = match call {
                Call::Action(kind, params, options) => inner.call(kind, params, options).await,
                Call::Wait(refid, options) => match refid.as_string() {
                    Some(refid) => inner.wait(refid, options).await,
                    None => Err(Error::invalid("refid", "must be a string")),
                },
            };
            result.map_err(|e| to_js_error(&e))
        })
    }
}

#[wasm_bindgen]
impl ResellerClient {
    /// Checks the options; refuses an API key in a browser page unless `allowBrowserKey`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<ResellerClient, JsValue> {
        Self::build(&options).map_err(|e| to_js_error(&e))
    }

    fn build(options: &JsValue) -> Result<ResellerClient, Error> {
        if !options.is_object() {
            return Err(Error::invalid("options", "pass an object: { baseUrl, apiKey? }"));
        }
        let base_url = opt_string(options, "baseUrl")?
            .map(resolve_base_url)
            .ok_or_else(|| Error::invalid("baseUrl", "is required"))?;
        let key = opt_string(options, "apiKey")?;
        let allow = get(options, "allowBrowserKey");
        if key.is_some() && allow.as_bool() != Some(true) && in_browser_page() {
            return Err(Error::invalid(
                "apiKey",
                "refusing an API key in a browser page: anyone can read it there. Call the \
                 API through a server-side gateway (omit apiKey), or pass allowBrowserKey: \
                 true if this page is private",
            ));
        }
        let api_key = key.map(ApiKey::new).transpose()?;
        let mut config = Config::new(base_url, api_key)?;
        config.auth = match opt_string(options, "auth")?.as_deref() {
            None | Some("header") => AuthMode::Header,
            Some("query") => AuthMode::Query,
            Some(_) => return Err(Error::invalid("auth", "must be \"header\" or \"query\"")),
        };
        let fetch = get(options, "fetch");
        let fetch = if fetch.is_undefined() || fetch.is_null() {
            None
        } else {
            Some(
                fetch
                    .dyn_into::<Function>()
                    .map_err(|_| Error::invalid("fetch", "must be a function"))?,
            )
        };
        let mut retry = RetryPolicy::default();
        if let Some(n) = opt_uint(options, "retries", 10)? {
            retry.max_retries = n;
        }
        Ok(ResellerClient {
            inner: Rc::new(Inner {
                core: Client::new(config),
                timeout_ms: opt_uint(options, "timeoutMs", 3_600_000)?
                    .filter(|&t| t > 0)
                    .unwrap_or(DEFAULT_TIMEOUT_MS),
                retry,
                reconcile: ReconcilePolicy::default(),
                fetch,
            }),
        })
    }

    /// The core's decode of an answer of `action` (status, body as a string or bytes); the
    /// package's `decode()` calls it when its fast path does not apply.
    #[wasm_bindgen(js_name = __decode, skip_typescript)]
    pub fn decode(&self, action: &str, status: u16, body: JsValue) -> Result<JsValue, JsValue> {
        let kind = ActionKind::from_name(action)
            .ok_or_else(|| Error::invalid("action", format!("no action is named {action:?}")));
        let text = body_text(&body);
        kind.and_then(|k| Ok((k, text?)))
            .and_then(|(k, t)| self.inner.decode_js(k, status, None, &t))
            .map_err(|e| to_js_error(&e))
    }

    /// Polls checkTransaction every `intervalMs` until `success` or `failed`.
    #[wasm_bindgen(js_name = waitForTransaction)]
    pub fn wait_for_transaction(&self, refid: JsValue, options: JsValue) -> Promise {
        self.run(Call::Wait(refid, options))
    }
}

/// A new refid from `Date.now()` and `crypto.getRandomValues` (see [`ics_reseller::new_refid`]).
#[wasm_bindgen(js_name = newRefId, skip_typescript)]
pub fn new_ref_id() -> String {
    let mut random = [0u8; 10];
    let buf = js_sys::Uint8Array::new_with_length(10);
    let crypto = get(&js_sys::global(), "crypto");
    let grv = get(&crypto, "getRandomValues");
    match grv.dyn_ref::<Function>().map(|f| f.call1(&crypto, &buf)) {
        Some(Ok(_)) => buf.copy_to(&mut random),
        // No Web Crypto (very old runtimes): fall back to Math.random.
        _ => random
            .iter_mut()
            .for_each(|b| *b = (js_sys::Math::random() * 256.0) as u8),
    }
    ics_reseller::new_refid(js_sys::Date::now() as u64, random)
}

/// Signs an order token (`ics_reseller::token::sign_order`) for a shop's Node backend:
/// `signOrder(secret, { kode_produk, nomor_tujuan, refid, max_price, expires_at })`.
/// `secret` is a string (its UTF-8 bytes) or a `Uint8Array` of at least 32 bytes. Refused
/// in a browser page, where anyone could read the secret and authorise any order. Without
/// the `sign` feature (the browser module) it signs nowhere: it refuses in a page as
/// above, and elsewhere names the Node entry.
#[wasm_bindgen(js_name = signOrder, skip_typescript)]
pub fn sign_order(secret: JsValue, grant: JsValue) -> Result<String, JsValue> {
    sign_order_inner(&secret, &grant).map_err(|e| to_js_error(&e))
}

fn sign_order_inner(secret: &JsValue, grant: &JsValue) -> Result<String, Error> {
    if in_browser_page() {
        return Err(Error::invalid(
            "secret",
            "refusing to sign an order token in a browser page: anyone can read the secret \
             there and authorise any order. Sign on the shop's server after taking the payment, \
             and give the page only the token",
        ));
    }
    #[cfg(feature = "sign")]
    {
        let secret =
            body_bytes(secret).map_err(|_| Error::invalid("secret", "must be a string or a Uint8Array"))?;
        let grant: ics_reseller::token::OrderGrant = from_js(grant, "grant")?;
        ics_reseller::token::sign_order(&secret, &grant)
    }
    #[cfg(not(feature = "sign"))]
    {
        let _ = (secret, grant);
        Err(Error::invalid(
            "secret",
            "the browser build of ics-reseller (index.js) does not sign order tokens: sign on \
             the shop's server with the package's Node entry (import or require it in Node, \
             Deno or Bun)",
        ))
    }
}

/// Normalises an Indonesian mobile number: `{ number, operator }`, or throws `invalid_input`.
#[wasm_bindgen(js_name = normalizePhone, skip_typescript)]
pub fn normalize_phone(input: JsValue) -> Result<JsValue, JsValue> {
    let text = input
        .as_string()
        .ok_or_else(|| Error::invalid("nomor_tujuan", "must be a string"));
    text.and_then(|t| ics_reseller::normalize_phone(&t))
        .and_then(|p| to_js(&p))
        .map_err(|e| to_js_error(&e))
}

/// Whether a product of `productType` (e.g. `xla`) is sold for numbers of `operator` (as
/// `normalizePhone` names it): the core's rule, [`ics_reseller::Operator::fits_product_type`].
#[wasm_bindgen(js_name = productTypeFits, skip_typescript)]
pub fn product_type_fits(product_type: JsValue, operator: JsValue) -> bool {
    let operator = ics_reseller::Operator::parse(&operator.as_string().unwrap_or_default());
    operator.fits_product_type(&product_type.as_string().unwrap_or_default())
}

/// A body given as a string or a `Uint8Array` (UTF-8, as `Response.text()` reads it: a
/// byte-order mark skipped, bad sequences replaced), as a JS string.
fn body_text(body: &JsValue) -> Result<JsValue, Error> {
    if let Some(s) = body.dyn_ref::<js_sys::JsString>() {
        let bom = s.length() > 0 && s.char_code_at(0) == f64::from(0xFEFF);
        return Ok(if bom {
            s.slice(1, s.length()).into()
        } else {
            body.clone()
        });
    }
    let bytes = body
        .dyn_ref::<js_sys::Uint8Array>()
        .map(js_sys::Uint8Array::to_vec)
        .ok_or_else(|| Error::invalid("body", "must be a string or a Uint8Array"))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    Ok(JsValue::from_str(&String::from_utf8_lossy(bytes)))
}

/// A body given as a string or a `Uint8Array`, as bytes.
#[cfg(feature = "sign")]
fn body_bytes(body: &JsValue) -> Result<Vec<u8>, Error> {
    match body.as_string() {
        Some(s) => Ok(s.into_bytes()),
        None => body
            .dyn_ref::<js_sys::Uint8Array>()
            .map(js_sys::Uint8Array::to_vec)
            .ok_or_else(|| Error::invalid("body", "must be a string or a Uint8Array")),
    }
}

/// Reads a webhook body (string or bytes) as an order status, or throws `decode`.
#[wasm_bindgen(js_name = parseWebhook, skip_typescript)]
pub fn parse_webhook(body: JsValue) -> Result<JsValue, JsValue> {
    let text = body_text(&body).map_err(|e| to_js_error(&e))?;
    let text = convert::text_of(&text);
    let parsed = ics_reseller::value::Value::from_json(&text).map_err(|e| e.to_string());
    let bytes = || text.clone().into_bytes();
    ics_reseller::parse_webhook_parsed(parsed, &bytes)
        .and_then(|r| to_js(&r))
        .map_err(|e| to_js_error(&e))
}

/// The wire name of every action in the core's table.
#[wasm_bindgen(js_name = actionNames, skip_typescript)]
pub fn action_names() -> Array {
    ActionKind::ALL
        .iter()
        .map(|k| JsValue::from_str(k.name()))
        .collect()
}

/// Every error code of the core's taxonomy.
#[wasm_bindgen(js_name = errorCodes, skip_typescript)]
pub fn error_codes() -> Array {
    ErrorCode::ALL
        .iter()
        .map(|c| JsValue::from_str(c.as_str()))
        .collect()
}

/// The page `history()` asks for next, or `undefined` after the last (the core decides).
#[wasm_bindgen(js_name = __nextHistoryPage, skip_typescript)]
pub fn next_history_page(page: u32, limit: u32, received: u32) -> Option<u32> {
    ics_reseller::next_history_page(page, limit, received as usize)
}

/// The methods [`ResellerClient`] defines for actions.
pub fn method_names() -> &'static [&'static str] {
    METHODS
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_method_per_action() {
        let mut methods: Vec<&str> = super::method_names().to_vec();
        let mut table: Vec<&str> = ics_reseller::ActionKind::ALL
            .iter()
            .map(|k| k.js_name())
            .collect();
        methods.sort_unstable();
        table.sort_unstable();
        assert_eq!(methods, table);
    }
}
