//! The wasm-bindgen test suite shared by `tests/node.rs` and `tests/browser.rs`: the real
//! client over the real `fetch`, against the sandbox `cargo xtask test` starts
//! (`ICS_SANDBOX_URL`) and `ics-gateway` in front of it (`ICS_GATEWAY_URL`, order secret
//! `ICS_GATEWAY_ORDER_SECRET`), all read at compile time. Tests run one after another;
//! each arms the sandbox faults it needs.

use ics_reseller_wasm::{transport::sleep, ResellerClient};
use js_sys::{Promise, Reflect, JSON};
use wasm_bindgen::{prelude::*, JsCast};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Promise;
}

/// The sandbox's URL, set by `cargo xtask test`.
pub fn base() -> &'static str {
    match option_env!("ICS_SANDBOX_URL") {
        Some(u) => u,
        None => {
            panic!("ICS_SANDBOX_URL was not set at compile time: run these tests with `cargo xtask test`")
        }
    }
}

/// `ics-gateway`'s URL, set by `cargo xtask test`.
pub fn gateway() -> &'static str {
    match option_env!("ICS_GATEWAY_URL") {
        Some(u) => u,
        None => {
            panic!("ICS_GATEWAY_URL was not set at compile time: run these tests with `cargo xtask test`")
        }
    }
}

/// The gateway's order secret, set by `cargo xtask test`.
pub fn order_secret() -> &'static str {
    match option_env!("ICS_GATEWAY_ORDER_SECRET") {
        Some(s) => s,
        None => panic!(
            "ICS_GATEWAY_ORDER_SECRET was not set at compile time: run these tests with `cargo xtask test`"
        ),
    }
}

/// A client of the gateway (no key), with extra options as JSON.
pub fn gateway_client(extra: &str) -> ResellerClient {
    client_at(&format!("{}/gateway", gateway()), None, extra)
}

/// An order token for `refid` signed with the gateway's secret by the core, valid 10 min.
pub fn token_for(kode_produk: &str, nomor_tujuan: &str, refid: &str, max_price: i64) -> String {
    token_until(kode_produk, nomor_tujuan, refid, max_price, 600)
}

/// [`token_for`] valid for `ttl_s` seconds from now (expired when negative).
pub fn token_until(kode_produk: &str, nomor_tujuan: &str, refid: &str, max_price: i64, ttl_s: i64) -> String {
    let grant = ics_reseller::token::OrderGrant {
        kode_produk: kode_produk.into(),
        nomor_tujuan: nomor_tujuan.into(),
        refid: refid.into(),
        max_price,
        expires_at: (now() / 1000.0) as i64 + ttl_s,
    };
    ics_reseller::token::sign_order(order_secret().as_bytes(), &grant).expect("sign")
}

/// A JS value from JSON text.
pub fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

/// `obj[key]`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn set(obj: &JsValue, key: &str, v: &JsValue) {
    Reflect::set(obj, &key.into(), v).expect("set");
}

fn string(v: &JsValue, key: &str) -> String {
    get(v, key).as_string().unwrap_or_default()
}

fn number(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap_or(f64::NAN)
}

/// Registers the package's decode fast path (js/check.generated.js + js/decode.js), as its
/// entry module does, so these tests decode plain successes the way the package does.
fn register_fast_path() {
    let source = format!(
        "{}\n{}\nreturn fastParsed;",
        include_str!("../../js/check.generated.js"),
        script_of_module(include_str!("../../js/decode.js"))
    );
    let f = js_sys::Function::new_no_args(&source)
        .call0(&JsValue::UNDEFINED)
        .expect("js/decode.js loads");
    ics_reseller_wasm::convert::register_fast_decode(f.unchecked_into());
}

/// js/decode.js (an ES module importing `fastChecks`) as a script after check.generated.js.
fn script_of_module(source: &str) -> String {
    source
        .replace("import { fastChecks } from \"./check.js\";", "")
        .replace("export function ", "function ")
}

/// A client for `key` (None: no key) with extra options as JSON.
pub fn client_at(base_url: &str, key: Option<&str>, extra: &str) -> ResellerClient {
    register_fast_path();
    let o = js(extra);
    set(&o, "baseUrl", &base_url.into());
    if let Some(k) = key {
        set(&o, "apiKey", &k.into());
        // The browser suite runs in a page, where a key needs the explicit opt-in.
        set(&o, "allowBrowserKey", &JsValue::TRUE);
    }
    ResellerClient::new(o).unwrap_or_else(|e| panic!("client: {e:?}"))
}

/// A client of the sandbox with the verified key.
pub fn client(extra: &str) -> ResellerClient {
    client_at(base(), Some("sk_test_verified"), extra)
}

/// Awaits a call that must succeed.
pub async fn ok(p: Promise) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => v,
        Err(e) => panic!(
            "expected success, got {}: {}",
            string(&e, "code"),
            string(&e, "message")
        ),
    }
}

/// Awaits a call that must fail and checks its `code`.
pub async fn fails(p: Promise, code: &str) -> JsValue {
    match JsFuture::from(p).await {
        Ok(v) => panic!("expected {code}, got {:?}", JSON::stringify(&v)),
        Err(e) => {
            assert_eq!(string(&e, "code"), code, "{}", string(&e, "message"));
            assert!(get(&e, "message").is_string());
            assert!(get(&e, "retryable").as_bool().is_some());
            e
        }
    }
}

/// A control request to the sandbox (`/__sandbox/...`).
pub async fn control(method: &str, path: &str, body: Option<&str>) -> JsValue {
    let init = js("{}");
    set(&init, "method", &method.into());
    if let Some(b) = body {
        set(&init, "body", &b.into());
        set(&init, "headers", &js(r#"{"Content-Type":"application/json"}"#));
    }
    let resp = JsFuture::from(global_fetch(&format!("{}{path}", base()), &init))
        .await
        .expect("sandbox control request");
    let resp: web_sys::Response = resp.unchecked_into();
    assert!(resp.ok(), "{method} {path}: HTTP {}", resp.status());
    let text = JsFuture::from(resp.text().expect("text")).await.expect("body");
    let text = text.as_string().unwrap_or_default();
    if text.trim().is_empty() {
        JsValue::NULL
    } else {
        js(&text)
    }
}

/// Arms one fault.
pub async fn fault(spec: &str) {
    control("POST", "/__sandbox/faults", Some(spec)).await;
}

/// Clears faults and resets accounts and orders.
pub async fn reset() {
    control("DELETE", "/__sandbox/faults", None).await;
    control("POST", "/__sandbox/reset", None).await;
}

/// Orders of the verified account with this refid, from the sandbox's own state.
pub async fn orders_with(refid: &str) -> (usize, JsValue) {
    let state = control("GET", "/__sandbox/state?key=sk_test_verified", None).await;
    let orders: js_sys::Array = get(&state, "orders").unchecked_into();
    let n = orders.iter().filter(|o| string(o, "refid") == refid).count();
    (n, state)
}

/// `{ signal }` of a controller that aborts after `ms`.
pub fn abort_after(ms: u64) -> JsValue {
    let c = AbortController::new().expect("AbortController");
    let o = js("{}");
    set(&o, "signal", &c.signal().into());
    wasm_bindgen_futures::spawn_local(async move {
        let _ = sleep(ms, None).await;
        c.abort();
    });
    o
}

fn now() -> f64 {
    js_sys::Date::now()
}

// ---------------------------------------------------------------------------------------

pub async fn every_action() {
    reset().await;
    let c = client("{}");
    assert_eq!(
        string(&ok(c.ping(JsValue::UNDEFINED)).await, "kodereseller"),
        "RS00001"
    );
    let profile = ok(c.get_profile(JsValue::UNDEFINED)).await;
    assert!(get(&get(&profile, "data"), "email").is_string());
    let balance = ok(c.get_balance(JsValue::UNDEFINED)).await;
    assert_eq!(number(&get(&balance, "data"), "saldo"), 1_000_000.0);
    let products = ok(c.list_products(js(r#"{"type":"xla"}"#), JsValue::UNDEFINED)).await;
    let first = js_sys::Array::from(&get(&get(&products, "data"), "ready")).get(0);
    let code = string(&first, "kode_produk");
    let params = js(&format!(
        r#"{{"kode_produk":"{code}","nomor_tujuan":"0812-3456-1111"}}"#
    ));
    let placed = ok(c.create_transaction(params, JsValue::UNDEFINED)).await;
    assert_eq!(string(&placed, "outcome"), "accepted");
    let refid = string(&placed, "refid");
    assert_eq!(refid.len(), 28);
    let check = js(&format!(r#"{{"refid":"{refid}"}}"#));
    let status = ok(c.check_transaction(check.clone(), JsValue::UNDEFINED)).await;
    assert_eq!(string(&status, "status"), "success");
    assert_eq!(string(&status, "nomor_tujuan"), "081234561111");
    let history = ok(c.get_history(js(r#"{"limit":5}"#), JsValue::UNDEFINED)).await;
    assert_eq!(
        string(&js_sys::Array::from(&get(&history, "data")).get(0), "refid"),
        refid
    );
    let stats = ok(c.get_statistik(JsValue::UNDEFINED)).await;
    assert_eq!(number(&get(&get(&stats, "summary"), "success"), "count"), 1.0);
    let hook = ok(c.resubmit_webhook(check, JsValue::UNDEFINED)).await;
    assert!(get(&hook, "webhook_url").is_string());
    let fin = ok(c.wait_for_transaction(refid.into(), js(r#"{"intervalMs":50}"#))).await;
    assert_eq!(string(&fin, "status"), "success");
}

pub async fn error_codes_from_the_server() {
    reset().await;
    let e = fails(
        client_at(base(), Some("sk_test_nope"), "{}").ping(JsValue::UNDEFINED),
        "unauthorized",
    )
    .await;
    assert!(
        !string(&e, "message").contains("sk_test_nope"),
        "the key never shows"
    );
    let q = client_at(base(), Some("sk_test_verified"), r#"{"auth":"query"}"#);
    assert_eq!(
        string(&ok(q.ping(JsValue::UNDEFINED)).await, "kodereseller"),
        "RS00001"
    );
    let e = fails(
        client_at(base(), Some("sk_test_inactive"), "{}").ping(JsValue::UNDEFINED),
        "forbidden",
    )
    .await;
    assert_eq!(number(&e, "status"), 403.0);
    let c = client("{}");
    let missing = js(r#"{"refid":"RS_DOES_NOT_EXIST"}"#);
    let e = fails(c.check_transaction(missing, JsValue::UNDEFINED), "not_found").await;
    assert_eq!(get(&e, "retryable"), JsValue::FALSE);
    let order = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234564444","refid":"REJECT1"}"#);
    let e = fails(c.create_transaction(order, JsValue::UNDEFINED), "rejected").await;
    assert!(get(&get(&e, "body"), "error").is_string());
    let (n, _) = orders_with("REJECT1").await;
    assert_eq!(n, 0, "a rejected order is not placed");
}

/// Every PHP quirk the sandbox sends (issue 12) reads as the plain answer through the
/// package: the common forms through the JS fast path, the rest through the core in wasm.
pub async fn php_quirks_on_the_wire() {
    reset().await;
    let c = client("{}");
    let order = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234563333","refid":"WASMQ1"}"#);
    ok(c.create_transaction(order, JsValue::UNDEFINED)).await;
    // settled first, so that no answer changes between the plain and the quirky call
    ok(c.wait_for_transaction("WASMQ1".into(), js(r#"{"intervalMs":50}"#))).await;
    let calls: [(&str, fn(&ResellerClient) -> Promise); 5] = [
        ("getStatistik", |c| c.get_statistik(JsValue::UNDEFINED)),
        ("listProducts", |c| {
            c.list_products(js(r#"{"type":"xla"}"#), JsValue::UNDEFINED)
        }),
        ("getHistory", |c| c.get_history(js("{}"), JsValue::UNDEFINED)),
        ("getProfile", |c| c.get_profile(JsValue::UNDEFINED)),
        ("checkTransaction", |c| {
            c.check_transaction(js(r#"{"refid":"WASMQ1"}"#), JsValue::UNDEFINED)
        }),
    ];
    for mode in [
        "php_values",
        "php_decimals",
        "php_bool_words",
        "php_empty_arrays",
        "php_nulls",
        "php_holes",
        "php_empty_strings",
        "php_group_by",
        "bom",
    ] {
        for (action, call) in calls {
            let plain = JSON::stringify(&ok(call(&c)).await).unwrap();
            fault(&format!(r#"{{"mode":"{mode}","action":"{action}"}}"#)).await;
            let quirky = JSON::stringify(&ok(call(&c)).await).unwrap();
            assert_eq!(quirky, plain, "{action} under {mode}");
        }
    }
    // a field the core cannot read is named by its path
    let body = r#"{"success":true,"type":"xla","title":"T","providers_used":[],"data":{"ready":[{"kode_produk":"A","nama_produk":"N","deskripsi":"D","harga_final":"9.99","stok":1,"type":"xla","provider":"P"}]}}"#;
    let e = c.decode("listProducts", 200, body.into()).unwrap_err();
    assert_eq!(string(&e, "code"), "decode");
    assert_eq!(string(&e, "path"), "data.ready[0].harga_final");
    assert!(string(&e, "message").contains("data.ready[0].harga_final"));
}

/// Every string of a JS error, as a developer or a log could see it.
fn error_texts(e: &JsValue) -> Vec<String> {
    let mut out = Vec::new();
    for k in ["message", "stack", "snippet", "refid", "path"] {
        out.push(string(e, k));
    }
    let body = get(e, "body");
    if !body.is_undefined() {
        out.push(
            JSON::stringify(&body)
                .ok()
                .and_then(|s| s.as_string())
                .unwrap_or_default(),
        );
    }
    let cause = get(e, "cause");
    if !cause.is_undefined() {
        out.extend(error_texts(&cause));
    }
    out
}

/// Undoes `\uXXXX`, `\/`, `\"`, `\\` and `%XX` (three times: escapes of escapes).
fn unescape(s: &str) -> String {
    let mut s = s.to_owned();
    for _ in 0..3 {
        let b = s.as_bytes();
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < b.len() {
            let hex = |r: std::ops::Range<usize>| {
                s.get(r)
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .and_then(char::from_u32)
            };
            if b[i] == b'\\' && b.get(i + 1) == Some(&b'u') {
                if let Some(c) = hex(i + 2..i + 6) {
                    out.push(c);
                    i += 6;
                    continue;
                }
            }
            if b[i] == b'\\' && matches!(b.get(i + 1), Some(b'/' | b'"' | b'\\')) {
                out.push(b[i + 1] as char);
                i += 2;
                continue;
            }
            if b[i] == b'%' {
                if let Some(c) = hex(i + 1..i + 3) {
                    out.push(c);
                    i += 3;
                    continue;
                }
            }
            let c = s[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8().max(1);
        }
        s = out;
    }
    s
}

/// No `n` consecutive characters of the key in any text of `e`, raw or escaped.
fn assert_no_key(e: &JsValue, key: &str, n: usize, body: &str) {
    let windows: Vec<&str> = (0..=key.len() - n).map(|i| &key[i..i + n]).collect();
    for t in error_texts(e) {
        let u = unescape(&t);
        for w in &windows {
            assert!(
                !u.contains(w) && !t.contains(w),
                "key fragment {w:?} in {t:?}\nbody {body:?}"
            );
        }
    }
}

/// The key echoed by the server never survives in a `ResellerError`: on the wire
/// (`echo_key`), and planted at every offset of a body, in every escape form, straddling
/// the 300-byte snippet cut, through the package's `decode`.
pub async fn the_key_never_survives() {
    reset().await;
    let key = "sk_test_verified";
    let c = client("{}");
    fault(r#"{"mode":"echo_key","action":"ping"}"#).await;
    let e = fails(c.ping(JsValue::UNDEFINED), "rejected").await;
    assert_eq!(string(&e, "refid"), "***");
    // (six: the English of the messages holds shorter pieces, `ver` in `server`)
    assert_no_key(&e, key, 6, "the echo_key fault");
    let key2 = "QZX_J/K-VWQ_Z";
    let c2 = client_at(base(), Some(key2), "{}");
    let spell = |form: usize| -> String {
        key2.chars()
            .map(|ch| match form {
                0 => ch.to_string(),
                1 => format!("\\u{:04x}", ch as u32),
                2 => format!("\\u{:04X}", ch as u32),
                3 => format!("%{:02X}", ch as u32),
                _ if ch == '/' => "\\/".to_owned(),
                _ => ch.to_string(),
            })
            .collect()
    };
    for form in 0..5 {
        let spelled = spell(form);
        for filler in 0..=320 {
            let pad = ".".repeat(filler);
            for (status, body) in [
                (502, format!("<html>{pad}{spelled}</html>")),
                (200, format!("<html>{pad}{spelled}</html>")),
                (
                    400,
                    format!(r#"{{"error":"{pad}{spelled}","refid":"{spelled}","x":["{spelled}"]}}"#),
                ),
            ] {
                let e = c2.decode("ping", status, body.as_str().into()).unwrap_err();
                assert_no_key(&e, key2, 3, &body);
            }
        }
    }
}

pub async fn error_codes_from_the_client() {
    reset().await;
    let c = client("{}");
    let bad = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"12345"}"#);
    let e = fails(c.create_transaction(bad, JsValue::UNDEFINED), "invalid_input").await;
    assert_eq!(string(&e, "field"), "nomor_tujuan");
    // Parameters a JS caller can build but JSON cannot carry are typed errors, never a trap
    // of the wasm (a cycle would otherwise recurse until the stack runs out) nor a request.
    let cyclic = js(r#"{"refid":"CYCLE1"}"#);
    set(&cyclic, "self", &cyclic);
    let bigint = js(r#"{}"#);
    set(&bigint, "refid", &js_sys::BigInt::from(7u32).into());
    let mut deep = js(r#"{"refid":"DEEP1"}"#);
    for _ in 0..100 {
        let outer = js("{}");
        set(&outer, "inner", &deep);
        deep = outer;
    }
    for params in [cyclic, bigint, deep] {
        let e = fails(c.check_transaction(params, JsValue::UNDEFINED), "invalid_input").await;
        assert_eq!(string(&e, "field"), "params");
    }
    let e = fails(
        client_at("http://127.0.0.1:9", None, r#"{"retries":0}"#).ping(JsValue::UNDEFINED),
        "network",
    )
    .await;
    assert_eq!(get(&e, "retryable"), JsValue::TRUE);
    let key_err = ResellerClient::new(js(r#"{"baseUrl":"ftp://x"}"#))
        .err()
        .expect("bad baseUrl");
    assert_eq!(string(&key_err, "code"), "invalid_input");
}

pub async fn server_faults_map_to_codes() {
    reset().await;
    let c = client(r#"{"retries":0}"#);
    fault(r#"{"mode":"http500","action":"ping"}"#).await;
    let e = fails(c.ping(JsValue::UNDEFINED), "http_status").await;
    assert_eq!(number(&e, "status"), 500.0);
    assert!(string(&e, "snippet").contains('<'));
    fault(r#"{"mode":"malformed_json","action":"getProfile"}"#).await;
    fails(c.get_profile(JsValue::UNDEFINED), "decode").await;
    fault(r#"{"mode":"php_values","action":"getBalance"}"#).await;
    let b = ok(c.get_balance(JsValue::UNDEFINED)).await;
    assert_eq!(
        number(&get(&b, "data"), "saldo"),
        1_000_000.0,
        "PHP strings normalised"
    );
    assert_eq!(get(&get(&b, "data"), "verif"), JsValue::TRUE);
}

pub async fn reads_retry_writes_do_not() {
    reset().await;
    fault(r#"{"mode":"http502","action":"getBalance","count":2}"#).await;
    let b = ok(client(r#"{"retries":2}"#).get_balance(JsValue::UNDEFINED)).await;
    assert_eq!(get(&b, "success"), JsValue::TRUE);
    fault(r#"{"mode":"http500","action":"resubmitWebhook","count":1}"#).await;
    let c = client(r#"{"retries":2}"#);
    let order = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234561111","refid":"HOOK1"}"#);
    ok(c.create_transaction(order, JsValue::UNDEFINED)).await;
    let refid = js(r#"{"refid":"HOOK1"}"#);
    fails(
        c.resubmit_webhook(refid.clone(), JsValue::UNDEFINED),
        "http_status",
    )
    .await;
    ok(c.resubmit_webhook(refid, JsValue::UNDEFINED)).await;
}

pub async fn retry_after_is_honoured() {
    reset().await;
    // 429 with `Retry-After: 1`: the read waits the second the server asked for (not the
    // 100-200 ms backoff), then succeeds. In a page this also proves CORS exposes the header.
    fault(r#"{"mode":"http429","action":"getBalance","retry_after_s":1}"#).await;
    let t = now();
    let b = ok(client(r#"{"retries":1}"#).get_balance(JsValue::UNDEFINED)).await;
    assert_eq!(get(&b, "success"), JsValue::TRUE);
    assert!(now() - t >= 950.0, "waited for Retry-After");
    // Without retries the error carries it.
    fault(r#"{"mode":"http429","action":"getBalance","retry_after_s":7}"#).await;
    let e = fails(
        client(r#"{"retries":0}"#).get_balance(JsValue::UNDEFINED),
        "rejected",
    )
    .await;
    assert_eq!(get(&e, "status").as_f64(), Some(429.0));
    assert_eq!(get(&e, "retryable"), JsValue::TRUE);
    assert_eq!(get(&e, "retryAfterMs").as_f64(), Some(7000.0));
}

pub async fn timeout_and_abort() {
    reset().await;
    let c = client(r#"{"retries":0,"timeoutMs":200}"#);
    fault(r#"{"mode":"latency","action":"ping","latency_ms":6000}"#).await;
    let t = now();
    let e = fails(c.ping(JsValue::UNDEFINED), "timeout").await;
    assert!(now() - t < 4000.0, "the timeout fired");
    assert_eq!(get(&e, "retryable"), JsValue::TRUE);

    let c = client(r#"{"retries":0}"#);
    fault(r#"{"mode":"latency","action":"getProfile","latency_ms":6000}"#).await;
    let t = now();
    fails(c.get_profile(abort_after(100)), "aborted").await;
    assert!(now() - t < 4000.0, "the abort was prompt");

    let c2 = AbortController::new().expect("AbortController");
    c2.abort();
    let o = js("{}");
    set(&o, "signal", &c2.signal().into());
    let order = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234561111","refid":"NEVERSENT"}"#);
    fails(c.create_transaction(order, o), "aborted").await;
    assert_eq!(orders_with("NEVERSENT").await.0, 0);
    control("DELETE", "/__sandbox/faults", None).await;
}

pub async fn reconciliation_after_drop_after_commit() {
    reset().await;
    let c = client("{}");
    let before = number(
        &get(&ok(c.get_balance(JsValue::UNDEFINED)).await, "data"),
        "saldo",
    );
    fault(r#"{"mode":"drop_after_commit","action":"createTransaction"}"#).await;
    let order = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234561111"}"#);
    let placed = ok(c.create_transaction(order, JsValue::UNDEFINED)).await;
    assert_eq!(
        string(&placed, "outcome"),
        "found",
        "the answer was dropped; the check found it"
    );
    let refid = string(&placed, "refid");
    let price = number(&get(&placed, "response"), "harga");
    let (n, state) = orders_with(&refid).await;
    assert_eq!(n, 1, "exactly one order");
    let after = number(
        &get(&ok(c.get_balance(JsValue::UNDEFINED)).await, "data"),
        "saldo",
    );
    assert_eq!(before - after, price, "debited once");
    assert_eq!(number(&get(&state, "ledger"), "charged"), price);
}

pub async fn maybe_committed_when_abandoned() {
    reset().await;
    let c = client("{}");
    fault(r#"{"mode":"latency","action":"createTransaction","latency_ms":1000}"#).await;
    let order = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234561111","refid":"MAYBE1"}"#);
    let e = fails(c.create_transaction(order, abort_after(100)), "maybe_committed").await;
    assert_eq!(string(&e, "refid"), "MAYBE1");
    assert_eq!(string(&get(&e, "cause"), "code"), "aborted");
    sleep(1500, None).await.ok();
    assert!(orders_with("MAYBE1").await.0 <= 1, "never two orders");
}

pub async fn wait_for_a_failed_order() {
    reset().await;
    let c = client("{}");
    let order = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234563333","refid":"FAIL1"}"#);
    ok(c.create_transaction(order, JsValue::UNDEFINED)).await;
    let fin = ok(c.wait_for_transaction("FAIL1".into(), js(r#"{"intervalMs":50}"#))).await;
    assert_eq!(string(&fin, "status"), "failed");
    let order = js(r#"{"kode_produk":"XLA10","nomor_tujuan":"081234565555","refid":"STUCK1"}"#);
    ok(c.create_transaction(order, JsValue::UNDEFINED)).await;
    let opts = js(r#"{"intervalMs":50,"timeoutMs":300}"#);
    fails(c.wait_for_transaction("STUCK1".into(), opts), "timeout").await;
}

/// Through `ics-gateway`: no order without a token; with one, the `X-Order-Token` header
/// goes with the order, with the reconciliation's checks (the gateway answers a check only
/// to the order's token) and with its re-send after a 404, and places it exactly once; the
/// same token for another refid places nothing.
pub async fn order_token_reaches_the_gateway() {
    reset().await;
    let plain = gateway_client(r#"{"retries":0}"#);
    let order = |refid: &str| {
        js(&format!(
            r#"{{"kode_produk":"XLA10","nomor_tujuan":"081234561111","refid":"{refid}"}}"#
        ))
    };
    let e = JsFuture::from(plain.create_transaction(order("NOTOKEN1"), JsValue::UNDEFINED))
        .await
        .expect_err("refused without a token");
    assert_ne!(string(&e, "code"), "maybe_committed", "a definite refusal");
    assert_eq!(orders_with("NOTOKEN1").await.0, 0, "no order without a token");

    // A fetch that records every request and loses the first order before it leaves, so
    // the client checks (404 through the gateway) and re-sends the same request.
    let spy = js_sys::Function::new_no_args(
        r#"const log = []; let lose = true;
        const f = async (url, init) => {
          const token = new Headers(init.headers).get("X-Order-Token");
          const action = new URL(url).searchParams.get("action");
          log.push({ action, token });
          if (action === "createTransaction" && lose) {
            lose = false;
            throw new TypeError("lost before it was sent");
          }
          return fetch(url, init);
        };
        return { f, log };"#,
    )
    .call0(&JsValue::UNDEFINED)
    .expect("spy");
    let c = {
        register_fast_path();
        let o = js(r#"{"retries":0}"#);
        set(&o, "baseUrl", &format!("{}/gateway", gateway()).into());
        set(&o, "fetch", &get(&spy, "f"));
        ResellerClient::new(o).unwrap_or_else(|e| panic!("client: {e:?}"))
    };
    let token = token_for("XLA10", "0812-3456-1111", "TOKEN1", 1_000_000);
    let opts = js("{}");
    set(&opts, "orderToken", &token.clone().into());
    let placed = ok(c.create_transaction(order("TOKEN1"), opts)).await;
    assert_eq!(string(&placed, "refid"), "TOKEN1");
    assert_eq!(orders_with("TOKEN1").await.0, 1, "placed exactly once");
    let log: js_sys::Array = get(&spy, "log").unchecked_into();
    let sent: Vec<JsValue> = log
        .iter()
        .filter(|r| string(r, "action") == "createTransaction")
        .collect();
    assert_eq!(
        sent.len(),
        2,
        "the first send was lost, the reconciliation re-sent it"
    );
    for r in &sent {
        assert_eq!(string(r, "token"), token, "the token goes with every send");
    }
    assert!(
        log.iter().any(|r| string(&r, "action") == "checkTransaction"),
        "a check came between the two sends"
    );
    for r in log.iter().filter(|r| string(r, "action") != "createTransaction") {
        assert_eq!(string(&r, "action"), "checkTransaction");
        assert_eq!(
            string(&r, "token"),
            token,
            "the reconciliation checks with the order's token"
        );
    }

    // The same token for another refid, or once more for its own: no second order.
    let opts = js("{}");
    set(&opts, "orderToken", &token.clone().into());
    let e = JsFuture::from(plain.create_transaction(order("TOKEN2"), opts))
        .await
        .expect_err("a token authorises one refid");
    assert_ne!(string(&e, "code"), "maybe_committed");
    assert_eq!(orders_with("TOKEN2").await.0, 0);
    let opts = js("{}");
    set(&opts, "orderToken", &token.into());
    let _ = JsFuture::from(plain.create_transaction(order("TOKEN1"), opts)).await;
    assert_eq!(orders_with("TOKEN1").await.0, 1, "still one order");

    // A malformed token never leaves the client.
    let opts = js(r#"{"orderToken":"not a token"}"#);
    let e = fails(plain.create_transaction(order("TOKEN3"), opts), "invalid_input").await;
    assert_eq!(string(&e, "field"), "orderToken");
}

pub fn helpers() {
    let p = ics_reseller_wasm::normalize_phone("+62 812-3456-7890".into()).expect("phone");
    assert_eq!(string(&p, "number"), "081234567890");
    assert_eq!(string(&p, "operator"), "telkomsel");
    let e = ics_reseller_wasm::normalize_phone("0212345678".into()).expect_err("landline");
    assert_eq!(string(&e, "code"), "invalid_input");
    let hook = r#"{"status":"success","refid":"R1","kode_produk":"XLA10","nomor_tujuan":"081234567890","harga":"20000","kodereseller":"RS1","updated_at":"2025-12-05 12:00:00"}"#;
    let w = ics_reseller_wasm::parse_webhook(hook.into()).expect("webhook");
    assert_eq!(number(&w, "harga"), 20000.0);
    let e = ics_reseller_wasm::parse_webhook("<html>".into()).expect_err("not JSON");
    assert_eq!(string(&e, "code"), "decode");
    let a = ics_reseller_wasm::new_ref_id();
    let b = ics_reseller_wasm::new_ref_id();
    assert!(a != b && a.starts_with("RS") && a.len() == 28);
    assert_eq!(
        ics_reseller_wasm::action_names().length() as usize,
        ics_reseller::ActionKind::ALL.len()
    );
    assert_eq!(
        ics_reseller_wasm::error_codes().length() as usize,
        ics_reseller::ErrorCode::ALL.len()
    );
}

/// The core's float text and parsing in this engine (`float::parse` goes through the JS
/// engine's `parseFloat` here, with the `js-float` feature) against std's own, which the
/// test binary links: random bits in every form std writes, long and halfway decimals.
pub fn floats_as_std() {
    use ics_reseller::float;
    fn same(text: &str) {
        let (ours, std) = (float::parse(text), text.parse::<f64>().ok());
        let agree = match (ours, std) {
            (Some(a), Some(b)) => a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            (a, b) => a.is_none() && b.is_none(),
        };
        assert!(agree, "{text:?}: {ours:?}, std {std:?}");
    }
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..20_000 {
        let v = f64::from_bits(next());
        for text in [format!("{v}"), format!("{v:?}"), format!("{v:e}")] {
            same(&text);
        }
        let (mut d, mut e) = (String::new(), String::new());
        float::display(v, &mut d);
        float::debug(v, false, &mut e);
        assert_eq!((d, e), (format!("{v}"), format!("{v:?}")));
        // 17 to 40 digits, beyond the 20 an engine must round exactly by the letter of
        // ECMAScript, and an exponent anywhere in range
        let n = next();
        let digits: String = (0..17 + n % 24)
            .map(|i| char::from(b'0' + ((n >> (i % 60)) % 10) as u8))
            .collect();
        same(&format!(
            "{}.{}e{}",
            &digits[..1],
            &digits[1..],
            (next() % 660) as i64 - 340
        ));
    }
    for text in [
        "9007199254740993",
        "9007199254740995",
        "2.4703282292062327e-324",
        "2.4703282292062328e-324",
        "1.7976931348623158e308",
        "1.7976931348623159e308",
        "2.2250738585072011e-308",
        "0.1000000000000000055511151231257827021181583404541015625",
        "1e400",
        "-0",
        ".5",
        "5.",
        "+1",
        "1e",
        "inf",
        "-Infinity",
        "NaN",
        "1.5x",
        "0x10",
        "",
    ] {
        same(text);
    }
}

/// Through `ics-gateway`: checkTransaction and waitForTransaction read an order only with
/// its token (`orderToken`; fresh or expired); without it, or with another order's, the
/// gateway refuses (`forbidden`) and the page learns nothing of the order.
pub async fn checks_through_the_gateway_carry_the_orders_token() {
    reset().await;
    let c = gateway_client(r#"{"retries":0}"#);
    let number = "081234562222"; // pending, then success
    let token = token_for("XLA10", number, "CHECK1", 1_000_000);
    let with = |token: &str, extra: &str| {
        let o = js(extra);
        set(&o, "orderToken", &token.into());
        o
    };
    let order = js(&format!(
        r#"{{"kode_produk":"XLA10","nomor_tujuan":"{number}","refid":"CHECK1"}}"#
    ));
    ok(c.create_transaction(order, with(&token, "{}"))).await;
    let check1 = || js(r#"{"refid":"CHECK1"}"#);
    let other = token_for("XLA10", number, "CHECK2", 1_000_000);
    for opts in [JsValue::UNDEFINED, with(&other, "{}")] {
        let e = fails(c.check_transaction(check1(), opts), "forbidden").await;
        let text = format!(
            "{:?} {:?}",
            JSON::stringify(&e),
            JSON::stringify(&get(&e, "body"))
        );
        assert!(!text.contains(number) && !text.contains("XLA10"), "{text}");
    }
    let r = ok(c.check_transaction(check1(), with(&token, "{}"))).await;
    assert_eq!(string(&r, "refid"), "CHECK1");
    assert_eq!(string(&r, "nomor_tujuan"), number);
    // Long after the order window, the token still reads its own order.
    let expired = token_until("XLA10", number, "CHECK1", 1_000_000, -3_600);
    let r = ok(c.check_transaction(check1(), with(&expired, "{}"))).await;
    assert_eq!(string(&r, "refid"), "CHECK1");
    // waitForTransaction sends it on every poll, until the order is final.
    let fin = ok(c.wait_for_transaction("CHECK1".into(), with(&token, r#"{"intervalMs":50}"#))).await;
    assert_eq!(string(&fin, "status"), "success");
    fails(
        c.wait_for_transaction("CHECK1".into(), js(r#"{"intervalMs":50}"#)),
        "forbidden",
    )
    .await;
    // A malformed token never leaves the client.
    let e = fails(
        c.check_transaction(check1(), with("not a token", "{}")),
        "invalid_input",
    )
    .await;
    assert_eq!(string(&e, "field"), "orderToken");
}

/// Declares one `#[wasm_bindgen_test]` per shared test: the same list in Node and in
/// Chromium, written once here (plus the sync `helpers` and `floats_as_std` tests).
#[macro_export]
macro_rules! shared_tests {
    () => {
        $crate::shared_tests!(
            every_action,
            error_codes_from_the_server,
            error_codes_from_the_client,
            server_faults_map_to_codes,
            reads_retry_writes_do_not,
            retry_after_is_honoured,
            timeout_and_abort,
            reconciliation_after_drop_after_commit,
            maybe_committed_when_abandoned,
            wait_for_a_failed_order,
            php_quirks_on_the_wire,
            the_key_never_survives,
            order_token_reaches_the_gateway,
            checks_through_the_gateway_carry_the_orders_token,
        );

        #[wasm_bindgen_test::wasm_bindgen_test]
        fn helpers() {
            suite::helpers()
        }

        #[wasm_bindgen_test::wasm_bindgen_test]
        fn floats_as_std() {
            suite::floats_as_std()
        }
    };
    ($($name:ident),* $(,)?) => {$(
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() {
            suite::$name().await
        }
    )*};
}
