//! The servers the test steps and the demo run as child processes: the sandbox (the
//! stand-in for the upstream API, [`SandboxProcess`]; not `ics_sandbox::Sandbox`, the
//! in-process server) and `ics-gateway` in front of it ([`GatewayProcess`]). Each is built
//! once, started with its arguments,
//! its URL read from the first stdout line (`ICS_SANDBOX_URL=…` / `ICS_GATEWAY_URL=…`)
//! within a time limit, the rest of its stdout drained (echoed or not), and stopped by pid
//! when dropped, whatever happened.

use std::{
    fs,
    io::{BufRead, BufReader, Read},
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc,
    },
    time::Duration,
};

use anyhow::{bail, Context, Result};
use xshell::cmd;

use crate::util::{project_root, rel, shell, target_dir};

/// How long a server may take to print its URL.
const START_LIMIT: Duration = Duration::from_secs(60);

/// Arguments of the sandbox that tests run: a free port and short settle times.
pub const TEST_ARGS: &[&str] = &["--bind", "127.0.0.1:0", "--settle-ms", "200"];

/// A running server, killed by its pid when dropped (with its process group when it was
/// started as a script).
struct Server {
    child: Child,
    url: String,
    /// Started in a process group of its own (a shell script and what it starts).
    group: bool,
}

impl Server {
    /// Starts `bin` with `args` and `envs` in the repo root and reads `PREFIX=url` from its
    /// first stdout line; `echo` prints the rest of its stdout.
    fn start(bin: &Path, args: &[&str], envs: &[(&str, &str)], prefix: &str, echo: bool) -> Result<Server> {
        println!("$ {} {}", rel(bin), args.join(" "));
        let mut command = Command::new(bin);
        command
            .args(args)
            .envs(envs.iter().copied())
            .current_dir(project_root());
        Server::spawn(command, &rel(bin), prefix, echo, false)
    }

    /// Starts `command` (stdin closed, stdout read) and reads `PREFIX=url` from its first
    /// stdout line; `group` puts it in a process group of its own, killed as a whole.
    fn spawn(mut command: Command, label: &str, prefix: &str, echo: bool, group: bool) -> Result<Server> {
        if group {
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {label}"))?;
        let stdout = child.stdout.take();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let Some(stdout) = stdout else { return };
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep the pipe drained while the server runs, so it never blocks or fails on it.
            let mut rest = String::new();
            while matches!(reader.read_line(&mut rest), Ok(n) if n > 0) {
                if echo {
                    print!("{rest}");
                }
                rest.clear();
            }
        });
        let line = rx.recv_timeout(START_LIMIT).unwrap_or_default();
        match line.trim().strip_prefix(prefix).and_then(|l| l.strip_prefix('=')) {
            Some(url) => {
                println!("{label} at {url} (pid {})", child.id());
                Ok(Server {
                    url: url.to_owned(),
                    child,
                    group,
                })
            }
            None => {
                // Dropping it kills it (and its group).
                drop(Server {
                    url: String::new(),
                    child,
                    group,
                });
                bail!(
                    "{label} did not print {prefix}=… within {}s (first line {line:?}); \
                     is the port already in use?",
                    START_LIMIT.as_secs()
                )
            }
        }
    }

    /// Kills it by pid (its process group by the group's id, which is its pid) and waits.
    fn stop(&mut self) {
        if self.group {
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", self.child.id())])
                .status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A server started by a shell script (a README block), killed with its process group
/// when dropped.
pub struct Script {
    _server: Server,
    /// The URL from its first stdout line.
    pub url: String,
}

impl Script {
    /// Runs `script` with `bash -c` in `dir` with `envs` added (and `bin_dir` first in
    /// `PATH`) and reads `PREFIX=url` from the first stdout line.
    pub fn start(
        script: &str,
        dir: &Path,
        bin_dir: &Path,
        envs: &[(&str, &str)],
        prefix: &str,
    ) -> Result<Script> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let path =
            std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(std::env::split_paths(&path)))
                .context("building PATH")?;
        let mut command = Command::new("bash");
        command
            .args(["-e", "-c", script])
            .env("PATH", path)
            .envs(envs.iter().copied())
            .current_dir(dir);
        println!("$ bash -c <README block> (in {})", rel(dir));
        let server = Server::spawn(command, "the README block", prefix, false, true)?;
        Ok(Script {
            url: server.url.clone(),
            _server: server,
        })
    }
}

/// Set by `cargo xtask test` when its `test` step runs: the servers' binaries then come
/// from `cargo test --workspace --no-run`, the same build that step made (fresh, ~1 s).
pub static BUILD_AS_TESTS: AtomicBool = AtomicBool::new(false);

/// Builds the servers (debug) and returns `package`'s binary path (honours
/// `CARGO_TARGET_DIR`).
///
/// `cargo build -p X` resolves dependency features for X alone, so each server built by
/// itself, or both together, is a feature set of its own (reqwest, rustls, sqlx and the
/// workspace crates compiled once more: 66 s + 151 s warm for the two alone, 162 s for the
/// pair, in the `wasm-node` step after `cargo test --workspace`). Within `cargo xtask
/// test` the binaries `cargo test` already built are used instead (it builds each
/// package's binaries for its integration tests); otherwise (`cargo xtask demo`, a single
/// step) the pair is built in one command.
fn build_bin(package: &str) -> Result<PathBuf> {
    let sh = shell()?;
    if BUILD_AS_TESTS.load(Ordering::Relaxed) {
        cmd!(sh, "cargo test --workspace --no-run --quiet").run()?;
    } else {
        cmd!(sh, "cargo build --package ics-sandbox --package ics-gateway").run()?;
    }
    Ok(target_dir().join("debug").join(package))
}

/// A running `ics-sandbox` process, killed by its pid when dropped.
pub struct SandboxProcess {
    _server: Server,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl SandboxProcess {
    /// Builds `ics-sandbox` (debug) and returns the binary's path (honours `CARGO_TARGET_DIR`).
    pub fn build() -> Result<PathBuf> {
        build_bin("ics-sandbox")
    }

    /// Builds and starts the sandbox for a test step ([`TEST_ARGS`]).
    pub fn start_for_tests() -> Result<SandboxProcess> {
        SandboxProcess::start(&SandboxProcess::build()?, TEST_ARGS, false)
    }

    /// Starts `bin` with `args` in the repo root; `echo` prints the rest of its stdout.
    pub fn start(bin: &Path, args: &[&str], echo: bool) -> Result<SandboxProcess> {
        let server = Server::start(bin, args, &[], "ICS_SANDBOX_URL", echo)?;
        Ok(SandboxProcess {
            url: server.url.clone(),
            _server: server,
        })
    }

    /// Stops it now (by pid); dropping it does the same.
    pub fn stop(self) {}
}

/// The upstream key the test and demo gateways hold (the sandbox's verified account).
pub const GATEWAY_KEY: &str = "sk_test_verified";

/// What a gateway is started with, besides its upstream.
#[derive(Default)]
pub struct GatewayOptions<'a> {
    /// `--listen` address (default `127.0.0.1:0`).
    pub listen: Option<&'a str>,
    /// Serve the storefront (`--static www --pkg pkg --demo-payments`).
    pub storefront: bool,
    /// Exact origins allowed cross-origin (`--allow-origin`, repeatable).
    pub allow_origins: Vec<String>,
    /// Echo the gateway's log lines after its URL.
    pub echo: bool,
    /// The `[limits]` table of its config file (TOML lines), when not the defaults.
    pub limits: Option<&'a str>,
    /// `upstream_timeout_ms` of its config file, when not the default (30 s).
    pub upstream_timeout_ms: Option<u64>,
}

/// Limits for test runs: many calls from one IP in a short time, the same test numbers
/// ordered again and again (the limits themselves are tested in crates/ics-gateway).
pub const TEST_LIMITS: &str = "per_ip_per_second = 1000\nper_ip_burst = 1000\n\
    orders_per_number_per_hour = 1000\ndaily_spend_cap = 100000000\n";

/// A running `ics-gateway` process in front of an upstream, killed by its pid when dropped.
/// It holds a fresh order secret and one operator, whose password is generated for this run.
pub struct GatewayProcess {
    server: Server,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// `ICS_GATEWAY_ORDER_SECRET` of this run (64 hex digits).
    pub order_secret: String,
    /// The operator's username.
    pub username: String,
    /// The operator's password (generated).
    pub password: String,
}

impl GatewayProcess {
    /// Builds `ics-gateway` (debug) and returns the binary's path.
    pub fn build() -> Result<PathBuf> {
        build_bin("ics-gateway")
    }

    /// Starts `bin` in front of `upstream` with a new order secret and an operator `demo`
    /// with a new password (hashed by `ics-gateway hash-password`, written to a config file
    /// under the target folder), the key in `ICS_GATEWAY_KEY` (never on the command line).
    pub fn start(bin: &Path, upstream: &str, options: &GatewayOptions) -> Result<GatewayProcess> {
        let order_secret = hex(&random_bytes(32)?);
        let username = "demo".to_owned();
        let password = password()?;
        let hash = hash_password(bin, &password)?;
        let dir = target_dir().join("gateway-run");
        fs::create_dir_all(&dir).with_context(|| format!("creating {}", rel(&dir)))?;
        // One name per start for the config and the journal: one xtask process may run two
        // gateways at once (the Node steps' second, short-timeout one).
        let run = format!("{}-{}", std::process::id(), hex(&random_bytes(6)?));
        let config = dir.join(format!("config-{run}.toml"));
        let mut toml = format!(
            "# written by cargo xtask for one run: the demo operator\n\
             [[operators]]\nusername = \"{username}\"\npassword_hash = \"{hash}\"\n"
        );
        // A fresh order journal per start (the gateway's default is ./ics-gateway.db): one
        // xtask process starts several gateways (wasm-node, then wasm-chromium), and a refid
        // journalled by one must not be "already placed" for the next.
        let journal = dir.join(format!("journal-{run}.db"));
        toml.insert_str(0, &format!("database = \"sqlite://{}\"\n", journal.display()));
        if let Some(ms) = options.upstream_timeout_ms {
            toml.insert_str(0, &format!("upstream_timeout_ms = {ms}\n"));
        }
        if let Some(limits) = options.limits {
            toml.push_str("\n[limits]\n");
            toml.push_str(limits);
        }
        fs::write(&config, toml).with_context(|| format!("writing {}", rel(&config)))?;
        let config_arg = config.display().to_string();
        let listen = options.listen.unwrap_or("127.0.0.1:0");
        let mut args = vec![
            "--listen",
            listen,
            "--upstream",
            upstream,
            "--config",
            &config_arg,
        ];
        if options.storefront {
            args.extend(["--static", "www", "--pkg", "pkg", "--demo-payments"]);
        }
        for origin in &options.allow_origins {
            args.extend(["--allow-origin", origin.as_str()]);
        }
        let envs = [
            ("ICS_GATEWAY_KEY", GATEWAY_KEY),
            ("ICS_GATEWAY_ORDER_SECRET", order_secret.as_str()),
        ];
        let server = Server::start(bin, &args, &envs, "ICS_GATEWAY_URL", options.echo)?;
        Ok(GatewayProcess {
            url: server.url.clone(),
            server,
            order_secret,
            username,
            password,
        })
    }

    /// Waits until the gateway exits by itself (the demo: until Ctrl+C).
    pub fn wait(&mut self) -> Result<std::process::ExitStatus> {
        self.server.child.wait().context("waiting for the gateway")
    }
}

/// `ics-gateway hash-password` with `password` on stdin: the argon2id PHC string.
fn hash_password(bin: &Path, password: &str) -> Result<String> {
    let sh = shell()?;
    let hash = cmd!(sh, "{bin} hash-password").stdin(password).read()?;
    let hash = hash.trim().to_owned();
    if !hash.starts_with("$argon2id$") {
        bail!("`{} hash-password` printed no argon2id hash", rel(bin));
    }
    Ok(hash)
}

/// `n` bytes from the kernel's random source.
fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .context("reading /dev/urandom")?;
    Ok(buf)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new password: 16 characters without look-alikes (about 80 bits).
fn password() -> Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
    Ok(random_bytes(16)?
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect())
}

/// A port free on 127.0.0.1 right now (for a server that must be named before it starts).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr().context("reading the free port")?.port())
}
