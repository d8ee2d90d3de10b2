//! Hooks for the suites other crates will add to `cargo xtask test`.
//!
//! Each function is already a step in `ci::STEPS` and reports "skipped" until filled in.
//! To fill one in: run the suite with [`crate::util::Cmd`] (its output stays visible, a
//! non-zero exit fails the step) and return `Ok(Outcome::Done)`. Tools are at hand:
//! `util::tools_bin("wasm-bindgen-test-runner")`, `util::node_bin("tsc")`,
//! `util::venv_bin("openapi-python-client")`, Chromium at `/usr/bin/chromium` and
//! `/usr/bin/chromedriver`; `Cmd` puts `tools/bin` and the npm `.bin` first on `$PATH`.

use crate::{ci::Outcome, util::Result};

/// HOOK: wasm-bindgen tests of `ics-reseller-wasm` in Node
/// (`cargo test --target wasm32-unknown-unknown` with the test runner as the target runner).
pub fn wasm_tests_node() -> Result<Outcome> {
    crate::wasm::test_node()
}

/// HOOK: the same wasm-bindgen tests in headless Chromium through chromedriver
/// (`CHROMEDRIVER=/usr/bin/chromedriver`, `WASM_BINDGEN_USE_BROWSER=1`).
pub fn wasm_tests_chromium() -> Result<Outcome> {
    crate::wasm::test_chromium()
}

/// HOOK: the npm package: build it, `tsc --noEmit` on a typed consumer file, `attw --pack`.
pub fn npm_package() -> Result<Outcome> {
    crate::wasm::npm_package()
}

/// HOOK: the demo storefront's end-to-end tests (sandbox + `www/` + Playwright/Chromium).
pub fn e2e_demo() -> Result<Outcome> {
    crate::demo::e2e()
}

/// HOOK: clients generated from `schema/openapi.json` (openapi-typescript + openapi-fetch,
/// openapi-python-client, datamodel-code-generator, schemathesis) against the sandbox.
pub fn generated_clients() -> Result<Outcome> {
    crate::clients::run()
}
