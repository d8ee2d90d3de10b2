//! `cargo xtask demo`: the storefront (`www/`) served by `ics-gateway` in front of the
//! sandbox, and its end-to-end tests (the `e2e-demo` step of `cargo xtask test`).
//!
//! Both build the npm package (`pkg/`, with the widgets in `pkg/widgets/`), start the
//! sandbox (the stand-in upstream, on a port of its own) and `ics-gateway --upstream SANDBOX
//! --static www --pkg pkg --demo-payments` with the key in `ICS_GATEWAY_KEY`, a fresh order
//! secret and an operator `demo` whose password is generated for the run, and place a few
//! sample orders through the gateway, each paid through `/gateway/demo/pay` and ordered
//! with the token it returns, so the back-office has data. The page talks only to the
//! gateway.

use std::{
    fs,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{bail, Context, Result};
use ics_reseller::CreateTransactionRequest;
use xshell::cmd;

use crate::{
    ci::Outcome,
    install,
    sandbox::{GatewayOptions, GatewayProcess, SandboxProcess, TEST_ARGS, TEST_LIMITS},
    util::{project_root, rel, shell},
    wasm,
};

/// Default port of `cargo xtask demo`.
pub const DEFAULT_PORT: u16 = 8080;

/// The widgets' sources; `pkg/widgets/` is a copy (`ics-reseller/widgets` in the package).
fn widgets_src() -> PathBuf {
    project_root().join("crates/ics-reseller-wasm/widgets")
}

/// Copies the widgets (`*.js`, `*.d.ts`) into `pkg/widgets/`; called by `build-wasm`.
pub fn copy_widgets(pkg: &Path) -> Result<()> {
    let out = pkg.join("widgets");
    fs::create_dir_all(&out).with_context(|| format!("creating {}", rel(&out)))?;
    let src = widgets_src();
    let entries = fs::read_dir(&src).with_context(|| format!("reading {}", rel(&src)))?;
    for entry in entries {
        let path = entry.context("listing the widgets")?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".js") || name.ends_with(".d.ts") {
            fs::copy(&path, out.join(name)).with_context(|| format!("copying {}", rel(&path)))?;
        }
    }
    Ok(())
}

/// `cargo xtask build-wasm` (which copies the widgets with [`copy_widgets`]).
fn build_package() -> Result<()> {
    wasm::build()
}

/// The sandbox's arguments behind the demo's gateway: a free port, `settle_ms` settle time.
fn sandbox_args(settle_ms: &str) -> [&str; 4] {
    ["--bind", TEST_ARGS[1], "--settle-ms", settle_ms]
}

/// The sandbox and the gateway serving the storefront in front of it.
struct Demo {
    sandbox: SandboxProcess,
    gateway: GatewayProcess,
}

/// The demo's limits: the gateway's defaults, but a visitor may try each test number more
/// than the default 5 times an hour.
const DEMO_LIMITS: &str = "orders_per_number_per_hour = 30\n";

/// Builds and starts both; the gateway listens on `listen` with `limits`.
fn start(listen: &str, settle_ms: &str, limits: &str) -> Result<Demo> {
    let sandbox = SandboxProcess::start(&SandboxProcess::build()?, &sandbox_args(settle_ms), false)?;
    let options = GatewayOptions {
        listen: Some(listen),
        storefront: true,
        limits: Some(limits),
        ..GatewayOptions::default()
    };
    let gateway = GatewayProcess::start(&GatewayProcess::build()?, &sandbox.url, &options)?;
    Ok(Demo { sandbox, gateway })
}

/// Sample orders placed through the gateway when the demo starts:
/// `(refid, product, number)`; the last four digits pick the sandbox's scenario.
const SAMPLE_ORDERS: &[(&str, &str, &str)] = &[
    ("DEMO-SAMPLE-1", "XLA10", "081711110001"),
    ("DEMO-SAMPLE-2", "XDA1", "081911112222"),
    ("DEMO-SAMPLE-3", "BPA3", "085611113333"),
    ("DEMO-SAMPLE-4", "FMAX20", "087811111111"),
    ("DEMO-SAMPLE-5", "XLA5", "081811115555"),
];

/// Places [`SAMPLE_ORDERS`] through the gateway as the page does: the simulated payment
/// (`POST /gateway/demo/pay`, the gateway's own route) returns an order token, and the order
/// goes with it through the native client (`ics-reseller-client`, with its reconciliation):
/// any refusal, or an order the client cannot confirm, stops the demo.
fn seed(url: &str) -> Result<()> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting a tokio runtime")?
        .block_on(seed_orders(url))
}

async fn seed_orders(url: &str) -> Result<()> {
    let client = ics_reseller_client::Client::new(format!("{url}/gateway"), None)?;
    let http = reqwest::Client::new();
    for (refid, product, number) in SAMPLE_ORDERS {
        let order = CreateTransactionRequest {
            kode_produk: (*product).to_owned(),
            nomor_tujuan: (*number).to_owned(),
            refid: (*refid).to_owned(),
        };
        let paid = http
            .post(format!("{url}/gateway/demo/pay"))
            .json(&order)
            .send()
            .await
            .with_context(|| format!("paying for sample order {refid}"))?;
        let status = paid.status();
        let answer = paid.text().await.unwrap_or_default();
        let token = serde_json::from_str::<serde_json::Value>(&answer)
            .ok()
            .and_then(|v| v["token"].as_str().map(str::to_owned));
        let Some(token) = token.filter(|_| status == reqwest::StatusCode::OK) else {
            bail!("the payment of sample order {refid} was refused: HTTP {status} {answer}");
        };
        client
            .create_transaction_with(order, Some(&token))
            .await
            .with_context(|| format!("sample order {refid} was not placed"))?;
    }
    Ok(())
}

/// `cargo xtask demo [--port N]`: installs what the build needs, builds the package, serves
/// the storefront through the gateway, prints the back-office sign-in, waits for Ctrl+C.
pub fn run(port: u16) -> Result<()> {
    // What build-wasm needs, installed like `cargo xtask test` does (quick when present).
    install::wasm_target()?;
    install::node_tools()?;
    install::wasm_bindgen_runner()?;
    build_package()?;
    let listen = format!("127.0.0.1:{port}");
    let mut demo = start(&listen, "1500", DEMO_LIMITS)?;
    seed(&demo.gateway.url)?;
    println!(
        "\n  Storefront   {url}/\n  Back-office  {url}/#backoffice\n  \
         Sign in as   {user} / {password}   (generated for this run)\n  \
         Upstream     {sandbox} (the sandbox; only the gateway talks to it)\n\n  \
         Buying: choose a package, enter a number, \"Beli sekarang\", then \"Bayar\" (a\n  \
         simulated payment: the gateway signs an order token for that one order).\n  \
         Try the test numbers …1111 (success), …2222 (pending, then success),\n  \
         …3333 (fails, refunded), …4444 (refused by the supplier). Ctrl+C stops.\n",
        url = demo.gateway.url,
        user = demo.gateway.username,
        password = demo.gateway.password,
        sandbox = demo.sandbox.url,
    );
    let status = demo.gateway.wait()?;
    if !status.success() {
        bail!("the gateway stopped: {status}");
    }
    Ok(())
}

/// `cargo xtask test` step `e2e-demo`: the storefront in headless Chromium
/// (`www/e2e/*.test.mjs`, playwright-core from `tools/node`), against a fresh sandbox and
/// gateway: `ICS_DEMO_URL` (the gateway, serving the page), `ICS_SANDBOX_URL` (its
/// upstream, for faults and state), `ICS_DEMO_USER`/`ICS_DEMO_PASSWORD` (the operator).
pub fn e2e() -> Result<Outcome> {
    let root = project_root();
    build_package()?;
    // Long enough that a pending order stays pending for several of the tests' round trips
    // to the page on a loaded machine (the "…2222: pending, then success" test reads it).
    let settle_ms = 2_000;
    let demo = start("127.0.0.1:0", &settle_ms.to_string(), TEST_LIMITS)?;
    seed(&demo.gateway.url)?;
    // Let the sample orders settle, so the tests start from final statistics.
    std::thread::sleep(Duration::from_millis(settle_ms + 400));
    let out = root.join("test-output/e2e");
    let sh = shell()?;
    let tests = root.join("www/e2e/storefront.test.mjs");
    cmd!(
        sh,
        "node --test --test-concurrency=1 --test-timeout=900000 {tests}"
    )
    .env("ICS_DEMO_URL", &demo.gateway.url)
    .env("ICS_SANDBOX_URL", &demo.sandbox.url)
    .env("ICS_DEMO_USER", &demo.gateway.username)
    .env("ICS_DEMO_PASSWORD", &demo.gateway.password)
    .env("ICS_TEST_OUTPUT", &out)
    .run()?;
    lighthouse(&demo.gateway.url, &out)?;
    drop(demo);
    println!("e2e-demo: screenshots in {}", rel(&out.join("screenshots")));
    Ok(Outcome::Done)
}

/// Lighthouse (mobile) on the demo's shop page, `www/e2e/lighthouse.mjs`: three runs, prints
/// each run's four scores and the median run's, fails unless accessibility, best practices
/// and SEO are 100 in every run.
fn lighthouse(url: &str, out: &Path) -> Result<()> {
    let sh = shell()?;
    let script = project_root().join("www/e2e/lighthouse.mjs");
    cmd!(sh, "node {script}")
        .env("ICS_DEMO_URL", url)
        .env("ICS_TEST_OUTPUT", out)
        .env("CHROME_PATH", "/usr/bin/chromium")
        .run()?;
    Ok(())
}
