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
    // The success path sets its own (long) timer: a loaded machine cannot time it out, and
    // a timer of 30 s left behind would still show in the count.
    suite::ok(c.get_balance(suite::js(r#"{"timeoutMs":30000}"#))).await;
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

/// In Node, `signOrder` makes the token the core verifies, binding the normalised number.
#[wasm_bindgen_test]
fn sign_order_in_node() {
    let grant = suite::js(
        r#"{"kode_produk":"XLA10","nomor_tujuan":"+62 812-3456-1111","refid":"R1","max_price":15000,"expires_at":1900000000}"#,
    );
    let secret = suite::order_secret();
    let token = ics_reseller_wasm::sign_order(secret.into(), grant).expect("signed");
    let g = ics_reseller::token::verify_order(secret.as_bytes(), &token, 1_899_999_999).expect("genuine");
    assert_eq!(g.nomor_tujuan, "081234561111");
    assert_eq!(g.max_price, 15000);
    assert!(ics_reseller::token::verify_order(b"another secret of thirty-two bytes", &token, 0).is_err());
    let weak = ics_reseller_wasm::sign_order("short".into(), suite::js("{}"))
        .err()
        .expect("weak secret or bad grant");
    assert_eq!(
        suite::get(&weak, "code").as_string().as_deref(),
        Some("invalid_input")
    );
}
