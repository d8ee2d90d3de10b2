//! Installs the tools the test command needs, each step quick when already installed.
//!
//! Everything goes into git-ignored folders below `tools/` (npm tools, the Python venv,
//! `cargo install --root tools` binaries), except the Rust target/components (rustup) and
//! Chromium (Debian packages). Each function says how it detects "already installed".

use std::{fs, path::Path};

use anyhow::{bail, Context, Result};
use xshell::{cmd, Shell};

use crate::{
    ci::Outcome,
    util::{is_root, project_root, read_optional, rel, shell, tools_bin, tools_dir},
};

/// The cargo-fuzz release `cargo xtask fuzz` installs into `tools/bin`.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// The wasm target the wasm crate and its tests build for.
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Oldest Node.js the pinned npm tools run on (vite 8 and @redocly/cli 2 need 20.19).
const MIN_NODE: (u32, u32) = (20, 19);

/// rustfmt and clippy for the default toolchain: `rustup component list --installed`.
pub fn rust_components() -> Result<Outcome> {
    let sh = shell()?;
    let installed = cmd!(sh, "rustup component list --installed").read()?;
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|c| !installed.lines().any(|l| l.starts_with(c)))
        .collect();
    if missing.is_empty() {
        return Ok(Outcome::UpToDate("rustfmt and clippy installed".into()));
    }
    cmd!(sh, "rustup component add {missing...}").run()?;
    Ok(Outcome::Done)
}

/// `wasm32-unknown-unknown`: present when `rustup target list --installed` lists it.
pub fn wasm_target() -> Result<Outcome> {
    let sh = shell()?;
    let installed = cmd!(sh, "rustup target list --installed").read()?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(Outcome::UpToDate(format!("{WASM_TARGET} installed")));
    }
    cmd!(sh, "rustup target add {WASM_TARGET}").run()?;
    Ok(Outcome::Done)
}

/// Debian's `chromium` and `chromium-driver`: present when `/usr/bin/chromium` and
/// `/usr/bin/chromedriver` exist. Installing needs root; apt waits for a held dpkg lock.
pub fn chromium() -> Result<Outcome> {
    let missing: Vec<(&str, &str)> = [
        ("chromium", "/usr/bin/chromium"),
        ("chromium-driver", "/usr/bin/chromedriver"),
    ]
    .into_iter()
    .filter(|(_, bin)| !Path::new(bin).exists())
    .collect();
    if missing.is_empty() {
        return Ok(Outcome::UpToDate(
            "/usr/bin/chromium and /usr/bin/chromedriver present".into(),
        ));
    }
    let packages: Vec<&str> = missing.iter().map(|(p, _)| *p).collect();
    if !is_root() {
        bail!(
            "{} missing and xtask is not running as root, so it cannot install it.\n\
             Install it once with: sudo apt-get install -y {}",
            missing.iter().map(|(_, b)| *b).collect::<Vec<_>>().join(" and "),
            packages.join(" ")
        );
    }
    let sh = shell()?;
    apt(&sh, &["update", "-q"])?;
    let mut install = vec!["install", "-y", "-q"];
    install.extend(&packages);
    apt(&sh, &install)?;
    Ok(Outcome::Done)
}

/// `apt-get ARGS`, non-interactive, waiting for a dpkg/apt lock held by another apt run
/// instead of failing at once.
fn apt(sh: &Shell, args: &[&str]) -> Result<()> {
    cmd!(
        sh,
        "apt-get -o DPkg::Lock::Timeout=1200 -o Acquire::Retries=3 {args...}"
    )
    .env("DEBIAN_FRONTEND", "noninteractive")
    .run()?;
    Ok(())
}

/// Debian's `postgresql` (for the journal's tests, which start a throwaway server): present
/// when some `/usr/lib/postgresql/*/bin/initdb` exists. Installing needs root.
pub fn postgresql() -> Result<Outcome> {
    let found = fs::read_dir("/usr/lib/postgresql")
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin/initdb"))
        .find(|p| p.is_file());
    if let Some(initdb) = found {
        return Ok(Outcome::UpToDate(format!("{} present", initdb.display())));
    }
    if !is_root() {
        bail!(
            "no /usr/lib/postgresql/*/bin/initdb and xtask is not running as root, so it cannot \
             install it.\nInstall it once with: sudo apt-get install -y postgresql"
        );
    }
    let sh = shell()?;
    apt(&sh, &["update", "-q"])?;
    apt(&sh, &["install", "-y", "-q", "postgresql"])?;
    Ok(Outcome::Done)
}

/// The pinned npm tools in `tools/node/node_modules`, from the committed lock file.
///
/// Installed (with `npm ci`) when `node_modules` is missing, or when the stamp file
/// `node_modules/.xtask-installed`, written after a successful `npm ci`, does not hold
/// the current `package.json` + `package-lock.json` (i.e. the lock changed since).
pub fn node_tools() -> Result<Outcome> {
    check_node_version()?;
    let dir = tools_dir().join("node");
    let wanted = stamp_of(&[&dir.join("package.json"), &dir.join("package-lock.json")])?;
    let stamp = dir.join("node_modules/.xtask-installed");
    if read_optional(&stamp)?.as_deref() == Some(wanted.as_str()) {
        return Ok(Outcome::UpToDate(
            "tools/node/node_modules matches package-lock.json".into(),
        ));
    }
    let sh = shell()?;
    sh.change_dir(&dir);
    cmd!(sh, "npm ci --no-audit --no-fund --loglevel=error")
        .env("npm_config_update_notifier", "false")
        .run()?;
    fs::write(&stamp, wanted).with_context(|| format!("writing {}", rel(&stamp)))?;
    Ok(Outcome::Done)
}

fn check_node_version() -> Result<()> {
    let sh = shell()?;
    let Ok(out) = cmd!(sh, "node --version").quiet().ignore_stderr().read() else {
        bail!(
            "`node` not found: install Node.js {}.{}+ (with npm)",
            MIN_NODE.0,
            MIN_NODE.1
        );
    };
    let v = out.trim().trim_start_matches('v');
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < MIN_NODE {
        bail!(
            "Node.js {v} is too old: the pinned tools need {}.{} or newer",
            MIN_NODE.0,
            MIN_NODE.1
        );
    }
    Ok(())
}

/// The Python tools venv `tools/venv`, from the committed `tools/requirements.txt`.
///
/// The venv is (re)created with `python3 -m venv` when `tools/venv/bin/python` is missing
/// or does not run; packages are installed with the venv's own pip when the stamp file
/// `tools/venv/.xtask-installed` does not hold the current `requirements.txt`.
pub fn python_venv() -> Result<Outcome> {
    let venv = tools_dir().join("venv");
    let python = venv.join("bin/python");
    let requirements = tools_dir().join("requirements.txt");
    let wanted = stamp_of(&[&requirements])?;
    let stamp = venv.join(".xtask-installed");

    let sh = shell()?;
    let healthy = succeeds(cmd!(
        sh,
        "{python} -c 'import sys; assert sys.version_info >= (3, 9)'"
    ));
    if healthy && read_optional(&stamp)?.as_deref() == Some(wanted.as_str()) {
        return Ok(Outcome::UpToDate(
            "tools/venv matches tools/requirements.txt".into(),
        ));
    }
    if !healthy {
        if venv.exists() {
            println!("tools/venv does not run; recreating it");
            fs::remove_dir_all(&venv).context("removing tools/venv")?;
        }
        let system_python = find_python(&sh)?;
        cmd!(sh, "{system_python} -m venv {venv}").run()?;
    }
    cmd!(
        sh,
        "{python} -m pip install --disable-pip-version-check --no-input -q -r {requirements}"
    )
    .run()?;
    fs::write(&stamp, wanted).with_context(|| format!("writing {}", rel(&stamp)))?;
    Ok(Outcome::Done)
}

/// The first of `python3`, `python3.11`, `python` (pyenv shims included) that is 3.9+.
fn find_python(sh: &Shell) -> Result<&'static str> {
    for candidate in ["python3", "python3.11", "python"] {
        let check = "import sys, venv; assert sys.version_info >= (3, 9)";
        if succeeds(cmd!(sh, "{candidate} -c {check}")) {
            return Ok(candidate);
        }
    }
    bail!("no Python 3.9+ with the venv module found (tried python3, python3.11, python)")
}

/// The wasm-bindgen test runner, `tools/bin/wasm-bindgen-test-runner`, at exactly the
/// `wasm-bindgen` version in `Cargo.lock` (the CLI must match the library).
///
/// Skipped while no crate depends on wasm-bindgen; installed when the runner is missing
/// or `wasm-bindgen-test-runner --version` does not print the locked version.
pub fn wasm_bindgen_runner() -> Result<Outcome> {
    let lock_path = project_root().join("Cargo.lock");
    let lock = read_optional(&lock_path)?.unwrap_or_default();
    let versions = locked_versions(&lock, "wasm-bindgen");
    let version = match versions.as_slice() {
        [] => {
            return Ok(Outcome::Skipped(
                "no crate depends on wasm-bindgen yet (not in Cargo.lock)".into(),
            ))
        }
        [one] => one,
        many => bail!(
            "Cargo.lock has several wasm-bindgen versions ({}); wasm-bindgen-cli must match exactly one",
            many.join(", ")
        ),
    };
    cargo_tool("wasm-bindgen-cli", "wasm-bindgen-test-runner", version)
}

/// cargo-fuzz in `tools/bin`: installed when `tools/bin/cargo-fuzz --version` does not
/// print [`CARGO_FUZZ_VERSION`].
pub fn cargo_fuzz() -> Result<Outcome> {
    cargo_tool("cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION)
}

/// The twiggy release `cargo xtask bench` runs on the unstripped wasm (its top entries).
pub const TWIGGY_VERSION: &str = "0.8.0";

/// twiggy in `tools/bin`: installed when `tools/bin/twiggy --version` does not print
/// [`TWIGGY_VERSION`] (it prints `twiggy-opt 0.8.0`).
pub fn twiggy() -> Result<Outcome> {
    cargo_tool("twiggy", "twiggy", TWIGGY_VERSION)
}

/// `krate` at exactly `version` in `tools/bin` by `cargo install --root tools`: up to date
/// when `tools/bin/{bin} --version` prints that version as a word.
fn cargo_tool(krate: &str, bin: &str, version: &str) -> Result<Outcome> {
    let path = tools_bin(bin);
    let sh = shell()?;
    if let Some(out) = probe(cmd!(sh, "{path} --version")) {
        if out.split_whitespace().any(|w| w == version) {
            return Ok(Outcome::UpToDate(format!("tools/bin/{bin} {version}")));
        }
    }
    let root = tools_dir();
    cmd!(sh, "cargo install {krate} --version ={version} --root {root}").run()?;
    Ok(Outcome::Done)
}

/// The nightly toolchain (for cargo-fuzz): present when `rustup run nightly rustc -V` works.
pub fn nightly() -> Result<Outcome> {
    let sh = shell()?;
    if succeeds(cmd!(sh, "rustup run nightly rustc --version")) {
        return Ok(Outcome::UpToDate("nightly toolchain installed".into()));
    }
    cmd!(sh, "rustup toolchain install nightly --profile minimal").run()?;
    Ok(Outcome::Done)
}

/// The workspace's declared `rust-version` (`[workspace.package]` in the root Cargo.toml).
pub fn declared_rust_version() -> Result<String> {
    let path = project_root().join("Cargo.toml");
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", rel(&path)))?;
    text.lines()
        .find_map(|l| {
            let v = l.trim().strip_prefix("rust-version")?.trim().strip_prefix('=')?;
            Some(v.trim().trim_matches('"').to_owned())
        })
        .context("no rust-version in the root Cargo.toml")
}

/// Installs toolchain `version` (minimal profile) with rustup when `rustup run` cannot use it.
pub fn toolchain(version: &str) -> Result<Outcome> {
    let sh = shell()?;
    if succeeds(cmd!(sh, "rustup run {version} rustc --version")) {
        return Ok(Outcome::UpToDate(format!("toolchain {version} installed")));
    }
    cmd!(sh, "rustup toolchain install {version} --profile minimal").run()?;
    Ok(Outcome::Done)
}

/// Runs `cmd` silently: whether it could start and exited 0.
fn succeeds(cmd: xshell::Cmd<'_>) -> bool {
    cmd.quiet().ignore_stdout().ignore_stderr().run().is_ok()
}

/// Runs `cmd` silently: its stdout when it exits 0 (e.g. a `--version` line), else `None`
/// (also when it is not installed).
fn probe(cmd: xshell::Cmd<'_>) -> Option<String> {
    cmd.quiet().ignore_stderr().read().ok()
}

/// The stamp text for a set of input files: their contents, concatenated.
fn stamp_of(files: &[&Path]) -> Result<String> {
    let mut stamp = String::new();
    for f in files {
        let text = fs::read_to_string(f).with_context(|| format!("reading {}", rel(f)))?;
        stamp.push_str(&text);
        stamp.push('\0');
    }
    Ok(stamp)
}

/// Every version of package `name` in a `Cargo.lock` text.
pub fn locked_versions(lock: &str, name: &str) -> Vec<String> {
    let mut versions = Vec::new();
    let mut current: Option<&str> = None;
    for line in lock.lines().map(str::trim) {
        if line.starts_with('[') {
            current = None;
        } else if let Some(v) = line.strip_prefix("name = ") {
            current = Some(v.trim_matches('"'));
        } else if let Some(v) = line.strip_prefix("version = ") {
            if current == Some(name) {
                versions.push(v.trim_matches('"').to_owned());
            }
        }
    }
    versions
}

#[cfg(test)]
mod tests {
    use super::locked_versions;

    fn check(lock: &str, name: &str, expected: &[&str]) {
        assert_eq!(locked_versions(lock, name), expected);
    }

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.100"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.100"
"#;

    #[test]
    fn finds_exact_name_only() {
        check(LOCK, "wasm-bindgen", &["0.2.100"]);
        check(LOCK, "wasm-bindgen-macro", &["0.2.100"]);
        check(LOCK, "serde", &[]);
        check("", "wasm-bindgen", &[]);
    }

    #[test]
    fn several_versions() {
        let lock = format!("{LOCK}\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.99\"\n");
        check(&lock, "wasm-bindgen", &["0.2.100", "0.2.99"]);
    }
}
