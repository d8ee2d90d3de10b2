//! `cargo xtask test` step `readme-blocks`: the fenced blocks of `README.md`, as a reader
//! would use them.
//!
//! The blocks are saved, verbatim, in a fresh project (`target/readme-blocks/`) where the
//! packed package is installed the way the README says (`npm pack ./pkg`, `npm install` of
//! the tarball); a sandbox is started as the upstream.
//!
//! - A ```` ```js ```` block whose first line is `// NAME.js|mjs|cjs`, or an ```` ```html ````
//!   block whose first line is `<!-- NAME.html -->`, is saved as that file (`NAME` may hold
//!   a folder: `site/index.html`).
//! - The ```` ```sh ```` block that runs `ics-gateway` (the deployment command) is run with
//!   `bash` in the project, as written, the documented placeholders given through the
//!   environment (`ICS_GATEWAY_KEY`, `ICS_GATEWAY_ORDER_SECRET`, `ICS_UPSTREAM` = the
//!   sandbox, `ICS_LISTEN` = a free port): it must print `ICS_GATEWAY_URL=…` first and answer
//!   listProducts.
//! - Every `.mjs`/`.cjs` file is run with `node NAME` (`ICS_BASE_URL` = the sandbox,
//!   `ICS_GATEWAY_URL` and `ICS_GATEWAY_ORDER_SECRET` = that gateway's): it must exit 0 and
//!   print something.
//! - The pages (`site/index.html`, `site/shop.html`, and Vite's `index.html`, `main.js`,
//!   `vite.config.js`) are opened in headless Chromium by `tools/node/readme-pages.mjs`:
//!   served by that gateway, or by Vite's dev server with the README's config (its
//!   `/gateway` proxy to the gateway); each must show its success. A named file nothing
//!   runs fails the step.
//! - A ```` ```rust ```` block must hold, line for line, the `// README:start` …
//!   `// README:end` part of `crates/ics-reseller-client/examples/quickstart.rs`, which
//!   that crate's tests run against the sandbox.
//! - Every other block is listed as not run (the install and demo commands, sample output,
//!   the layout).

use std::{fs, path::Path};

use anyhow::{bail, Context, Result};
use xshell::cmd;

use crate::{
    ci::Outcome,
    sandbox::{GatewayProcess, SandboxProcess, Script, GATEWAY_KEY},
    util::{project_root, shell, target_dir},
    wasm,
};

/// One fenced block: its info string, its text and the line it starts on.
struct Block {
    info: String,
    text: String,
    line: usize,
}

/// The fenced (```` ``` ````) blocks of a Markdown text.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(info)) => {
                open = Some(Block {
                    info: info.trim().to_owned(),
                    text: String::new(),
                    line: i + 1,
                })
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => out.extend(open.take()),
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The file a JS or HTML block names on its first line (`// quickstart.mjs`,
/// `<!-- site/index.html -->`), if any: a relative path of plain names.
fn named_file(block: &Block) -> Option<&str> {
    let first = block.text.lines().next()?.trim();
    let lang = block.info.split_whitespace().next().unwrap_or("");
    let name = match lang {
        "js" => first.strip_prefix("// ")?.trim(),
        "html" => first.strip_prefix("<!-- ")?.strip_suffix("-->")?.trim(),
        _ => return None,
    };
    let ext_ok = match lang {
        "js" => [".js", ".mjs", ".cjs"].iter().any(|e| name.ends_with(e)),
        _ => name.ends_with(".html"),
    };
    let plain = name.split('/').all(|part| {
        !part.is_empty()
            && !part.starts_with('.')
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    (ext_ok && plain).then_some(name)
}

/// The files `tools/node/readme-pages.mjs` opens in Chromium.
const PAGE_FILES: &[&str] = &[
    "site/index.html",
    "site/shop.html",
    "index.html",
    "main.js",
    "vite.config.js",
];

/// Whether `block` is the gateway's deployment command (a shell block running `ics-gateway`).
fn is_gateway_command(block: &Block) -> bool {
    block.info.split_whitespace().next() == Some("sh")
        && block
            .text
            .lines()
            .any(|l| l.trim_start().starts_with("ics-gateway "))
}

/// 32 random bytes as hex: the order secret of this run's gateway.
fn order_secret() -> Result<String> {
    use std::io::Read;
    let mut buf = [0u8; 32];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .context("reading /dev/urandom")?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Whether every non-empty line of `block` is in `source`, in order (indentation aside).
fn contained_in(block: &str, source: &str) -> bool {
    let mut lines = source.lines().map(str::trim);
    block
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|wanted| lines.any(|l| l == wanted))
}

/// A fresh project with the packed package installed from its tarball.
fn consumer(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).context("removing target/readme-blocks")?;
    }
    fs::create_dir_all(dir).context("creating target/readme-blocks")?;
    let sh = shell()?;
    let packed = {
        let _pkg = sh.push_dir(wasm::pkg_dir());
        cmd!(sh, "npm pack --silent --pack-destination {dir}").read()?
    };
    let tarball = dir.join(packed.trim().lines().last().unwrap_or_default());
    if !tarball.is_file() {
        bail!("npm pack did not leave a tarball in target/readme-blocks (said {packed:?})");
    }
    // What `npm init -y` writes, minus the noise: no "type", so .mjs/.cjs decide.
    fs::write(
        dir.join("package.json"),
        "{\"name\": \"readme-quickstart\", \"version\": \"1.0.0\", \"private\": true}\n",
    )
    .context("writing package.json")?;
    sh.change_dir(dir);
    cmd!(
        sh,
        "npm install --no-audit --no-fund --offline --loglevel=error {tarball}"
    )
    .run()?;
    Ok(())
}

/// The step: runs or checks every block; fails on the first that does not work.
pub fn run() -> Result<Outcome> {
    let root = project_root();
    let readme = fs::read_to_string(root.join("README.md")).context("reading README.md")?;
    let all = blocks(&readme);
    let example = fs::read_to_string(root.join("crates/ics-reseller-client/examples/quickstart.rs"))
        .unwrap_or_default();
    wasm::build()?;
    let dir = target_dir().join("readme-blocks");
    consumer(&dir)?;
    // Every block that names its file is saved as written.
    for block in &all {
        if let Some(name) = named_file(block) {
            let path = dir.join(name);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).with_context(|| format!("creating the folder of {name}"))?;
            }
            fs::write(&path, &block.text).with_context(|| format!("writing {name}"))?;
        }
    }
    let sandbox = SandboxProcess::start_for_tests()?;
    let sh = shell()?;
    sh.change_dir(&dir);
    let (mut ran, mut checked, mut skipped) = (0, 0, Vec::new());

    // The gateway's deployment command, as written, in front of the sandbox.
    let gateway_blocks: Vec<&Block> = all.iter().filter(|b| is_gateway_command(b)).collect();
    let [gateway_block] = gateway_blocks.as_slice() else {
        bail!(
            "README.md should have exactly one sh block running `ics-gateway` (the pages' server), \
             found {}",
            gateway_blocks.len()
        );
    };
    GatewayProcess::build()?;
    let secret = order_secret()?;
    let gateway = Script::start(
        &gateway_block.text,
        &dir,
        &target_dir().join("debug"),
        &[
            ("ICS_GATEWAY_KEY", GATEWAY_KEY),
            ("ICS_GATEWAY_ORDER_SECRET", &secret),
            ("ICS_UPSTREAM", &sandbox.url),
            ("ICS_LISTEN", "127.0.0.1:0"),
            ("ICS_GATEWAY_LOG", "warn"),
        ],
        "ICS_GATEWAY_URL",
    )
    .with_context(|| format!("README.md line {}: the ics-gateway block", gateway_block.line))?;
    let script = "fetch(process.argv[1]).then(async (r) => console.log(r.status, await r.text()))";
    let list = format!("{}/gateway/?action=listProducts&type=all", gateway.url);
    let answer = cmd!(sh, "node -e {script} {list}").read()?;
    let (status, body) = answer.trim().split_once(' ').unwrap_or_default();
    let ready = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["data"]["ready"].as_array().map(Vec::len))
        .unwrap_or(0);
    if status != "200" || ready == 0 {
        bail!(
            "README.md line {}: the gateway's listProducts answered {status} {}",
            gateway_block.line,
            body.chars().take(300).collect::<String>()
        );
    }
    println!(
        "readme-blocks: line {} (ics-gateway) ran: {}, listProducts through it: {ready} products ready",
        gateway_block.line, gateway.url
    );
    ran += 1;

    let mut pages = Vec::new();
    for block in &all {
        if is_gateway_command(block) {
            continue;
        }
        let lang = block.info.split_whitespace().next().unwrap_or("");
        if let Some(name) = named_file(block) {
            if name.ends_with(".mjs") || name.ends_with(".cjs") {
                let out = cmd!(sh, "node {name}")
                    .env("ICS_BASE_URL", &sandbox.url)
                    .env("ICS_GATEWAY_URL", &gateway.url)
                    .env("ICS_GATEWAY_ORDER_SECRET", &secret)
                    .read()
                    .with_context(|| format!("README.md line {}: node {name}", block.line))?;
                if out.trim().is_empty() {
                    bail!("README.md line {}: {name} printed nothing", block.line);
                }
                println!("readme-blocks: line {} ({name}) ran: {}", block.line, out.trim());
                ran += 1;
            } else if PAGE_FILES.contains(&name) {
                pages.push(format!("{} ({name})", block.line));
            } else {
                bail!(
                    "README.md line {}: the block names {name}, which nothing runs \
                     (readme-blocks knows {PAGE_FILES:?} and *.mjs/*.cjs)",
                    block.line
                );
            }
            continue;
        }
        if lang == "rust" {
            // The example's `// README:start` … `// README:end` part, which its crate's
            // tests run, must be in the block line for line.
            let region = example
                .split_once("// README:start")
                .and_then(|(_, rest)| rest.split_once("// README:end"))
                .map(|(r, _)| r)
                .unwrap_or_default();
            if region.trim().is_empty() || !contained_in(region, &block.text) {
                bail!(
                    "README.md line {}: the Rust block does not hold the README part of \
                     crates/ics-reseller-client/examples/quickstart.rs",
                    block.line
                );
            }
            checked += 1;
            continue;
        }
        skipped.push(format!("{} ({})", block.line, block.info));
    }
    if !pages.is_empty() {
        // The pages in Chromium: served by the README's gateway, and by Vite's dev server.
        let script = root.join("tools/node/readme-pages.mjs");
        let url = &gateway.url;
        cmd!(sh, "node {script} {dir} {url}")
            .run()
            .with_context(|| format!("README.md pages (lines {})", pages.join(", ")))?;
        ran += pages.len();
    }
    drop(gateway);
    drop(sandbox);
    println!(
        "readme-blocks: {} blocks in README.md: {ran} run (pages at lines {}), {checked} checked \
         against an example its crate's tests run, {} not run (lines {})",
        all.len(),
        pages.join(", "),
        skipped.len(),
        skipped.join(", ")
    );
    Ok(Outcome::Done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_fenced_blocks_and_their_files() {
        let md = "text\n```js\n// a.mjs\nconsole.log(1);\n```\n\n```sh\nls\n```\n";
        let b = blocks(md);
        assert_eq!(b.len(), 2);
        assert_eq!(named_file(&b[0]), Some("a.mjs"));
        assert_eq!(b[0].line, 2);
        assert_eq!(named_file(&b[1]), None);
        assert!(contained_in(
            "  let x = 1;\n\nfoo();\n",
            "fn main() {\nlet x = 1;\n  foo();\n}"
        ));
        assert!(!contained_in("foo();\nlet x = 1;\n", "let x = 1;\nfoo();\n"));
    }

    #[test]
    fn names_pages_and_finds_the_gateway_command() {
        let md = "```html\n<!-- site/index.html -->\n<p>x</p>\n```\n\
                  ```html\n<!-- ../escape.html -->\n```\n\
                  ```js\n// vite.config.js\nexport default {};\n```\n\
                  ```js\n// /etc/passwd.js\n```\n\
                  ```sh\n# the gateway\nics-gateway --listen \"$ICS_LISTEN\" \\\n  --static site\n```\n\
                  ```sh\ncargo install --path crates/ics-gateway  # ics-gateway on PATH\n```\n";
        let b = blocks(md);
        assert_eq!(b.len(), 6);
        assert_eq!(named_file(&b[0]), Some("site/index.html"));
        assert_eq!(named_file(&b[1]), None);
        assert_eq!(named_file(&b[2]), Some("vite.config.js"));
        assert_eq!(named_file(&b[3]), None);
        let commands: Vec<bool> = b.iter().map(is_gateway_command).collect();
        assert_eq!(commands, [false, false, false, false, true, false]);
    }
}
