//! `cargo xtask demo`: the storefront (`www/`) on the sandbox, and its end-to-end tests (the
//! `e2e-demo` step of `cargo xtask test`).
//!
//! Both build the npm package (`pkg/`, with the widgets in `pkg/widgets/`), start
//! `ics-sandbox --www www --pkg pkg`, whose gateway routes add the API key on the server,
//! and place a few sample orders through the gateway so the back-office has data.

use std::{
    fs,
    io::{Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    time::Duration,
};

use crate::{
    ci::Outcome,
    install,
    sandbox::Sandbox,
    util::{bail, project_root, rel, Cmd, Context, Result},
    wasm,
};

/// Default port of `cargo xtask demo`.
pub const DEFAULT_PORT: u16 = 8080;

/// The widgets' sources; `pkg/widgets/` is a copy (`ics-reseller/widgets` in the package).
fn widgets_src() -> PathBuf {
    project_root().join("crates/ics-reseller-wasm/widgets")
}

/// Copies the widgets (`*.js`, `*.d.ts`) into `pkg/widgets/`; called by `build-wasm`.
pub fn copy_widgets(pkg: &Path) -> Result {
    let out = pkg.join("widgets");
    fs::create_dir_all(&out).context(format_args!("creating {}", rel(&out)))?;
    let src = widgets_src();
    let entries = fs::read_dir(&src).context(format_args!("reading {}", rel(&src)))?;
    for entry in entries {
        let path = entry.context("listing the widgets")?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with(".js") || name.ends_with(".d.ts") {
            fs::copy(&path, out.join(name)).context(format_args!("copying {}", rel(&path)))?;
        }
    }
    Ok(())
}

/// `cargo xtask build-wasm` (which copies the widgets with [`copy_widgets`]).
fn build_package() -> Result {
    wasm::build()
}

/// The sandbox's arguments for the demo: the storefront and the package on `bind`.
fn demo_args<'a>(bind: &'a str, settle_ms: &'a str) -> [&'a str; 8] {
    [
        "--bind",
        bind,
        "--www",
        "www",
        "--pkg",
        "pkg",
        "--settle-ms",
        settle_ms,
    ]
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

/// Places [`SAMPLE_ORDERS`] through `/gateway/`, as the page would.
fn seed(url: &str) -> Result {
    for (refid, product, number) in SAMPLE_ORDERS {
        let body = serde_json::json!({"kode_produk": product, "nomor_tujuan": number, "refid": refid});
        let (status, reply) = http_post(url, "/gateway/?action=createTransaction", &body.to_string())?;
        if status != 200 || !reply.contains("\"success\":true") {
            bail!("sample order {refid} was refused: HTTP {status} {reply}");
        }
    }
    Ok(())
}

/// A minimal HTTP/1.1 POST of JSON to `base` (`http://HOST:PORT`): status and body.
fn http_post(base: &str, path: &str, json: &str) -> Result<(u16, String)> {
    let host = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http:// URL: {base}"))?
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(host).context(format_args!("connecting to {host}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .context("setting a timeout")?;
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{json}",
        json.len()
    );
    stream
        .write_all(request.as_bytes())
        .context(format_args!("POST {path}"))?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .context(format_args!("reading the answer to POST {path}"))?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    Ok((status, body))
}

/// `cargo xtask demo [--port N]`: installs what the build needs, builds the package, serves
/// the storefront, waits for Ctrl+C.
pub fn run(port: u16) -> Result {
    // What build-wasm needs, installed like `cargo xtask test` does (quick when present).
    install::wasm_target()?;
    install::node_tools()?;
    install::wasm_bindgen_runner()?;
    build_package()?;
    let bin = Sandbox::build()?;
    let bind = format!("127.0.0.1:{port}");
    let server = Sandbox::start(&bin, &demo_args(&bind, "1500"), false)?;
    seed(&server.url)?;
    println!(
        "\n  Storefront   {url}/\n  Back-office  {url}/#backoffice\n\n  \
         Try the test numbers …1111 (success), …2222 (pending, then success),\n  \
         …3333 (fails, refunded), …4444 (refused by the supplier). Ctrl+C stops.\n",
        url = server.url
    );
    let mut server = server;
    let status = server.wait()?;
    if !status.success() {
        bail!("the sandbox stopped: {status}");
    }
    Ok(())
}

/// `cargo xtask test` step `e2e-demo`: the storefront in headless Chromium
/// (`www/e2e/*.test.mjs`, playwright-core from `tools/node`), against a fresh sandbox.
pub fn e2e() -> Result<Outcome> {
    let root = project_root();
    if !root.join("crates/ics-sandbox/Cargo.toml").exists() {
        return Ok(Outcome::Skipped(
            "crates/ics-sandbox is not in the workspace yet".into(),
        ));
    }
    build_package()?;
    let bin = Sandbox::build()?;
    let settle_ms = 800;
    let settle = settle_ms.to_string();
    let server = Sandbox::start(&bin, &demo_args("127.0.0.1:0", &settle), false)?;
    seed(&server.url)?;
    // Let the sample orders settle, so the tests start from final statistics.
    std::thread::sleep(Duration::from_millis(settle_ms + 400));
    let out = root.join("test-output/e2e");
    Cmd::new("node")
        .args(["--test", "--test-concurrency=1"])
        .arg(root.join("www/e2e/storefront.test.mjs"))
        .env("ICS_DEMO_URL", &server.url)
        .env("ICS_TEST_OUTPUT", &out)
        .run()?;
    drop(server);
    println!("e2e-demo: screenshots in {}", rel(&out.join("screenshots")));
    Ok(Outcome::Done)
}
