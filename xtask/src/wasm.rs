//! The WebAssembly npm package: `cargo xtask build-wasm`, its steps in `cargo xtask test`
//! (wasm-bindgen tests in Node and headless Chromium, the packed tarball in Node ESM/CJS,
//! Vite, `tsc`, `attw`), and `cargo xtask bench`.
//!
//! Package layout (`pkg/`, git-ignored), one wasm module shared by every entry:
//!
//! ```text
//! package.json        exports: "node" → node.mjs / node.cjs, otherwise index.js
//! index.js            ESM for browsers and bundlers: loads the wasm with new URL(.., import.meta.url)
//! node.cjs            CommonJS for Node: wasm-bindgen's `nodejs` bindings read the wasm from disk
//! node.mjs            ESM for Node: re-exports node.cjs (one instance, no dual-package hazard)
//! index.d.ts          js/types.generated.d.ts + js/index.d.ts; index.d.cts is the same for CJS
//! wasm/               ics_reseller_bg.wasm (wasm-opt -Oz), web.js and node.cjs bindings
//! widgets/            `ics-reseller/widgets`: the demo's custom elements (browser ESM), copied
//!                     from crates/ics-reseller-wasm/widgets by `demo::copy_widgets`
//! ```

use std::{
    fs,
    path::{Path, PathBuf},
    process::Stdio,
};

use crate::{
    ci::Outcome,
    sandbox::{free_port, Gateway, GatewayOptions, Sandbox, TEST_ARGS, TEST_LIMITS},
    util::{bail, node_bin, project_root, rel, target_dir, tools_bin, Cmd, Context, Result},
};

/// The wasm crate's folder, relative to the repo root.
const CRATE: &str = "crates/ics-reseller-wasm";
/// The names the package exports, in the order of `js/index.d.ts`.
pub const EXPORTS: &[&str] = &[
    "ResellerClient",
    "ResellerError",
    "newRefId",
    "normalizePhone",
    "productTypeFits",
    "parseWebhook",
    "signOrder",
    "actionNames",
    "errorCodes",
];
/// wasm features rustc enables by default for `wasm32-unknown-unknown`; wasm-opt must know them.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// `pkg/`, where `build-wasm` assembles the npm package.
pub fn pkg_dir() -> PathBuf {
    project_root().join("pkg")
}

fn crate_dir() -> PathBuf {
    project_root().join(CRATE)
}

fn write(path: &Path, text: impl AsRef<[u8]>) -> Result {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).context(format_args!("creating {}", rel(dir)))?;
    }
    fs::write(path, text).context(format_args!("writing {}", rel(path)))
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).context(format_args!("reading {}", rel(path)))
}

fn version() -> Result<String> {
    let manifest = read(&crate_dir().join("Cargo.toml"))?;
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .map(|v| v.trim_matches('"').to_owned())
        .ok_or_else(|| "no version in the wasm crate's Cargo.toml".into())
}

fn wasm_bindgen_bin() -> Result<PathBuf> {
    let bin = tools_bin("wasm-bindgen");
    if !bin.exists() {
        bail!(
            "{} is missing: run `cargo xtask test --only install-wasm-bindgen` first",
            rel(&bin)
        );
    }
    Ok(bin)
}

/// `cargo xtask build-wasm`: release build, wasm-bindgen (web + nodejs), wasm-opt -Oz, pkg/.
pub fn build() -> Result {
    Cmd::new("cargo")
        .args([
            "build",
            "--release",
            "--package",
            "ics-reseller-wasm",
            "--target",
            "wasm32-unknown-unknown",
        ])
        // wasm-bindgen reads the `target_features` section that `strip = true` removes;
        // wasm-opt strips names and debug info afterwards.
        .env("CARGO_PROFILE_RELEASE_STRIP", "false")
        .run()?;
    let wasm_in = target_dir().join("wasm32-unknown-unknown/release/ics_reseller_wasm.wasm");
    let pkg = pkg_dir();
    if pkg.exists() {
        fs::remove_dir_all(&pkg).context("removing pkg/")?;
    }
    let gen = target_dir().join("wasm-bindgen");
    let _ = fs::remove_dir_all(&gen);
    for target in ["web", "nodejs"] {
        Cmd::new(wasm_bindgen_bin()?)
            .arg(&wasm_in)
            .args([
                "--target",
                target,
                "--no-typescript",
                "--out-name",
                "ics_reseller",
            ])
            .arg("--out-dir")
            .arg(gen.join(target))
            .run()?;
    }
    // Both targets wrap the same module; ship one, optimised for size.
    let web_wasm = gen.join("web/ics_reseller_bg.wasm");
    let node_wasm = gen.join("nodejs/ics_reseller_bg.wasm");
    let same = fs::read(&web_wasm).ok() == fs::read(&node_wasm).ok();
    if !same {
        bail!("wasm-bindgen's web and nodejs outputs differ; the package assumes one wasm module");
    }
    fs::create_dir_all(pkg.join("wasm")).context("creating pkg/wasm")?;
    Cmd::new(node_bin("wasm-opt"))
        .arg(&web_wasm)
        .args(["-Oz", "--strip-debug", "--strip-producers"])
        .args(WASM_FEATURES)
        .arg("-o")
        .arg(pkg.join("wasm/ics_reseller_bg.wasm"))
        .run()?;

    let web_js = read(&gen.join("web/ics_reseller.js"))?;
    write(&pkg.join("wasm/web.js"), web_js)?;
    let node_js = read(&gen.join("nodejs/ics_reseller.js"))?;
    if !node_js.contains("ics_reseller_bg.wasm") {
        bail!("wasm-bindgen's nodejs bindings do not name ics_reseller_bg.wasm; update build-wasm");
    }
    write(&pkg.join("wasm/node.cjs"), node_js)?;

    // One script: the generated strict checks, the fast path over them, then the API.
    let api = ["js/check.generated.js", "js/decode.js", "js/api.js"]
        .iter()
        .map(|f| read(&crate_dir().join(f)))
        .collect::<Result<Vec<_>>>()?
        .join("\n");
    let exports = EXPORTS.join(", ");
    let banner = "// generated by `cargo xtask build-wasm` from crates/ics-reseller-wasm/js, do not edit\n";
    write(
        &pkg.join("index.js"),
        format!(
            "{banner}import init, * as wasm from \"./wasm/web.js\";\n\n\
             await init({{ module_or_path: new URL(\"./wasm/ics_reseller_bg.wasm\", import.meta.url) }});\n\n\
             {api}\nexport {{ {exports} }};\n"
        ),
    )?;
    write(
        &pkg.join("node.cjs"),
        format!(
            "{banner}\"use strict\";\nconst wasm = require(\"./wasm/node.cjs\");\n\n{api}\n\
             module.exports = {{ {exports} }};\n"
        ),
    )?;
    write(
        &pkg.join("node.mjs"),
        format!("{banner}import api from \"./node.cjs\";\n\nexport const {{ {exports} }} = api;\n"),
    )?;
    let dts = format!(
        "{}\n{}",
        read(&crate_dir().join("js/types.generated.d.ts"))?,
        read(&crate_dir().join("js/index.d.ts"))?
    );
    write(&pkg.join("index.d.ts"), &dts)?;
    write(&pkg.join("index.d.cts"), &dts)?;
    write(&pkg.join("package.json"), package_json(&version()?))?;
    write(&pkg.join("README.md"), package_readme())?;
    crate::demo::copy_widgets(&pkg)?;
    let wasm_size = fs::metadata(pkg.join("wasm/ics_reseller_bg.wasm")).map_or(0, |m| m.len());
    println!("build-wasm: pkg/ assembled (wasm {} bytes)", wasm_size);
    Ok(())
}

fn package_json(version: &str) -> String {
    let value = serde_json::json!({
        "name": "ics-reseller",
        "version": version,
        "description": "Client of the ICS-Store Reseller API (Indonesian prepaid data packages), in WebAssembly, with exact TypeScript types.",
        "license": "MIT OR Apache-2.0",
        "type": "module",
        "main": "./node.cjs",
        "module": "./index.js",
        "types": "./index.d.cts",
        "exports": {
            ".": {
                "node": {
                    "import": {"types": "./index.d.ts", "default": "./node.mjs"},
                    "require": {"types": "./index.d.cts", "default": "./node.cjs"}
                },
                "import": {"types": "./index.d.ts", "default": "./index.js"},
                "default": {"types": "./index.d.ts", "default": "./index.js"}
            },
            "./widgets": {"types": "./widgets/index.d.ts", "default": "./widgets/index.js"},
            "./package.json": "./package.json"
        },
        "files": [
            "index.js", "index.d.ts", "index.d.cts", "node.cjs", "node.mjs", "wasm/", "widgets/",
            "README.md"
        ],
        "sideEffects": ["./index.js", "./node.cjs", "./node.mjs", "./wasm/*", "./widgets/*"],
        "engines": {"node": ">=20.19.0"}
    });
    let mut s = serde_json::to_string_pretty(&value).unwrap_or_default();
    s.push('\n');
    s
}

fn package_readme() -> String {
    "# ics-reseller\n\nClient of the ICS-Store Reseller API in WebAssembly, with exact TypeScript \
     types. Works as an ES module in browsers and bundlers, and in Node.js 20.19+ by `import` \
     and `require`.\n\n```js\nimport { ResellerClient } from \"ics-reseller\";\n\
     const client = new ResellerClient({ baseUrl: \"/gateway\" });\n\
     const { data } = await client.listProducts({ type: \"xla\" });\n```\n\n\
     Behind `ics-gateway`, an order needs an order token that the shop's server signs after \
     taking the payment, and the page passes along:\n\n```js\n\
     // server (Node): secret = the gateway's ICS_GATEWAY_ORDER_SECRET (>= 32 bytes)\n\
     import { signOrder } from \"ics-reseller\";\n\
     const orderToken = signOrder(secret, { kode_produk, nomor_tujuan, refid, max_price, \
     expires_at });\n\
     // page\n\
     await client.createTransaction({ kode_produk, nomor_tujuan, refid }, { orderToken });\n\
     ```\n\n`signOrder` refuses to run in a browser page. \
     See the repository's README (\"JavaScript quick start\") for the full API.\n"
        .to_owned()
}

/// The sandbox and `ics-gateway` in front of it, as the package's tests use them.
struct Servers {
    sandbox: Sandbox,
    gateway: Gateway,
}

impl Servers {
    /// Environment variables that name both for a test: `ICS_SANDBOX_URL` (the upstream,
    /// with its `/__sandbox` controls), `ICS_GATEWAY_URL` and `ICS_GATEWAY_ORDER_SECRET`.
    fn env(&self) -> [(&'static str, &str); 3] {
        [
            ("ICS_SANDBOX_URL", &self.sandbox.url),
            ("ICS_GATEWAY_URL", &self.gateway.url),
            ("ICS_GATEWAY_ORDER_SECRET", &self.gateway.order_secret),
        ]
    }
}

/// Runs `f` with a fresh sandbox and a gateway in front of it that accepts cross-origin
/// calls from `origin` (a page on another port), or skips when either crate is missing.
fn with_servers(what: &str, origin: Option<&str>, f: impl FnOnce(&Servers) -> Result) -> Result<Outcome> {
    if !Sandbox::available() || !Gateway::available() {
        return Ok(Outcome::Skipped(format!(
            "{what}: crates/ics-sandbox or crates/ics-gateway is not in the workspace yet"
        )));
    }
    let mut sandbox_args: Vec<&str> = TEST_ARGS.to_vec();
    if let Some(o) = origin {
        // The browser suite arms the sandbox's faults from the test page's origin.
        sandbox_args.extend(["--cors-origin", o]);
    }
    let sandbox = Sandbox::start(&Sandbox::build()?, &sandbox_args, false)?;
    let options = GatewayOptions {
        allow_origins: origin.map(str::to_owned).into_iter().collect(),
        limits: Some(TEST_LIMITS),
        ..GatewayOptions::default()
    };
    let gateway = Gateway::start(&Gateway::build()?, &sandbox.url, &options)?;
    f(&Servers { sandbox, gateway })?;
    Ok(Outcome::Done)
}

/// Adds `servers`' environment to `cmd`.
fn with_env(mut cmd: Cmd, servers: &Servers) -> Cmd {
    for (k, v) in servers.env() {
        cmd = cmd.env(k, v);
    }
    cmd
}

/// `cargo xtask test` step `wasm-node`: build the package, then the wasm-bindgen tests in
/// Node and the package's smoke test in Node, against a fresh sandbox and gateway.
pub fn test_node() -> Result<Outcome> {
    build()?;
    with_servers("wasm tests in Node", None, |servers| {
        wasm_bindgen_tests(servers, None)?;
        with_env(Cmd::new("node"), servers)
            .arg("--test")
            .arg(crate_dir().join("tests/js/smoke.test.mjs"))
            .env("ICS_PKG_ENTRY", pkg_dir().join("node.mjs"))
            .run()
    })
}

/// `cargo xtask test` step `wasm-chromium`: the wasm-bindgen tests in headless Chromium,
/// served by the test runner on a port chosen here, which the gateway allows as an origin.
pub fn test_chromium() -> Result<Outcome> {
    let address = format!("127.0.0.1:{}", free_port()?);
    let origin = format!("http://{address}");
    with_servers("wasm tests in Chromium", Some(&origin), |servers| {
        wasm_bindgen_tests(servers, Some(&address))
    })
}

/// The wasm-bindgen tests: in Node, or in Chromium (`browser`: the runner's address).
fn wasm_bindgen_tests(servers: &Servers, browser: Option<&str>) -> Result {
    let mut cmd = with_env(Cmd::new("cargo"), servers)
        .args([
            "test",
            "--package",
            "ics-reseller-wasm",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env(
            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
            tools_bin("wasm-bindgen-test-runner"),
        )
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    if let Some(address) = browser {
        cmd = cmd
            .args(["--test", "browser"])
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("WASM_BINDGEN_TEST_ADDRESS", address);
    } else {
        cmd = cmd.args(["--test", "node"]);
    }
    cmd.run()
}

/// `cargo xtask test` step `npm-package`: `npm pack` of pkg/, installed into a temporary
/// folder (`target/npm-test`, outside the source tree); there: `tsc --noEmit` on the typed
/// consumer, `attw` on the tarball, then against the sandbox and `ics-gateway` the Node ESM
/// and CJS smoke tests, a Vite build of a tiny app, and that build plus the plain ES-module
/// page in headless Chromium (another origin, which the gateway allows).
pub fn npm_package() -> Result<Outcome> {
    build()?;
    let dir = target_dir().join("npm-test");
    if dir.exists() {
        fs::remove_dir_all(&dir).context("removing target/npm-test")?;
    }
    fs::create_dir_all(&dir).context("creating target/npm-test")?;
    let packed = Cmd::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&dir)
        .dir(pkg_dir())
        .read()?;
    let tarball = dir.join(packed.trim().lines().last().unwrap_or_default());
    if !tarball.is_file() {
        bail!("npm pack did not leave a tarball in target/npm-test (said {packed:?})");
    }
    write(
        &dir.join("package.json"),
        "{\"name\": \"ics-reseller-consumer\", \"private\": true, \"type\": \"module\"}\n",
    )?;
    Cmd::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--offline",
            "--loglevel=error",
        ])
        .arg(&tarball)
        .dir(&dir)
        .run()?;
    let tests = crate_dir().join("tests");
    for (from, to) in [
        ("ts/consumer.ts", "consumer.ts"),
        ("ts/tsconfig.json", "tsconfig.json"),
        ("js/smoke.test.mjs", "smoke.test.mjs"),
        ("js/cjs.test.cjs", "cjs.test.cjs"),
        ("js/browser-check.mjs", "browser-check.mjs"),
        ("js/app/index.html", "app/index.html"),
        ("js/app/main.js", "app/main.js"),
        ("js/app/plain.html", "plain.html"),
    ] {
        write(
            &dir.join(to),
            fs::read(tests.join(from)).context(format_args!("reading {from}"))?,
        )?;
    }
    let pw = project_root().join("tools/node/node_modules/playwright-core");
    std::os::unix::fs::symlink(&pw, dir.join("node_modules/playwright-core"))
        .context("linking playwright-core")?;

    Cmd::new(node_bin("tsc"))
        .arg("-p")
        .arg(dir.join("tsconfig.json"))
        .run()?;
    // The widgets are custom elements for browsers, ES modules only (no CommonJS form):
    // attw would flag `require("ics-reseller/widgets")`. The e2e-demo step tests them.
    Cmd::new(node_bin("attw"))
        .arg(&tarball)
        .args(["--format", "table-flipped", "--exclude-entrypoints", "widgets"])
        .run()?;
    Cmd::new(node_bin("vite"))
        .args(["build", "--logLevel", "warn", "--base", "./", "--outDir"])
        .arg(dir.join("dist"))
        .arg("--emptyOutDir")
        .arg(dir.join("app"))
        .dir(&dir)
        .run()?;
    let assets = fs::read_dir(dir.join("dist/assets")).context("reading the Vite build")?;
    if !assets
        .flatten()
        .any(|e| e.file_name().to_string_lossy().ends_with(".wasm"))
    {
        bail!("the Vite build emitted no .wasm asset");
    }
    // The test app's static server listens on this port; the gateway allows its origin.
    let app_port = free_port()?;
    let origin = format!("http://127.0.0.1:{app_port}");
    with_servers("npm package against the gateway", Some(&origin), |servers| {
        with_env(Cmd::new("node"), servers)
            .args(["--test", "smoke.test.mjs", "cjs.test.cjs"])
            .dir(&dir)
            .run()?;
        with_env(Cmd::new("node"), servers)
            .arg("browser-check.mjs")
            .arg(&dir)
            .env("ICS_APP_PORT", app_port.to_string())
            .dir(&dir)
            .run()
    })
}

/// Size in bytes of `data` compressed with `gzip -9`.
fn gzip9(path: &Path) -> Result<u64> {
    let (mut cmd, shown) = Cmd::new("gzip").args(["-9", "-c"]).arg(path).into_command();
    let out = cmd.output().context(format_args!("running `{shown}`"))?;
    if !out.status.success() {
        bail!("`{shown}` failed");
    }
    Ok(out.stdout.len() as u64)
}

/// `cargo xtask bench`: builds pkg/, prints the package size (wasm + JS, raw and gzip -9)
/// and, from one headless Chromium run, the time to decode a 10,000-product listProducts
/// body through the client next to bare `JSON.parse`. Prints; asserts nothing.
pub fn bench() -> Result {
    build()?;
    let pkg = pkg_dir();
    let wasm = pkg.join("wasm/ics_reseller_bg.wasm");
    let files = [wasm.clone(), pkg.join("wasm/web.js"), pkg.join("index.js")];
    let (mut raw, mut gz) = (0, 0);
    let mut size_rows = Vec::new();
    for f in &files {
        let r = fs::metadata(f).context(format_args!("reading {}", rel(f)))?.len();
        let g = gzip9(f)?;
        raw += r;
        gz += g;
        size_rows.push((rel(f), r, g));
    }
    // The script imports playwright-core from tools/node: run a copy beside a link to it.
    let dir = target_dir().join("bench");
    let _ = fs::remove_dir_all(&dir);
    write(
        &dir.join("bench.mjs"),
        read(&crate_dir().join("tests/js/bench.mjs"))?,
    )?;
    fs::create_dir_all(dir.join("node_modules")).context("creating target/bench")?;
    let pw = project_root().join("tools/node/node_modules/playwright-core");
    std::os::unix::fs::symlink(&pw, dir.join("node_modules/playwright-core"))
        .context("linking playwright-core")?;
    let (mut cmd, shown) = Cmd::new("node")
        .arg(dir.join("bench.mjs"))
        .arg(&pkg)
        .dir(&dir)
        .into_command();
    println!("$ {shown}");
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .context("running the bench")?;
    if !out.status.success() {
        bail!("`{shown}` failed");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    let r: serde_json::Value = serde_json::from_str(line).context("reading the bench result")?;
    let ms = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
    let parse = ms("json_parse_ms");
    println!("\n== package size (browser entry: what a page downloads)");
    println!("  {:<36} {:>10} {:>12}", "file", "raw", "gzip -9");
    for (name, r, g) in &size_rows {
        println!("  {name:<36} {r:>10} {g:>12}");
    }
    println!(
        "  {:<36} {raw:>10} {gz:>12}   (target: <= 45 KB gzipped)",
        "total"
    );
    println!(
        "\n== decode a {}-product listProducts body ({} bytes), median of {} runs, {}",
        r["products"],
        r["bytes"],
        r["runs"],
        r["ua"]
            .as_str()
            .unwrap_or("")
            .split(' ')
            .find(|w| w.starts_with("HeadlessChrome") || w.starts_with("Chrome"))
            .unwrap_or("Chromium")
    );
    println!("  {:<60} {:>9} {:>8}", "", "ms", "ratio");
    let php_parse = ms("json_parse_php_ms");
    for (label, key, base) in [
        ("JSON.parse(text)", "json_parse_ms", parse),
        (
            "client.decode(\"listProducts\", 200, text)  (strict: fast path)",
            "decode_ms",
            parse,
        ),
        ("new Response(text).json()", "response_json_ms", parse),
        (
            "client.listProducts() (fetch stub: bytes, UTF-8, decode)",
            "client_ms",
            parse,
        ),
        (
            "JSON.parse(phpText)  (same products, PHP style)",
            "json_parse_php_ms",
            php_parse,
        ),
        (
            "client.decode(.., phpText)  (lenient: core in wasm)",
            "decode_php_ms",
            php_parse,
        ),
    ] {
        println!("  {label:<60} {:>9.2} {:>7.2}x", ms(key), ms(key) / base);
    }
    println!(
        "  (ratios against JSON.parse of the same text in the same run; PHP-style body: {} bytes)",
        r["php_bytes"]
    );
    println!("  (target: decode <= 1.5x JSON.parse)");
    Ok(())
}
