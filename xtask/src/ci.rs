//! `cargo xtask test`: the one command CI runs. Installs what is missing, then every check.
//!
//! The steps are one table, [`STEPS`], run in order; the first failure stops the run.
//! Adding a suite is one line there (plus its function, in the module of its subject).
//! A timing summary of every step is printed at the end, pass or fail.

use std::{
    sync::atomic::Ordering,
    time::{Duration, Instant},
};

use anyhow::{bail, Result};
use xshell::cmd;

use crate::{clients, codegen, demo, install, readme, sandbox, spec, util::shell, wasm};

/// What a step reports when it did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The step did its work.
    Done,
    /// Nothing to do, e.g. a tool already installed; the text says what was found.
    UpToDate(String),
    /// The step does not apply (e.g. no crate depends on wasm-bindgen).
    Skipped(String),
}

/// One step of `cargo xtask test`.
pub struct Step {
    /// Short name, used by `--only` and in the summary.
    pub name: &'static str,
    /// What it runs, for `--list` and the summary.
    pub about: &'static str,
    /// The work.
    pub run: fn() -> Result<Outcome>,
}

const fn step(name: &'static str, about: &'static str, run: fn() -> Result<Outcome>) -> Step {
    Step { name, about, run }
}

/// Every step of `cargo xtask test`, in order. To add a suite, add one line.
pub const STEPS: &[Step] = &[
    step(
        "install-rust",
        "rustup: rustfmt + clippy",
        install::rust_components,
    ),
    step("fmt", "cargo fmt --all --check", fmt),
    step(
        "install-wasm-target",
        "rustup target add wasm32-unknown-unknown",
        install::wasm_target,
    ),
    step(
        "install-chromium",
        "apt-get install chromium chromium-driver",
        install::chromium,
    ),
    step(
        "install-postgresql",
        "apt-get install postgresql (journal tests)",
        install::postgresql,
    ),
    step("install-node", "npm ci in tools/node", install::node_tools),
    step(
        "install-python",
        "venv tools/venv + pip install -r tools/requirements.txt",
        install::python_venv,
    ),
    step(
        "install-wasm-bindgen",
        "cargo install wasm-bindgen-cli (Cargo.lock's version)",
        install::wasm_bindgen_runner,
    ),
    step(
        "clippy",
        "cargo clippy --workspace --all-targets -- -D warnings",
        clippy,
    ),
    step("test", "cargo test --workspace", cargo_test),
    step(
        "doc",
        "RUSTDOCFLAGS=\"-D warnings\" cargo doc --no-deps --workspace",
        doc,
    ),
    step(
        "msrv",
        "cargo +<rust-version> check of the published crates (toolchain installed if missing)",
        msrv,
    ),
    step("codegen", "cargo xtask codegen --check", codegen_check),
    step(
        "spec-openapi-spec-validator",
        "openapi-spec-validator schema/openapi.json",
        spec_validator,
    ),
    step(
        "spec-redocly",
        "redocly lint --extends=recommended (warnings fail)",
        spec_redocly,
    ),
    step(
        "spec-swagger-parser",
        "swagger-parser validate schema/openapi.json",
        spec_swagger,
    ),
    step(
        "spec-json-schemas",
        "ajv: schema/json/*.schema.json are JSON Schema 2020-12",
        spec_json_schemas,
    ),
    step(
        "spec-wire-schemas",
        "ajv: schema/wire/*.schema.json (the lenient wire forms) are JSON Schema 2020-12",
        spec_wire_schemas,
    ),
    step("wasm-node", "wasm-bindgen tests in Node", wasm::test_node),
    step(
        "wasm-chromium",
        "wasm-bindgen tests in headless Chromium",
        wasm::test_chromium,
    ),
    step(
        "npm-package",
        "npm package smoke tests (tsc, attw)",
        wasm::npm_package,
    ),
    step("e2e-demo", "demo storefront end-to-end tests", demo::e2e),
    step(
        "readme-blocks",
        "README.md's fenced blocks run against a sandbox",
        readme::run,
    ),
    step(
        "generated-clients",
        "clients generated from schema/openapi.json",
        clients::run,
    ),
];

fn fmt() -> Result<Outcome> {
    let sh = shell()?;
    cmd!(sh, "cargo fmt --all --check").run()?;
    Ok(Outcome::Done)
}

fn clippy() -> Result<Outcome> {
    let sh = shell()?;
    cmd!(sh, "cargo clippy --workspace --all-targets -- -D warnings").run()?;
    Ok(Outcome::Done)
}

fn cargo_test() -> Result<Outcome> {
    let sh = shell()?;
    cmd!(sh, "cargo test --workspace").run()?;
    Ok(Outcome::Done)
}

fn doc() -> Result<Outcome> {
    let sh = shell()?;
    cmd!(sh, "cargo doc --no-deps --workspace")
        .env("RUSTDOCFLAGS", "-D warnings")
        .run()?;
    Ok(Outcome::Done)
}

/// The crates users depend on, checked on the workspace's declared `rust-version`.
const MSRV_CRATES: &[&str] = &["ics-reseller", "ics-reseller-wasm"];

fn msrv() -> Result<Outcome> {
    let version = install::declared_rust_version()?;
    install::toolchain(&version)?;
    let packages = MSRV_CRATES.iter().flat_map(|c| ["-p", c]);
    let sh = shell()?;
    // Its own target folder: another toolchain's artefacts would evict the stable ones.
    cmd!(sh, "cargo +{version} check --locked {packages...}")
        .env(
            "CARGO_TARGET_DIR",
            crate::util::project_root().join("target/msrv"),
        )
        .run()?;
    Ok(Outcome::Done)
}

fn codegen_check() -> Result<Outcome> {
    codegen::run(true)?;
    Ok(Outcome::Done)
}

fn spec_validator() -> Result<Outcome> {
    spec::openapi_spec_validator(&spec::default_openapi())
}

fn spec_redocly() -> Result<Outcome> {
    spec::redocly_lint(&spec::default_openapi())
}

fn spec_swagger() -> Result<Outcome> {
    spec::swagger_parser(&spec::default_openapi())
}

fn spec_json_schemas() -> Result<Outcome> {
    spec::json_schemas(&spec::default_schemas())
}

fn spec_wire_schemas() -> Result<Outcome> {
    spec::json_schemas(&spec::default_schemas().with_file_name("wire"))
}

/// How a step ended, for the summary.
enum Ended {
    Ok(Outcome),
    Failed,
}

/// Runs `cargo xtask test [--only NAME,...] [--list]`.
pub fn run(only: Option<Vec<String>>, list: bool) -> Result<()> {
    if list {
        for s in STEPS {
            println!("{:<30} {}", s.name, s.about);
        }
        return Ok(());
    }
    let selected: Vec<&Step> = match &only {
        None => STEPS.iter().collect(),
        Some(names) => {
            for n in names {
                if !STEPS.iter().any(|s| s.name.starts_with(n.as_str())) {
                    bail!("no step matches `{n}`; `cargo xtask test --list` shows them");
                }
            }
            STEPS
                .iter()
                .filter(|s| names.iter().any(|n| s.name.starts_with(n.as_str())))
                .collect()
        }
    };

    // On CI (a clean clone, built once) incremental data only costs disk: gigabytes of it.
    if std::env::var_os("CI").is_some() && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        // Set before any thread starts (`set_var` is not thread-safe).
        std::env::set_var("CARGO_INCREMENTAL", "0");
    }
    // With the `test` step in the run, the servers come from its build (see `build_bin`).
    sandbox::BUILD_AS_TESTS.store(selected.iter().any(|s| s.name == "test"), Ordering::Relaxed);
    let started = Instant::now();
    let mut results: Vec<(&Step, Duration, Ended)> = Vec::new();
    let mut failure = None;
    for s in &selected {
        println!("\n==> [{}] {}", s.name, s.about);
        let t = Instant::now();
        let result = (s.run)();
        let took = t.elapsed();
        match result {
            Ok(outcome) => {
                match &outcome {
                    Outcome::Done => println!("<== [{}] ok in {}", s.name, secs(took)),
                    Outcome::UpToDate(why) => println!("<== [{}] up to date: {why}", s.name),
                    Outcome::Skipped(why) => println!("<== [{}] skipped: {why}", s.name),
                }
                results.push((s, took, Ended::Ok(outcome)));
            }
            Err(e) => {
                eprintln!("<== [{}] FAILED after {}: {e:#}", s.name, secs(took));
                results.push((s, took, Ended::Failed));
                failure = Some((s.name, e));
                break;
            }
        }
    }

    summary(&selected, &results, started.elapsed());
    match failure {
        Some((name, e)) => Err(e.context(format!("step `{name}` failed"))),
        None => Ok(()),
    }
}

fn summary(selected: &[&Step], results: &[(&Step, Duration, Ended)], total: Duration) {
    println!("\n==> cargo xtask test: timing summary");
    for s in selected {
        match results.iter().find(|(r, _, _)| r.name == s.name) {
            Some((_, took, ended)) => {
                let (word, note) = match ended {
                    Ended::Ok(Outcome::Done) => ("ok", String::new()),
                    Ended::Ok(Outcome::UpToDate(why)) => ("ok", format!("  (up to date: {why})")),
                    Ended::Ok(Outcome::Skipped(why)) => ("skipped", format!("  ({why})")),
                    Ended::Failed => ("FAILED", String::new()),
                };
                println!("  {word:<8} {:>8}  {}{note}", secs(*took), s.name);
            }
            None => println!("  {:<8} {:>8}  {}", "not run", "", s.name),
        }
    }
    println!("  total    {:>8}", secs(total));
    // The plain closing line CI reads (steps, not individual tests: each runner printed its own).
    let count = |f: fn(&Ended) -> bool| results.iter().filter(|(_, _, e)| f(e)).count();
    let passed = count(|e| matches!(e, Ended::Ok(Outcome::Done | Outcome::UpToDate(_))));
    let failed = count(|e| matches!(e, Ended::Failed));
    let skipped = count(|e| matches!(e, Ended::Ok(Outcome::Skipped(_))));
    println!("steps: {passed} passed, {failed} failed, {skipped} skipped");
}

fn secs(d: Duration) -> String {
    format!("{:.1}s", d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::STEPS;

    #[test]
    fn step_names_are_unique_and_not_prefixes_of_each_other() {
        for a in STEPS {
            for b in STEPS {
                if a.name != b.name {
                    assert!(!b.name.starts_with(a.name), "{} / {}", a.name, b.name);
                }
            }
        }
    }
}
