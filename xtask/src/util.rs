//! Helpers shared by every subcommand: errors, the repo's paths, running commands.

use std::{
    ffi::{OsStr, OsString},
    fmt, fs, io,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
};

/// Result of every xtask function; the error is a message for the person at the terminal.
pub type Result<T = ()> = std::result::Result<T, Error>;

/// An error message for the person running `cargo xtask`.
#[derive(Debug)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(msg: String) -> Error {
        Error(msg)
    }
}

impl From<&str> for Error {
    fn from(msg: &str) -> Error {
        Error(msg.to_owned())
    }
}

/// Returns early with an [`Error`] built like `format!`.
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::util::Error(format!($($arg)*)))
    };
}
pub(crate) use bail;

/// Adds what was being done to an I/O (or any displayable) error.
pub trait Context<T> {
    /// Wraps the error as `"{what}: {error}"`.
    fn context(self, what: impl fmt::Display) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error(format!("{what}: {e}")))
    }
}

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
        Err(e) => bail!("reading {}: {e}", rel(path)),
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

/// A command that runs in the repo root with no stdin and is echoed before it runs.
pub struct Cmd {
    inner: Command,
    shown: String,
}

impl Cmd {
    /// A new command for `program`, to run in the repo root with `tools_path()` as `$PATH`.
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let program = program.as_ref();
        let mut inner = Command::new(program);
        inner
            .current_dir(project_root())
            .env("PATH", tools_path())
            .stdin(Stdio::null());
        Cmd {
            inner,
            shown: shorten(program),
        }
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Cmd {
        self.shown.push(' ');
        self.shown.push_str(&shorten(arg.as_ref()));
        self.inner.arg(arg);
        self
    }

    /// Adds several arguments.
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    /// Sets an environment variable for the command.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Cmd {
        self.inner.env(key, value);
        self
    }

    /// Runs the command in `dir` instead of the repo root.
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.inner.current_dir(dir);
        self
    }

    /// Runs with stdout/stderr shown; fails unless it exits 0.
    pub fn run(mut self) -> Result {
        println!("$ {}", self.shown);
        let status = self
            .inner
            .status()
            .context(format_args!("cannot start `{}`", self.shown))?;
        if !status.success() {
            bail!("`{}` failed ({status})", self.shown);
        }
        Ok(())
    }

    /// Runs with stderr shown (and the command echoed) and returns stdout; fails unless it exits 0.
    pub fn read(mut self) -> Result<String> {
        println!("$ {}", self.shown);
        let out = self
            .inner
            .stderr(Stdio::inherit())
            .output()
            .context(format_args!("cannot start `{}`", self.shown))?;
        if !out.status.success() {
            bail!("`{}` failed ({})", self.shown, out.status);
        }
        String::from_utf8(out.stdout).context(format_args!("output of `{}`", self.shown))
    }

    /// Runs silently and returns everything, whatever the exit status
    /// (`Err` only when the program cannot be started, e.g. it is not installed).
    pub fn output(mut self) -> io::Result<Output> {
        self.inner.output()
    }

    /// Like [`Cmd::output`], but echoes the command line first.
    pub fn output_echoed(self) -> io::Result<Output> {
        println!("$ {}", self.shown);
        self.output()
    }

    /// Runs silently; stdout + stderr as text when it exits 0, `None` otherwise.
    pub fn probe(self) -> Option<String> {
        let out = self.output().ok()?;
        if !out.status.success() {
            return None;
        }
        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&out.stderr));
        Some(text)
    }

    /// The underlying [`Command`], for callers that need to pipe its output.
    pub fn into_command(self) -> (Command, String) {
        (self.inner, self.shown)
    }
}

/// A program or argument for display: paths inside the repo are shown relative to it.
fn shorten(s: &OsStr) -> String {
    let text = s.to_string_lossy();
    let root = project_root();
    let root = root.to_string_lossy();
    match text.strip_prefix(&*root) {
        Some(rest) if rest.starts_with('/') => rest[1..].to_owned(),
        _ => text.into_owned(),
    }
}
