//! The WebAssembly npm package: `cargo xtask build-wasm`, its steps in `cargo xtask test`
//! (wasm-bindgen tests in Node and headless Chromium, the packed tarball in Node ESM/CJS,
//! Vite, `tsc`, `attw`), and `cargo xtask bench`.
//!
//! Package layout (`pkg/`, git-ignored), one wasm module for browsers and bundlers, one
//! for Node (the same crate, with `signOrder`'s signing):
//!
//! ```text
//! package.json        exports: "node" → node.mjs / node.cjs, otherwise index.js
//! index.js            ESM for browsers and bundlers (js/*.js bundled and minified by esbuild, ES2020,
//!                     no top-level await): instantiates the wasm on the first call or `ready()`,
//!                     from new URL("./wasm/ics_reseller_bg.wasm", import.meta.url)
//! node.cjs            CommonJS for Node (the same js/*.js, bundled): wasm-bindgen's `nodejs`
//!                     bindings (wasm/node.cjs) read the wasm from disk at require
//! node.mjs            ESM for Node: re-exports node.cjs (one instance, no dual-package hazard)
//! index.d.ts          js/types.generated.d.ts + js/index.d.ts; index.d.cts is the same for CJS
//! wasm/               ics_reseller_bg.wasm (the browser module: wasm-opt -Oz, built without the
//!                     crate's `sign` feature, so `signOrder` only refuses), and the Node
//!                     module ics_reseller_node_bg.wasm (with it) and its node.cjs bindings
//! widgets/            `ics-reseller/widgets`: the demo's custom elements (browser ESM), copied
//!                     from crates/ics-reseller-wasm/widgets by `demo::copy_widgets`
//! ```

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context, Result};
use xshell::{cmd, Cmd};

use crate::{
    ci::Outcome,
    install,
    sandbox::{free_port, GatewayOptions, GatewayProcess, SandboxProcess, TEST_ARGS, TEST_LIMITS},
    util::{node_bin, project_root, rel, shell, target_dir, tools_bin},
};

/// The wasm crate's folder, relative to the repo root.
const CRATE: &str = "crates/ics-reseller-wasm";
/// The names the package exports, in the order of `js/index.d.ts`.
pub const EXPORTS: &[&str] = &[
    "ResellerClient",
    "ResellerError",
    "ready",
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

fn write(path: &Path, text: impl AsRef<[u8]>) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", rel(dir)))?;
    }
    fs::write(path, text).with_context(|| format!("writing {}", rel(path)))
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).with_context(|| format!("reading {}", rel(path)))
}

fn version() -> Result<String> {
    let manifest = read(&crate_dir().join("Cargo.toml"))?;
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = "))
        .map(|v| v.trim_matches('"').to_owned())
        .context("no version in the wasm crate's Cargo.toml")
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

/// `cargo xtask build-wasm`: two release builds of the wasm crate (the browser module
/// without its `sign` feature, the Node module with it), wasm-bindgen (`web` bindings for
/// the first, `nodejs` for the second), wasm-opt -Oz, pkg/.
pub fn build() -> Result<()> {
    let sh = shell()?;
    let pkg = pkg_dir();
    if pkg.exists() {
        fs::remove_dir_all(&pkg).context("removing pkg/")?;
    }
    fs::create_dir_all(pkg.join("wasm")).context("creating pkg/wasm")?;
    let gen = target_dir().join("wasm-bindgen");
    let _ = fs::remove_dir_all(&gen);
    let wasm_bindgen = wasm_bindgen_bin()?;
    // The page's module leaves `signOrder`'s signing (SHA-256, HMAC) out; Node's keeps it.
    // Each profile has its own folder, so neither build overwrites the other's `.wasm`.
    for (target, profile, features, out_name) in [
        ("web", "release", &["--no-default-features"][..], "ics_reseller"),
        ("nodejs", "wasm-node", &[][..], "ics_reseller_node"),
    ] {
        cmd!(
            sh,
            "cargo build --profile {profile} --package ics-reseller-wasm --target wasm32-unknown-unknown {features...}"
        )
        // wasm-bindgen reads the `target_features` section that `strip = true` removes;
        // wasm-opt strips names and debug info afterwards.
        .env("CARGO_PROFILE_RELEASE_STRIP", "false")
        .env("CARGO_PROFILE_WASM_NODE_STRIP", "false")
        .run()?;
        let wasm_in = target_dir().join(format!("wasm32-unknown-unknown/{profile}/ics_reseller_wasm.wasm"));
        let out_dir = gen.join(target);
        cmd!(
            sh,
            "{wasm_bindgen} {wasm_in} --target {target} --no-typescript --out-name {out_name} --out-dir {out_dir}"
        )
        .run()?;
        let (wasm_opt, bindgen_wasm) = (node_bin("wasm-opt"), out_dir.join(format!("{out_name}_bg.wasm")));
        let wasm_out = pkg.join(format!("wasm/{out_name}_bg.wasm"));
        cmd!(
            sh,
            "{wasm_opt} {bindgen_wasm} -Oz --strip-debug --strip-producers {WASM_FEATURES...} -o {wasm_out}"
        )
        .run()?;
    }

    let web_js = read(&gen.join("web/ics_reseller.js"))?;
    // wasm-bindgen's default location (`new URL('ics_reseller_bg.wasm', import.meta.url)`)
    // would point bundlers at a file beside index.js that does not exist: js/load-web.js
    // always passes the location, so the default goes.
    let default_url = "new URL('ics_reseller_bg.wasm', import.meta.url)";
    if !web_js.contains(default_url) {
        bail!("wasm-bindgen's web bindings no longer hold {default_url}; update build-wasm");
    }
    let web_js = web_js.replace(default_url, "undefined");
    let node_js = read(&gen.join("nodejs/ics_reseller_node.js"))?;
    if !node_js.contains("ics_reseller_node_bg.wasm") {
        bail!("wasm-bindgen's nodejs bindings do not name ics_reseller_node_bg.wasm; update build-wasm");
    }
    write(&pkg.join("wasm/node.cjs"), node_js)?;

    // The package's JS is ES modules (js/api.js holds the one export list); esbuild bundles
    // them once per entry, with js/load-web.js or js/load-node.js as `./load.js`.
    // The JS method of every row of the core's actions table, plus the one method that is
    // not an action.
    let methods: Vec<&str> = ics_reseller::ActionKind::ALL
        .iter()
        .map(|k| k.js_name())
        .chain(["waitForTransaction"])
        .collect();
    let methods_js = format!(
        "// generated by `cargo xtask build-wasm`: the action methods of ResellerClient.\n\
         export const METHODS = {};\n",
        serde_json::to_string(&methods).unwrap_or_default()
    );
    let check_js = format!(
        "{}\nexport {{ fastChecks }};\n",
        read(&crate_dir().join("js/check.generated.js"))?
    );
    let banner = "// generated by `cargo xtask build-wasm` from crates/ics-reseller-wasm/js, do not edit";
    let stage = target_dir().join("wasm-js");
    let _ = fs::remove_dir_all(&stage);
    for (entry, load, out, format) in [
        ("web", "js/load-web.js", "index.js", "esm"),
        ("node", "js/load-node.js", "node.cjs", "cjs"),
    ] {
        let dir = stage.join(entry);
        write(&dir.join("api.js"), read(&crate_dir().join("js/api.js"))?)?;
        write(&dir.join("decode.js"), read(&crate_dir().join("js/decode.js"))?)?;
        write(&dir.join("check.js"), &check_js)?;
        write(&dir.join("methods.js"), &methods_js)?;
        write(&dir.join("load.js"), read(&crate_dir().join(load))?)?;
        write(&dir.join("wasm/web.js"), &web_js)?;
        let (esbuild, api) = (node_bin("esbuild"), dir.join("api.js"));
        let outfile = pkg.join(out);
        let mut cmd = cmd!(
            sh,
            "{esbuild} {api} --bundle --log-level=warning --target=es2020 --format={format}
                --banner:js={banner} --outfile={outfile}"
        );
        if entry == "web" {
            // The glue minified (ResellerError sets its `name` itself).
            cmd = cmd.args(["--minify", "--platform=browser"]);
        } else {
            cmd = cmd.args(["--platform=node", "--external:./wasm/node.cjs"]);
        }
        cmd.run()?;
    }
    let exports = EXPORTS.join(", ");
    write(
        &pkg.join("node.mjs"),
        format!("{banner}\nimport api from \"./node.cjs\";\n\nexport const {{ {exports} }} = api;\n"),
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
    let size = |name: &str| fs::metadata(pkg.join("wasm").join(name)).map_or(0, |m| m.len());
    println!(
        "build-wasm: pkg/ assembled (wasm: browser {} bytes, Node {} bytes)",
        size("ics_reseller_bg.wasm"),
        size("ics_reseller_node_bg.wasm")
    );
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
     In a browser the WebAssembly module loads on the first call (or `await ready()`, \
     needed before the synchronous helpers such as `normalizePhone`). Vite and webpack 5 \
     copy the `.wasm` file; with esbuild or Rollup copy it beside the bundle: \
     `mkdir -p dist/wasm && cp node_modules/ics-reseller/wasm/ics_reseller_bg.wasm dist/wasm/` \
     (or pass its URL: `await ready(\"/assets/ics_reseller_bg.wasm\")`). \
     See the repository's README (\"JavaScript quick start\") for the full API.\n"
        .to_owned()
}

/// The sandbox and `ics-gateway` in front of it, as the package's tests use them.
struct Servers {
    sandbox: SandboxProcess,
    gateway: GatewayProcess,
    /// A second gateway in front of the same sandbox whose upstream timeout
    /// ([`SHORT_UPSTREAM_TIMEOUT_MS`]) a sandbox latency fault outlasts in seconds, for the
    /// smoke test of the gateway's 409 `order_in_flight` (the test gateway's 30 s default
    /// would make that test take more than 30 s). Started for the Node smoke tests only.
    short: Option<GatewayProcess>,
}

/// The upstream timeout of [`Servers::short`]: the Rust client's test of the same scenario
/// (crates/ics-gateway/tests/it/orders.rs) uses 1 s too.
const SHORT_UPSTREAM_TIMEOUT_MS: u64 = 1_000;

impl Servers {
    /// Environment variables that name them for a test: `ICS_SANDBOX_URL` (the upstream,
    /// with its `/__sandbox` controls), `ICS_GATEWAY_URL` and `ICS_GATEWAY_ORDER_SECRET`,
    /// and with the short gateway `ICS_GATEWAY_SHORT_URL` and its
    /// `ICS_GATEWAY_SHORT_ORDER_SECRET`.
    fn env(&self) -> Vec<(&'static str, &str)> {
        let mut env = vec![
            ("ICS_SANDBOX_URL", self.sandbox.url.as_str()),
            ("ICS_GATEWAY_URL", &self.gateway.url),
            ("ICS_GATEWAY_ORDER_SECRET", &self.gateway.order_secret),
        ];
        if let Some(short) = &self.short {
            env.extend([
                ("ICS_GATEWAY_SHORT_URL", short.url.as_str()),
                ("ICS_GATEWAY_SHORT_ORDER_SECRET", &short.order_secret),
            ]);
        }
        env
    }
}

/// Runs `f` with a fresh sandbox and a gateway in front of it that accepts cross-origin
/// calls from `origin` (a page on another port); `short`: with [`Servers::short`] too.
fn with_servers(
    origin: Option<&str>,
    short: bool,
    f: impl FnOnce(&Servers) -> Result<()>,
) -> Result<Outcome> {
    let mut sandbox_args: Vec<&str> = TEST_ARGS.to_vec();
    if let Some(o) = origin {
        // The browser suite arms the sandbox's faults from the test page's origin.
        sandbox_args.extend(["--cors-origin", o]);
    }
    let sandbox = SandboxProcess::start(&SandboxProcess::build()?, &sandbox_args, false)?;
    let mut options = GatewayOptions {
        allow_origins: origin.map(str::to_owned).into_iter().collect(),
        limits: Some(TEST_LIMITS),
        ..GatewayOptions::default()
    };
    let bin = GatewayProcess::build()?;
    let gateway = GatewayProcess::start(&bin, &sandbox.url, &options)?;
    let short = if short {
        options.upstream_timeout_ms = Some(SHORT_UPSTREAM_TIMEOUT_MS);
        Some(GatewayProcess::start(&bin, &sandbox.url, &options)?)
    } else {
        None
    };
    f(&Servers {
        sandbox,
        gateway,
        short,
    })?;
    Ok(Outcome::Done)
}

/// Adds `servers`' environment to `cmd`.
fn with_env<'a>(cmd: Cmd<'a>, servers: &Servers) -> Cmd<'a> {
    cmd.envs(servers.env())
}

/// `cargo xtask test` step `wasm-node`: build the package, then the wasm-bindgen tests in
/// Node and the package's smoke test in Node, against a fresh sandbox and gateway.
pub fn test_node() -> Result<Outcome> {
    build()?;
    with_servers(None, true, |servers| {
        wasm_bindgen_tests(servers, None)?;
        let sh = shell()?;
        let smoke = crate_dir().join("tests/js/smoke.test.mjs");
        with_env(cmd!(sh, "node --test {smoke}"), servers)
            .env("ICS_PKG_ENTRY", pkg_dir().join("node.mjs"))
            .run()?;
        Ok(())
    })
}

/// `cargo xtask test` step `wasm-chromium`: the wasm-bindgen tests in headless Chromium,
/// served by the test runner on a port chosen here, which the gateway allows as an origin.
pub fn test_chromium() -> Result<Outcome> {
    let address = format!("127.0.0.1:{}", free_port()?);
    let origin = format!("http://{address}");
    with_servers(Some(&origin), false, |servers| {
        wasm_bindgen_tests(servers, Some(&address))
    })
}

/// The wasm-bindgen tests: in Node, or in Chromium (`browser`: the runner's address).
fn wasm_bindgen_tests(servers: &Servers, browser: Option<&str>) -> Result<()> {
    let sh = shell()?;
    // Chromium tests the browser module's build (no `sign` feature), Node the Node module's.
    let (suite, features) = if browser.is_some() {
        ("browser", &["--no-default-features"][..])
    } else {
        ("node", &[][..])
    };
    let mut cmd = with_env(
        cmd!(
            sh,
            "cargo test --package ics-reseller-wasm --target wasm32-unknown-unknown --test {suite} {features...}"
        ),
        servers,
    )
    .env(
        "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
        tools_bin("wasm-bindgen-test-runner"),
    )
    .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    if let Some(address) = browser {
        cmd = cmd
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .env("WASM_BINDGEN_TEST_ADDRESS", address);
    }
    cmd.run()?;
    Ok(())
}

/// `cargo xtask test` step `npm-package`: `npm pack` of pkg/, installed into a temporary
/// folder (`target/npm-test`, outside the source tree); there: `tsc --noEmit` on the typed
/// consumer, `attw` on the tarball, then against the sandbox and `ics-gateway` the Node ESM
/// and CJS smoke tests, builds of a tiny app by Vite, webpack 5, esbuild (esm, iife at
/// es2020) and Rollup (tests/js/bundlers.mjs), and those builds plus the plain ES-module
/// page in headless Chromium (another origin, which the gateway allows).
pub fn npm_package() -> Result<Outcome> {
    build()?;
    let dir = target_dir().join("npm-test");
    if dir.exists() {
        fs::remove_dir_all(&dir).context("removing target/npm-test")?;
    }
    fs::create_dir_all(&dir).context("creating target/npm-test")?;
    let sh = shell()?;
    let packed = {
        let _pkg = sh.push_dir(pkg_dir());
        cmd!(sh, "npm pack --silent --pack-destination {dir}").read()?
    };
    let tarball = dir.join(packed.trim().lines().last().unwrap_or_default());
    if !tarball.is_file() {
        bail!("npm pack did not leave a tarball in target/npm-test (said {packed:?})");
    }
    write(
        &dir.join("package.json"),
        "{\"name\": \"ics-reseller-consumer\", \"private\": true, \"type\": \"module\"}\n",
    )?;
    sh.change_dir(&dir);
    cmd!(
        sh,
        "npm install --no-audit --no-fund --offline --loglevel=error {tarball}"
    )
    .run()?;
    let tests = crate_dir().join("tests");
    for (from, to) in [
        ("ts/consumer.ts", "consumer.ts"),
        ("ts/tsconfig.json", "tsconfig.json"),
        ("js/smoke.test.mjs", "smoke.test.mjs"),
        ("js/cjs.test.cjs", "cjs.test.cjs"),
        ("js/browser-check.mjs", "browser-check.mjs"),
        ("js/bundlers.mjs", "bundlers.mjs"),
        ("js/app/index.html", "app/index.html"),
        ("js/app/main.js", "app/main.js"),
        ("js/app/plain.html", "plain.html"),
    ] {
        write(
            &dir.join(to),
            fs::read(tests.join(from)).with_context(|| format!("reading {from}"))?,
        )?;
    }
    let pw = project_root().join("tools/node/node_modules/playwright-core");
    std::os::unix::fs::symlink(&pw, dir.join("node_modules/playwright-core"))
        .context("linking playwright-core")?;

    let (tsc, attw, vite) = (node_bin("tsc"), node_bin("attw"), node_bin("vite"));
    let tsconfig = dir.join("tsconfig.json");
    cmd!(sh, "{tsc} -p {tsconfig}").run()?;
    // The widgets are custom elements for browsers, ES modules only (no CommonJS form):
    // attw would flag `require("ics-reseller/widgets")`. The e2e-demo step tests them.
    cmd!(
        sh,
        "{attw} {tarball} --format table-flipped --exclude-entrypoints widgets"
    )
    .run()?;
    let (dist, app) = (dir.join("dist"), dir.join("app"));
    cmd!(
        sh,
        "{vite} build --logLevel warn --base ./ --outDir {dist} --emptyOutDir {app}"
    )
    .run()?;
    let assets = fs::read_dir(dir.join("dist/assets")).context("reading the Vite build")?;
    if !assets
        .flatten()
        .any(|e| e.file_name().to_string_lossy().ends_with(".wasm"))
    {
        bail!("the Vite build emitted no .wasm asset");
    }
    // The same app with webpack 5, esbuild (esm; iife at es2020) and Rollup, defaults.
    let node_modules = project_root().join("tools/node/node_modules");
    cmd!(sh, "node bundlers.mjs {dir} {node_modules}").run()?;
    // The bench's peers build and decode the same bodies as this package (no timing).
    run_bench_js(true)?;
    // The test app's static server listens on this port; the gateway allows its origin.
    let app_port = free_port()?;
    let origin = format!("http://127.0.0.1:{app_port}");
    with_servers(Some(&origin), true, |servers| {
        // One file at a time (node runs test files in parallel on a machine with more
        // cores): the order_in_flight test counts the sandbox's createTransaction requests
        // and the balance, which an order of the other file would change.
        with_env(
            cmd!(sh, "node --test --test-concurrency=1 smoke.test.mjs cjs.test.cjs"),
            servers,
        )
        .run()?;
        with_env(
            cmd!(sh, "node browser-check.mjs {dir} {BUNDLER_PAGES...}"),
            servers,
        )
        .env("ICS_APP_PORT", app_port.to_string())
        .run()?;
        Ok(())
    })
}

/// The pages of tests/js/bundlers.mjs's builds that browser-check.mjs loads.
const BUNDLER_PAGES: &[&str] = &[
    "dist-webpack/index.html",
    "dist-esbuild-esm/index.html",
    "dist-esbuild-iife/index.html",
    "dist-rollup/index.html",
];

/// `target/bench`: tests/js/bench.mjs, peers.mjs and peers/ copied beside a `node_modules`
/// link to tools/node/node_modules, so the peers resolve their packages (openapi-fetch,
/// zod, Ajv's runtime, esbuild, playwright-core) from the pinned tools.
fn bench_dir() -> Result<PathBuf> {
    let dir = target_dir().join("bench");
    let _ = fs::remove_dir_all(&dir);
    let js = crate_dir().join("tests/js");
    for name in ["bench.mjs", "peers.mjs"] {
        write(&dir.join(name), read(&js.join(name))?)?;
    }
    let peers = fs::read_dir(js.join("peers")).context("reading tests/js/peers")?;
    for entry in peers {
        let path = entry.context("reading tests/js/peers")?.path();
        write(
            &dir.join("peers").join(path.file_name().unwrap_or_default()),
            read(&path)?,
        )?;
    }
    let modules = project_root().join("tools/node/node_modules");
    if !modules.join("playwright-core").exists() {
        bail!("tools/node/node_modules is not installed: run `cargo xtask test --only install-node` first");
    }
    std::os::unix::fs::symlink(&modules, dir.join("node_modules"))
        .context("linking tools/node/node_modules")?;
    Ok(dir)
}

/// Runs tests/js/bench.mjs on the built pkg/ (`--smoke`: build the peers, typecheck the
/// openapi-fetch one, check in Chromium that every peer decodes the bodies alike; no timing).
fn run_bench_js(smoke: bool) -> Result<()> {
    let dir = bench_dir()?;
    let sh = shell()?;
    sh.change_dir(&dir);
    let (script, pkg, schema) = (dir.join("bench.mjs"), pkg_dir(), project_root().join("schema"));
    let smoke = smoke.then_some("--smoke");
    cmd!(sh, "node {script} {pkg} {schema} {smoke...}").run()?;
    Ok(())
}

/// `cargo xtask bench`: builds pkg/, then in one headless Chromium run (tests/js/bench.mjs)
/// this package next to its peers — bare `fetch` + `JSON.parse`, openapi-fetch with
/// openapi-typescript types, an Ajv standalone client, a zod 4 client — on 200 and 10,000
/// products: bytes (esbuild bundle, gzip -9, brotli), decode and `fetch` ratios, added
/// time per `ping` over loopback, import() → first answer (plain, 4× CPU, slow link);
/// then twiggy's top entries and the gateway's section. Prints; asserts nothing.
pub fn bench() -> Result<()> {
    // What the bench needs, installed as `cargo xtask test` installs it (quick when present).
    install::wasm_target()?;
    install::chromium()?;
    install::node_tools()?;
    install::wasm_bindgen_runner()?;
    install::twiggy()?;
    build()?;
    run_bench_js(false)?;
    twiggy_top()?;
    gateway_bench()
}

/// The gateway's section of the bench: reads and authorised orders through `ics-gateway`
/// (journal on SQLite, and on PostgreSQL when installed) next to the same calls
/// made directly to the sandbox, p50/p99, and memory under 2,000 open connections — all in
/// one run of `crates/ics-gateway/examples/bench.rs` (release build; ratios, not deployment
/// figures).
fn gateway_bench() -> Result<()> {
    println!("\n== ics-gateway next to direct calls to the sandbox (one process, 127.0.0.1)");
    let sh = shell()?;
    cmd!(sh, "cargo run --quiet --release -p ics-gateway --example bench").run()?;
    Ok(())
}

/// The top entries of `twiggy top` and `twiggy garbage` on the page's unstripped module
/// (before wasm-opt, names kept), by `tools/bin/twiggy` (installed by [`bench()`]).
fn twiggy_top() -> Result<()> {
    let module = target_dir().join("wasm-bindgen/web/ics_reseller_bg.wasm");
    let twiggy = tools_bin("twiggy");
    println!("\n== twiggy top -n 20 (unstripped module, before wasm-opt)");
    let sh = shell()?;
    for args in [&["top", "-n", "20"][..], &["garbage", "-n", "5"][..]] {
        println!("{}", cmd!(sh, "{twiggy} {args...} {module}").read()?);
    }
    Ok(())
}
