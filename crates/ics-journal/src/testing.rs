//! Test equipment: a throwaway PostgreSQL server in a temporary directory on a free port,
//! from the Debian `postgresql` binaries (`/usr/lib/postgresql/*/bin`), stopped (by
//! `pg_ctl stop`) and removed on drop. As root it runs as the `postgres` user (initdb
//! refuses root).

use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The `bin` folder of the newest `/usr/lib/postgresql/N/bin` holding `initdb`.
pub fn postgres_bin() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.split('.').next()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

/// A running throwaway PostgreSQL.
#[derive(Debug)]
pub struct TempPostgres {
    dir: PathBuf,
    bin: PathBuf,
    url: String,
    as_postgres: bool,
    stopped: bool,
}

fn is_root() -> bool {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        unsafe { libc::geteuid() == 0 }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

impl TempPostgres {
    /// Starts one (trust auth, user `app`, database `postgres`). `fsync = false` trades
    /// durability for speed (tests); benches keep it on.
    pub fn start(fsync: bool) -> io::Result<TempPostgres> {
        let bin = postgres_bin().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                "no /usr/lib/postgresql/*/bin/initdb: install Debian's postgresql (cargo xtask test does)",
            )
        })?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = std::env::temp_dir().join(format!("ics-journal-pg-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown").arg("postgres:postgres").arg(&dir), "chown")?;
        }
        let mut pg = TempPostgres {
            url: format!("postgres://app@127.0.0.1:{port}/postgres"),
            dir,
            bin,
            as_postgres,
            stopped: true,
        };
        let data = pg.dir.join("data");
        run(
            pg.cmd("initdb").arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "app",
                "-E",
                "UTF8",
                "--no-sync",
            ]),
            "initdb",
        )?;
        let mut opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            pg.dir.display()
        );
        if !fsync {
            opts.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        run(
            pg.cmd("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-o")
                .arg(opts)
                .arg("-l")
                .arg(pg.dir.join("log"))
                .args(["-w", "-t", "60", "start"]),
            "pg_ctl start",
        )?;
        pg.stopped = false;
        Ok(pg)
    }

    fn cmd(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        };
        c.stdin(Stdio::null()).current_dir(&self.dir);
        c
    }

    /// `postgres://app@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Its directory (data, socket, log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops the server (`pg_ctl stop -m fast`) and removes its directory.
    pub fn stop(&mut self) {
        if !self.stopped {
            self.stopped = true;
            let data = self.dir.join("data");
            let _ = self
                .cmd("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-m", "fast", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(cmd: &mut Command, what: &str) -> io::Result<()> {
    let out = cmd.output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

/// A database for one test: a SQLite file (removed on drop) or a throwaway PostgreSQL
/// (stopped on drop).
#[derive(Debug)]
pub struct TestDb {
    /// Its journal URL.
    pub url: String,
    /// `sqlite` or `postgres`.
    pub name: &'static str,
    _pg: Option<TempPostgres>,
    file: Option<PathBuf>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(f) = &self.file {
            for ext in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{ext}", f.display()));
            }
        }
    }
}

static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A fresh SQLite file in the temporary directory.
pub fn sqlite() -> TestDb {
    let f = std::env::temp_dir().join(format!(
        "ics-journal-test-{}-{}.db",
        std::process::id(),
        SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    TestDb {
        url: format!("sqlite://{}", f.display()),
        name: "sqlite",
        _pg: None,
        file: Some(f),
    }
}

/// A fresh PostgreSQL (fsync off). Missing binaries panic under CI (`CI=true`, where
/// `cargo xtask test` installed them) and return `None` (skipped, said on stderr) elsewhere.
pub fn postgres() -> Option<TestDb> {
    if postgres_bin().is_none() {
        if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
            panic!("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); cargo xtask test installs it");
        }
        eprintln!("SKIPPED the PostgreSQL half: no /usr/lib/postgresql/*/bin/initdb");
        return None;
    }
    let pg = TempPostgres::start(false).expect("PostgreSQL starts");
    Some(TestDb {
        url: pg.url().to_owned(),
        name: "postgres",
        _pg: Some(pg),
        file: None,
    })
}

/// Both backends (PostgreSQL when installed).
pub fn both() -> Vec<TestDb> {
    let mut v = vec![sqlite()];
    v.extend(postgres());
    v
}
