//! The sandbox server as the test steps and the demo run it: built once, started on the
//! address its arguments give, its URL read from the first stdout line (`ICS_SANDBOX_URL=…`)
//! within a time limit, the rest of its stdout drained (echoed or not), and stopped by pid
//! when dropped, whatever happened.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use crate::util::{bail, project_root, rel, Cmd, Context, Result};

/// How long the sandbox may take to print its URL.
const START_LIMIT: Duration = Duration::from_secs(60);

/// Arguments of the sandbox that tests run: a free port and short settle times.
pub const TEST_ARGS: &[&str] = &["--bind", "127.0.0.1:0", "--settle-ms", "200"];

/// A running `ics-sandbox`, killed by its pid when dropped.
pub struct Sandbox {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Sandbox {
    /// Whether the sandbox crate is in the workspace.
    pub fn available() -> bool {
        project_root().join("crates/ics-sandbox/Cargo.toml").exists()
    }

    /// Builds `ics-sandbox` (debug) and returns the binary's path (honours `CARGO_TARGET_DIR`).
    pub fn build() -> Result<PathBuf> {
        Cmd::new("cargo")
            .args(["build", "--package", "ics-sandbox"])
            .run()?;
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| project_root().join("target"));
        Ok(target.join("debug/ics-sandbox"))
    }

    /// Builds and starts the sandbox for a test step ([`TEST_ARGS`]).
    pub fn start_for_tests() -> Result<Sandbox> {
        Sandbox::start(&Sandbox::build()?, TEST_ARGS, false)
    }

    /// Starts `bin` with `args` in the repo root; `echo` prints the rest of its stdout.
    pub fn start(bin: &std::path::Path, args: &[&str], echo: bool) -> Result<Sandbox> {
        println!("$ {} {}", rel(bin), args.join(" "));
        let mut child = Command::new(bin)
            .args(args)
            .current_dir(project_root())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .context(format_args!("starting {}", rel(bin)))?;
        let stdout = child.stdout.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep the pipe drained while the sandbox runs, so it never blocks or fails on it.
            let mut rest = String::new();
            while matches!(reader.read_line(&mut rest), Ok(n) if n > 0) {
                if echo {
                    print!("{rest}");
                }
                rest.clear();
            }
        });
        let line = rx.recv_timeout(START_LIMIT).unwrap_or_default();
        match line.trim().strip_prefix("ICS_SANDBOX_URL=") {
            Some(url) => {
                println!("sandbox at {url} (pid {})", child.id());
                Ok(Sandbox {
                    url: url.to_owned(),
                    child,
                })
            }
            None => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "the sandbox did not print ICS_SANDBOX_URL=… within {}s (first line {line:?}); \
                     is the port already in use?",
                    START_LIMIT.as_secs()
                )
            }
        }
    }
}

impl Sandbox {
    /// Waits until the sandbox exits by itself (the demo: until Ctrl+C).
    pub fn wait(&mut self) -> Result<std::process::ExitStatus> {
        self.child.wait().context("waiting for the sandbox")
    }

    /// Stops it now (by pid); dropping it does the same.
    pub fn stop(self) {}
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
