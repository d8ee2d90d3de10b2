//! What every subcommand shares that xshell and anyhow do not give: the repo's paths, a
//! [`Shell`] set up for them, and whether xtask runs as root.

use std::{
    ffi::OsString,
    fs, io,
    path::{Path, PathBuf},
};

use anyhow::{Context, Result};
use xshell::Shell;

/// The repository root (the folder holding the workspace `Cargo.toml`).
pub fn project_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .expect("xtask lives one level below the repo root")
        .to_path_buf()
}

/// A shell in the repo root whose commands get [`tools_path`] as `$PATH` (no stdin; each
/// `run` is echoed and fails on a non-zero exit: xshell's defaults).
pub fn shell() -> Result<Shell> {
    let sh = Shell::new().context("creating a shell")?;
    sh.change_dir(project_root());
    sh.set_var("PATH", tools_path());
    Ok(sh)
}

/// Cargo's target folder: `CARGO_TARGET_DIR` when set (relative to the repo root), else
/// `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => project_root().join(dir),
        _ => project_root().join("target"),
    }
}

/// `tools/`: everything the test command installs lives below it (git-ignored parts).
pub fn tools_dir() -> PathBuf {
    project_root().join("tools")
}

/// `tools/bin/`: binaries installed with `cargo install --root tools`.
pub fn tools_bin(name: &str) -> PathBuf {
    tools_dir().join("bin").join(name)
}

/// An executable of the pinned npm tools, `tools/node/node_modules/.bin/<name>`.
pub fn node_bin(name: &str) -> PathBuf {
    tools_dir().join("node/node_modules/.bin").join(name)
}

/// An executable of the Python tools venv, `tools/venv/bin/<name>`.
pub fn venv_bin(name: &str) -> PathBuf {
    tools_dir().join("venv/bin").join(name)
}

/// `path` relative to the repo root when it is inside it, for shorter messages.
pub fn rel(path: &Path) -> String {
    let root = project_root();
    path.strip_prefix(&root).unwrap_or(path).display().to_string()
}

/// Reads a file to a string, `None` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", rel(path))),
    }
}

/// `$PATH` with `tools/bin` and the npm tools' `.bin` in front, so nested tools find them.
pub fn tools_path() -> OsString {
    let mut dirs = vec![
        tools_dir().join("bin"),
        tools_dir().join("node/node_modules/.bin"),
    ];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

/// Whether this process runs as root (real uid 0), read from `/proc/self/status`.
pub fn is_root() -> bool {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|rest| rest.split_whitespace().next().map(|uid| uid == "0"))
        })
        .unwrap_or(false)
}
