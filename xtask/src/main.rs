//! `cargo xtask <cmd>`: every chore of the ics-reseller repo, in Rust, with few dependencies.
//!
//! `cargo xtask help` lists the commands. The alias lives in `.cargo/config.toml`.

mod ci;
mod clients;
mod codegen;
mod demo;
mod fuzz;
mod hooks;
mod install;
mod readme;
mod sandbox;
mod spec;
mod util;
mod wasm;

use std::{path::PathBuf, process::ExitCode};

use util::{bail, Result};

/// Every command, with its usage and a one-line description, for `cargo xtask help`.
const COMMANDS: &[(&str, &str)] = &[
    ("help", "this list"),
    (
        "codegen [--check]",
        "write schema/ from the core's types; --check only names stale files",
    ),
    (
        "test [--only STEP,..] [--list]",
        "what CI runs: install missing tools, fmt, clippy, tests, codegen --check, spec checks",
    ),
    (
        "check-spec [--openapi FILE] [--schemas DIR]",
        "only the spec checks (openapi-spec-validator, redocly, swagger-parser, ajv)",
    ),
    (
        "fuzz [--seconds N] [--target NAME]",
        "run a cargo-fuzz target (default: decode, 60 s) on nightly; prints executions and crashes",
    ),
    (
        "build-wasm",
        "build the WebAssembly npm package into pkg/ (release, wasm-bindgen, wasm-opt -Oz)",
    ),
    (
        "demo [--port N]",
        "build the package, serve the storefront (www/) on the sandbox's gateway (default port 8080)",
    ),
    (
        "bench",
        "package size and decode time vs JSON.parse in headless Chromium; ics-gateway vs direct calls",
    ),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(Args(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(mut args: Args) -> Result {
    let Some(cmd) = args.next_command() else {
        help();
        return Ok(());
    };
    match cmd.as_str() {
        "help" | "-h" | "--help" => {
            args.finish()?;
            help();
            Ok(())
        }
        "codegen" => {
            let check = args.flag("--check");
            args.finish()?;
            codegen::run(check)
        }
        "test" => {
            let list = args.flag("--list");
            let only = args
                .value("--only")?
                .map(|v| v.split(',').map(str::to_owned).collect());
            args.finish()?;
            ci::run(only, list)
        }
        "check-spec" => {
            let openapi = args
                .value("--openapi")?
                .map_or_else(spec::default_openapi, PathBuf::from);
            let schemas = args
                .value("--schemas")?
                .map_or_else(spec::default_schemas, PathBuf::from);
            args.finish()?;
            spec::run(absolute(openapi), absolute(schemas))
        }
        "fuzz" => {
            let seconds = match args.value("--seconds")? {
                None => 60,
                Some(s) => match s.parse::<u64>() {
                    Ok(n) if n > 0 => n,
                    _ => bail!("--seconds wants a positive whole number, got `{s}`"),
                },
            };
            let target = args.value("--target")?.unwrap_or_else(|| "decode".to_owned());
            args.finish()?;
            fuzz::run(&target, seconds)
        }
        "build-wasm" => {
            args.finish()?;
            wasm::build()
        }
        "bench" => {
            args.finish()?;
            wasm::bench()
        }
        "demo" => {
            let port = match args.value("--port")? {
                None => demo::DEFAULT_PORT,
                Some(s) => match s.parse::<u16>() {
                    Ok(n) => n,
                    _ => bail!("--port wants a port number (0 picks a free one), got `{s}`"),
                },
            };
            args.finish()?;
            demo::run(port)
        }
        other => {
            help();
            bail!("unknown command `{other}`")
        }
    }
}

fn help() {
    println!("cargo xtask <command>: the ics-reseller repo's chores\n\ncommands:");
    for (usage, about) in COMMANDS {
        println!("  {usage:<46} {about}");
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

/// The command line after `cargo xtask`, consumed flag by flag.
struct Args(Vec<String>);

impl Args {
    /// Takes the first argument (the command).
    fn next_command(&mut self) -> Option<String> {
        (!self.0.is_empty()).then(|| self.0.remove(0))
    }

    /// Takes `name` if present.
    fn flag(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|a| a != name);
        self.0.len() != before
    }

    /// Takes `name VALUE` or `name=VALUE` if present.
    fn value(&mut self, name: &str) -> Result<Option<String>> {
        let prefix = format!("{name}=");
        if let Some(i) = self.0.iter().position(|a| a.starts_with(&prefix)) {
            let arg = self.0.remove(i);
            return Ok(Some(arg[prefix.len()..].to_owned()));
        }
        let Some(i) = self.0.iter().position(|a| a == name) else {
            return Ok(None);
        };
        if i + 1 >= self.0.len() {
            bail!("{name} needs a value");
        }
        let value = self.0.remove(i + 1);
        self.0.remove(i);
        Ok(Some(value))
    }

    /// Fails if anything was not understood.
    fn finish(self) -> Result {
        if !self.0.is_empty() {
            bail!(
                "unexpected argument(s): {} (see `cargo xtask help`)",
                self.0.join(" ")
            );
        }
        Ok(())
    }
}
