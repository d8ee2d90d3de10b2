//! `cargo xtask test` step `readme-blocks`: the fenced blocks of `README.md`, as a reader
//! would use them.
//!
//! - A ```` ```js ```` block whose first line is `// NAME.mjs` or `// NAME.cjs` is saved
//!   verbatim as that file in a fresh project (`target/readme-blocks/`) where the packed
//!   package is installed the way the README says (`npm pack ./pkg`, `npm install` of the
//!   tarball), and run with `node NAME` against a sandbox this step starts
//!   (`ICS_BASE_URL`): it must exit 0 and print something.
//! - A ```` ```rust ```` block must hold, line for line, the `// README:start` …
//!   `// README:end` part of `crates/ics-reseller-client/examples/quickstart.rs`, which
//!   that crate's tests run against the sandbox.
//! - Every other block is listed as not run (commands that start servers, page snippets).

use std::{fs, path::Path};

use anyhow::{bail, Context, Result};
use xshell::cmd;

use crate::{
    ci::Outcome,
    sandbox::SandboxProcess,
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

/// The file name a JS block names on its first line (`// quickstart.mjs`), if any.
fn js_file(block: &Block) -> Option<&str> {
    let first = block.text.lines().next()?.strip_prefix("// ")?.trim();
    let ok = (first.ends_with(".mjs") || first.ends_with(".cjs"))
        && first
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    ok.then_some(first)
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
    let sandbox = SandboxProcess::start_for_tests()?;
    let sh = shell()?;
    sh.change_dir(&dir);
    let (mut ran, mut checked, mut skipped) = (0, 0, Vec::new());
    for block in &all {
        let lang = block.info.split_whitespace().next().unwrap_or("");
        if lang == "js" {
            if let Some(name) = js_file(block) {
                fs::write(dir.join(name), &block.text).with_context(|| format!("writing {name}"))?;
                let out = cmd!(sh, "node {name}")
                    .env("ICS_BASE_URL", &sandbox.url)
                    .read()
                    .with_context(|| format!("README.md line {}: node {name}", block.line))?;
                if out.trim().is_empty() {
                    bail!("README.md line {}: {name} printed nothing", block.line);
                }
                println!("readme-blocks: line {} ({name}) ran: {}", block.line, out.trim());
                ran += 1;
                continue;
            }
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
    drop(sandbox);
    println!(
        "readme-blocks: {} blocks in README.md: {ran} run, {checked} checked against an example \
         its crate's tests run, {} not run (lines {})",
        all.len(),
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
        assert_eq!(js_file(&b[0]), Some("a.mjs"));
        assert_eq!(b[0].line, 2);
        assert_eq!(js_file(&b[1]), None);
        assert!(contained_in(
            "  let x = 1;\n\nfoo();\n",
            "fn main() {\nlet x = 1;\n  foo();\n}"
        ));
        assert!(!contained_in("foo();\nlet x = 1;\n", "let x = 1;\nfoo();\n"));
    }
}
