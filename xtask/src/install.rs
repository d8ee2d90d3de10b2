//! Installs the tools the test command needs, each step quick when already installed.
//!
//! Everything goes into git-ignored folders below `tools/` (npm tools, the Python venv,
//! `cargo install --root tools` binaries), except the Rust target/components (rustup) and
//! Chromium (Debian packages). Each function says how it detects "already installed".

use std::{fs, path::Path};

use crate::{
    ci::Outcome,
    util::{bail, is_root, project_root, read_optional, rel, tools_bin, tools_dir, Cmd, Context, Result},
};

/// The cargo-fuzz release `cargo xtask fuzz` installs into `tools/bin`.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// The wasm target the wasm crate and its tests build for.
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Oldest Node.js the pinned npm tools run on (vite 8 and @redocly/cli 2 need 20.19).
const MIN_NODE: (u32, u32) = (20, 19);

/// rustfmt and clippy for the default toolchain: `rustup component list --installed`.
pub fn rust_components() -> Result<Outcome> {
    let installed = Cmd::new("rustup")
        .args(["component", "list", "--installed"])
        .read()?;
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|c| !installed.lines().any(|l| l.starts_with(c)))
        .collect();
    if missing.is_empty() {
        return Ok(Outcome::UpToDate("rustfmt and clippy installed".into()));
    }
    Cmd::new("rustup")
        .args(["component", "add"])
        .args(&missing)
        .run()?;
    Ok(Outcome::Done)
}

/// `wasm32-unknown-unknown`: present when `rustup target list --installed` lists it.
pub fn wasm_target() -> Result<Outcome> {
    let installed = Cmd::new("rustup")
        .args(["target", "list", "--installed"])
        .read()?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        return Ok(Outcome::UpToDate(format!("{WASM_TARGET} installed")));
    }
    Cmd::new("rustup").args(["target", "add", WASM_TARGET]).run()?;
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
    // Wait for a dpkg/apt lock held by another apt run instead of failing at once.
    let apt = |args: &[&str]| {
        Cmd::new("apt-get")
            .args(["-o", "DPkg::Lock::Timeout=1200", "-o", "Acquire::Retries=3"])
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    apt(&["update", "-q"])?;
    let mut install = vec!["install", "-y", "-q"];
    install.extend(&packages);
    apt(&install)?;
    Ok(Outcome::Done)
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
    let apt = |args: &[&str]| {
        Cmd::new("apt-get")
            .args(["-o", "DPkg::Lock::Timeout=1200", "-o", "Acquire::Retries=3"])
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .run()
    };
    apt(&["update", "-q"])?;
    apt(&["install", "-y", "-q", "postgresql"])?;
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
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .dir(&dir)
        .env("npm_config_update_notifier", "false")
        .run()?;
    fs::write(&stamp, wanted).context(format_args!("writing {}", rel(&stamp)))?;
    Ok(Outcome::Done)
}

fn check_node_version() -> Result {
    let Some(out) = Cmd::new("node").arg("--version").probe() else {
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

    let healthy = Cmd::new(&python)
        .args(["-c", "import sys; assert sys.version_info >= (3, 9)"])
        .probe()
        .is_some();
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
        let system_python = find_python()?;
        Cmd::new(system_python).args(["-m", "venv"]).arg(&venv).run()?;
    }
    Cmd::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-input",
            "-q",
            "-r",
        ])
        .arg(&requirements)
        .run()?;
    fs::write(&stamp, wanted).context(format_args!("writing {}", rel(&stamp)))?;
    Ok(Outcome::Done)
}

/// The first of `python3`, `python3.11`, `python` (pyenv shims included) that is 3.9+.
fn find_python() -> Result<&'static str> {
    for candidate in ["python3", "python3.11", "python"] {
        let ok = Cmd::new(candidate)
            .args(["-c", "import sys, venv; assert sys.version_info >= (3, 9)"])
            .probe()
            .is_some();
        if ok {
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
    let runner = tools_bin("wasm-bindgen-test-runner");
    if let Some(out) = Cmd::new(&runner).arg("--version").probe() {
        if out.split_whitespace().any(|w| w == version) {
            return Ok(Outcome::UpToDate(format!(
                "tools/bin/wasm-bindgen-test-runner {version}"
            )));
        }
    }
    Cmd::new("cargo")
        .args(["install", "wasm-bindgen-cli", "--version"])
        .arg(format!("={version}"))
        .arg("--root")
        .arg(tools_dir())
        .run()?;
    Ok(Outcome::Done)
}

/// cargo-fuzz in `tools/bin`: installed when `tools/bin/cargo-fuzz --version` does not
/// print [`CARGO_FUZZ_VERSION`].
pub fn cargo_fuzz() -> Result<Outcome> {
    let bin = tools_bin("cargo-fuzz");
    if let Some(out) = Cmd::new(&bin).arg("--version").probe() {
        if out.split_whitespace().any(|w| w == CARGO_FUZZ_VERSION) {
            return Ok(Outcome::UpToDate(format!(
                "tools/bin/cargo-fuzz {CARGO_FUZZ_VERSION}"
            )));
        }
    }
    Cmd::new("cargo")
        .args(["install", "cargo-fuzz", "--version"])
        .arg(format!("={CARGO_FUZZ_VERSION}"))
        .arg("--root")
        .arg(tools_dir())
        .run()?;
    Ok(Outcome::Done)
}

/// The nightly toolchain (for cargo-fuzz): present when `rustup run nightly rustc -V` works.
pub fn nightly() -> Result<Outcome> {
    if Cmd::new("rustup")
        .args(["run", "nightly", "rustc", "--version"])
        .probe()
        .is_some()
    {
        return Ok(Outcome::UpToDate("nightly toolchain installed".into()));
    }
    Cmd::new("rustup")
        .args(["toolchain", "install", "nightly", "--profile", "minimal"])
        .run()?;
    Ok(Outcome::Done)
}

/// The workspace's declared `rust-version` (`[workspace.package]` in the root Cargo.toml).
pub fn declared_rust_version() -> Result<String> {
    let path = project_root().join("Cargo.toml");
    let text = fs::read_to_string(&path).context(format_args!("reading {}", rel(&path)))?;
    text.lines()
        .find_map(|l| {
            let v = l.trim().strip_prefix("rust-version")?.trim().strip_prefix('=')?;
            Some(v.trim().trim_matches('"').to_owned())
        })
        .ok_or_else(|| "no rust-version in the root Cargo.toml".into())
}

/// Installs toolchain `version` (minimal profile) with rustup when `rustup run` cannot use it.
pub fn toolchain(version: &str) -> Result<Outcome> {
    if Cmd::new("rustup")
        .args(["run", version, "rustc", "--version"])
        .probe()
        .is_some()
    {
        return Ok(Outcome::UpToDate(format!("toolchain {version} installed")));
    }
    Cmd::new("rustup")
        .args(["toolchain", "install", version, "--profile", "minimal"])
        .run()?;
    Ok(Outcome::Done)
}

/// The stamp text for a set of input files: their contents, concatenated.
fn stamp_of(files: &[&Path]) -> Result<String> {
    let mut stamp = String::new();
    for f in files {
        let text = fs::read_to_string(f).context(format_args!("reading {}", rel(f)))?;
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
