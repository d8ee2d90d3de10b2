//! wasm-bindgen tests in Node (`cargo xtask test`, step `wasm-node`), against the sandbox.
#![cfg(target_arch = "wasm32")]

mod suite;

use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

shared_tests!();

/// Node's count of pending timers (`process.getActiveResourcesInfo()`).
fn timers() -> usize {
    let process = suite::get(&js_sys::global(), "process");
    let f: js_sys::Function =
        wasm_bindgen::JsCast::unchecked_into(suite::get(&process, "getActiveResourcesInfo"));
    let list = js_sys::Array::from(&f.call0(&process).unwrap_or(JsValue::UNDEFINED));
    list.iter()
        .filter(|v| v.as_string().as_deref() == Some("Timeout"))
        .count()
}

/// After a timeout, an abort and a success, no timer of the client is left running.
#[wasm_bindgen_test]
async fn nothing_left_running() {
    suite::reset().await;
    let before = timers();
    let c = suite::client(r#"{"retries":0,"timeoutMs":150}"#);
    suite::fault(r#"{"mode":"latency","action":"ping","latency_ms":600}"#).await;
    suite::fails(c.ping(JsValue::UNDEFINED), "timeout").await;
    suite::ok(c.get_balance(JsValue::UNDEFINED)).await;
    assert_eq!(timers(), before, "timers cleared on every path");
    ics_reseller_wasm::transport::sleep(600, None).await.ok();
}

/// Outside a page there is no `location`: a relative `baseUrl` is refused, naming the field.
#[wasm_bindgen_test]
fn relative_base_url_outside_a_page() {
    let opts = suite::js(r#"{"baseUrl":"/gateway"}"#);
    let e = ics_reseller_wasm::ResellerClient::new(opts)
        .err()
        .expect("refused");
    assert_eq!(
        suite::get(&e, "code").as_string().as_deref(),
        Some("invalid_input")
    );
    assert_eq!(suite::get(&e, "field").as_string().as_deref(), Some("baseUrl"));
}
