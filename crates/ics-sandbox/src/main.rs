//! The `ics-sandbox` binary: reads its flags, variables and config file
//! ([`ics_sandbox::Flags`]), starts the sandbox, prints
//! `ICS_SANDBOX_URL=http://127.0.0.1:PORT` as the first line on stdout, then a summary,
//! and stops cleanly on SIGTERM or SIGINT.

use clap::Parser;
use ics_sandbox::Flags;
use std::io::Write;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // Bad flags or variables: clap prints the error and usage, and exits with status 2.
    let config = match Flags::parse().into_config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("ics-sandbox: {e}");
            return ExitCode::from(2);
        }
    };
    // Signal handlers first, so a signal sent right after the first line is never lost.
    let signals = Signals::install();
    let sandbox = match ics_sandbox::serve(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ics-sandbox: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ICS_SANDBOX_URL={}", sandbox.url());
        let _ = out.flush();
        let _ = write!(out, "{}", sandbox.summary());
        let _ = out.flush();
    }
    signals.wait().await;
    eprintln!("ics-sandbox: stopping");
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

/// SIGTERM and SIGINT, caught from the start.
#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn install() -> Signals {
        use tokio::signal::unix::{signal, SignalKind};
        Signals {
            term: signal(SignalKind::terminate()).expect("SIGTERM handler"),
            int: signal(SignalKind::interrupt()).expect("SIGINT handler"),
        }
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

/// Ctrl-C, where there are no Unix signals.
#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn install() -> Signals {
        Signals
    }

    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
