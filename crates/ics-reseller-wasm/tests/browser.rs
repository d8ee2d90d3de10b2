//! wasm-bindgen tests in headless Chromium (`cargo xtask test`, step `wasm-chromium`),
//! against the sandbox (another origin: it answers CORS).
#![cfg(target_arch = "wasm32")]

mod suite;

use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

shared_tests!();

/// In a page, an API key is refused unless `allowBrowserKey: true`; no key is fine.
#[wasm_bindgen_test]
async fn key_refused_in_a_page() {
    let opts = suite::js(r#"{"baseUrl":"http://127.0.0.1:1","apiKey":"sk_test_verified"}"#);
    let e = ics_reseller_wasm::ResellerClient::new(opts)
        .err()
        .expect("refused");
    assert_eq!(
        suite::get(&e, "code").as_string().as_deref(),
        Some("invalid_input")
    );
    assert_eq!(suite::get(&e, "field").as_string().as_deref(), Some("apiKey"));
    let msg = suite::get(&e, "message").as_string().unwrap_or_default();
    assert!(msg.contains("allowBrowserKey") && !msg.contains("sk_test_verified"));
    let c = suite::client(r#"{"allowBrowserKey":true}"#);
    suite::ok(c.ping(JsValue::UNDEFINED)).await;
    let gw = suite::gateway_client("{}");
    suite::ok(gw.list_products(suite::js(r#"{"type":"xla"}"#), JsValue::UNDEFINED)).await;
}

/// In a page, `signOrder` refuses to run: the secret would be readable by anyone.
#[wasm_bindgen_test]
fn sign_order_refused_in_a_page() {
    let grant = suite::js(
        r#"{"kode_produk":"XLA10","nomor_tujuan":"081234561111","refid":"R1","max_price":1,"expires_at":9999999999}"#,
    );
    let secret = suite::order_secret();
    let e = ics_reseller_wasm::sign_order(secret.into(), grant)
        .err()
        .expect("refused in a page");
    assert_eq!(
        suite::get(&e, "code").as_string().as_deref(),
        Some("invalid_input")
    );
    assert_eq!(suite::get(&e, "field").as_string().as_deref(), Some("secret"));
    let msg = suite::get(&e, "message").as_string().unwrap_or_default();
    assert!(msg.contains("browser page") && !msg.contains(secret));
}

/// In a page, a relative `baseUrl` (`/gateway`) resolves against `location`.
#[wasm_bindgen_test]
fn relative_base_url_in_a_page() {
    let opts = suite::js(r#"{"baseUrl":"/gateway"}"#);
    assert!(ics_reseller_wasm::ResellerClient::new(opts).is_ok());
    let opts = suite::js(r#"{"baseUrl":"ftp://x"}"#);
    let e = ics_reseller_wasm::ResellerClient::new(opts)
        .err()
        .expect("refused");
    assert_eq!(suite::get(&e, "field").as_string().as_deref(), Some("baseUrl"));
}
