//! `cargo xtask <cmd>`: every chore of the ics-reseller repo, in Rust.
//!
//! `cargo xtask help` lists the commands. The alias lives in `.cargo/config.toml`; the
//! command line is [`flags`] (xflags), commands run through xshell, errors are anyhow's.

mod ci;
mod clients;
mod codegen;
mod demo;
mod flags;
mod fuzz;
mod install;
mod readme;
mod sandbox;
mod spec;
mod util;
mod wasm;

use std::{path::PathBuf, process::ExitCode};

use anyhow::{bail, Result};

fn main() -> ExitCode {
    if std::env::args_os().len() <= 1 {
        print!("{}", flags::Xtask::HELP);
        return ExitCode::SUCCESS;
    }
    let flags = flags::Xtask::from_env_or_exit();
    match run(flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nerror: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(flags: flags::Xtask) -> Result<()> {
    match flags.subcommand {
        flags::XtaskCmd::Help(_) => {
            print!("{}", flags::Xtask::HELP);
            Ok(())
        }
        flags::XtaskCmd::Codegen(c) => codegen::run(c.check),
        flags::XtaskCmd::Test(t) => {
            // `--only a --only b`, and `--only a,b` as before.
            let only: Vec<String> = t
                .only
                .iter()
                .flat_map(|v| v.split(','))
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            ci::run((!only.is_empty()).then_some(only), t.list)
        }
        flags::XtaskCmd::CheckSpec(c) => {
            let openapi = c.openapi.unwrap_or_else(spec::default_openapi);
            let schemas = c.schemas.unwrap_or_else(spec::default_schemas);
            spec::run(absolute(openapi), absolute(schemas))
        }
        flags::XtaskCmd::Fuzz(f) => {
            let seconds = f.seconds.unwrap_or(60);
            if seconds == 0 {
                bail!("--seconds wants a positive whole number, got 0");
            }
            fuzz::run(f.target.as_deref().unwrap_or("decode"), seconds)
        }
        flags::XtaskCmd::BuildWasm(_) => wasm::build(),
        flags::XtaskCmd::Bench(_) => wasm::bench(),
        flags::XtaskCmd::Demo(d) => demo::run(d.port.unwrap_or(demo::DEFAULT_PORT)),
    }
}

/// Paths given on the command line are relative to where `cargo xtask` was started.
fn absolute(path: PathBuf) -> PathBuf {
    if path.is_absolute() {
        path
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    }
}
