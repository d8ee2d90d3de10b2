//! `cargo xtask test` step `generated-clients` (issue 6): `schema/` consumed the way teams in
//! other languages consume it, against a fresh sandbox.
//!
//! 1. openapi-typescript generates types from `schema/openapi.json`; `tsc --noEmit` checks
//!    `tests/clients/ts` (a typed openapi-fetch consumer and `@ts-expect-error` proofs of
//!    per-action typing), then the consumer is compiled and calls every action.
//! 2. openapi-python-client generates a package; `tests/clients/python/every_action.py`
//!    calls every operation with it.
//! 3. datamodel-code-generator generates pydantic models from `schema/json`;
//!    `tests/clients/python/json_schema_models.py` parses every sandbox answer with them.
//! 4. schemathesis runs every operation against the sandbox, all checks, fixed seed.
//! 5. @hey-api/openapi-ts (client-fetch, sdk and zod plugins; config in
//!    `tests/clients/ts/hey/openapi-ts.config.mjs`) generates a client; the compiled
//!    `tests/clients/ts/hey/every-action.mts` calls every action with the key as the SDK's
//!    `auth` and checks each answer with the generated zod schemas.
//! 6. quicktype generates types and runtime converters from `schema/json`;
//!    `tests/clients/ts/quicktype/every-action.mts` reads every answer with them.
//!
//! The TypeScript consumers (openapi-fetch, hey-api, quicktype) also prove the key went in
//! the header only: `/__sandbox/requests` holds no request line with `apikey`.
//!
//! Both client scripts also read `/__sandbox/requests` to check the request lines the
//! sandbox received. Generated files go to git-ignored `generated/` folders below
//! `tests/clients`; every tool comes from `tools/` (installed by `install::*`). The
//! commands are the ones `schema/README.md` gives.

use std::{
    fs,
    path::{Path, PathBuf},
};

use crate::{
    ci::Outcome,
    install,
    sandbox::Sandbox,
    util::{bail, node_bin, project_root, rel, tools_dir, Cmd, Context, Result},
};

/// Test cases schemathesis generates per operation and phase (about 650 requests in all).
const SCHEMATHESIS_EXAMPLES: &str = "50";
/// Fixed so that a failure reproduces; change it to explore.
const SCHEMATHESIS_SEED: &str = "20261129";

fn clients_dir() -> PathBuf {
    project_root().join("tests/clients")
}

fn openapi() -> PathBuf {
    project_root().join("schema/openapi.json")
}

/// The Python of the tools venv; its modules are run with `-m`, so that the venv's
/// console-script shebangs (absolute paths) do not matter.
fn python() -> PathBuf {
    tools_dir().join("venv/bin/python")
}

/// `$PATH` for the Python tools: the venv first (openapi-python-client runs `ruff` from it).
fn venv_path() -> std::ffi::OsString {
    let mut dirs = vec![tools_dir().join("venv/bin")];
    dirs.extend(std::env::split_paths(&crate::util::tools_path()));
    std::env::join_paths(dirs).unwrap_or_default()
}

/// Empties (or creates) a generated folder.
fn fresh(dir: &Path) -> Result {
    if dir.exists() {
        fs::remove_dir_all(dir).context(format_args!("removing {}", rel(dir)))?;
    }
    fs::create_dir_all(dir).context(format_args!("creating {}", rel(dir)))
}

/// Runs `cmd` with its output shown; fails when it exits non-zero or prints a warning.
fn run_no_warnings(cmd: Cmd, tool: &str) -> Result {
    let out = cmd.output_echoed().context(format_args!("cannot start {tool}"))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    print!("{text}");
    if !out.status.success() {
        bail!("{tool} failed ({})", out.status);
    }
    if text.to_lowercase().contains("warning") {
        bail!("{tool} printed a warning (see above); the spec must generate cleanly");
    }
    Ok(())
}

/// The step: generate, type-check, then call the sandbox with each client.
pub fn run() -> Result<Outcome> {
    if !project_root().join("crates/ics-sandbox/Cargo.toml").exists() {
        return Ok(Outcome::Skipped(
            "crates/ics-sandbox is not in the workspace".into(),
        ));
    }
    install::node_tools()?;
    install::python_venv()?;
    let dir = clients_dir();
    let (ts, py) = (dir.join("ts"), dir.join("python"));
    let py_generated = py.join("generated");

    // TypeScript: openapi-typescript, then tsc --noEmit on the consumer and the proofs.
    fresh(&ts.join("generated"))?;
    run_no_warnings(
        Cmd::new(node_bin("openapi-typescript"))
            .arg(openapi())
            .arg("--output")
            .arg(ts.join("generated/openapi.d.ts")),
        "openapi-typescript",
    )?;
    link_node_modules(&ts)?;
    Cmd::new(node_bin("tsc"))
        .args(["--noEmit", "-p"])
        .arg(&ts)
        .run()?;
    Cmd::new(node_bin("tsc")).arg("-p").arg(&ts).run()?;

    // TypeScript: @hey-api/openapi-ts with zod, and quicktype (issue 12).
    let (hey, quick) = (ts.join("hey"), ts.join("quicktype"));
    fresh(&hey.join("generated"))?;
    run_no_warnings(
        Cmd::new(node_bin("openapi-ts"))
            .arg("-f")
            .arg(hey.join("openapi-ts.config.mjs"))
            .dir(&hey),
        "@hey-api/openapi-ts",
    )?;
    Cmd::new(node_bin("tsc")).arg("-p").arg(&hey).run()?;
    fresh(&quick.join("generated"))?;
    let mut quicktype = Cmd::new(node_bin("quicktype"))
        .args(["--src-lang", "schema", "--lang", "ts", "-o"])
        .arg(quick.join("generated/ics.ts"));
    for entry in fs::read_dir(project_root().join("schema/json")).context("reading schema/json")? {
        let path = entry.context("reading schema/json")?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with("Response.schema.json") || name == "ErrorBody.schema.json" {
            quicktype = quicktype.arg(path);
        }
    }
    run_no_warnings(quicktype, "quicktype")?;
    Cmd::new(node_bin("tsc")).arg("-p").arg(&quick).run()?;

    // Python: openapi-python-client and datamodel-code-generator.
    fresh(&py_generated)?;
    run_no_warnings(
        Cmd::new(python())
            .args(["-m", "openapi_python_client", "generate", "--path"])
            .arg(openapi())
            .arg("--output-path")
            .arg(py_generated.join("ics_reseller_client"))
            .args(["--meta", "none"])
            .env("PATH", venv_path()),
        "openapi-python-client",
    )?;
    run_no_warnings(
        Cmd::new(python())
            .args(["-W", "error", "-m", "datamodel_code_generator", "--input"])
            .arg(project_root().join("schema/json"))
            .args([
                "--input-file-type",
                "jsonschema",
                "--output-model-type",
                "pydantic_v2.BaseModel",
                "--use-annotated",
                "--formatters",
                "builtin",
                "--target-python-version",
                "3.11",
                "--disable-timestamp",
                "--output",
            ])
            .arg(py_generated.join("models")),
        "datamodel-code-generator",
    )?;

    // Against one sandbox, reset by each script.
    let sandbox = Sandbox::start_for_tests()?;
    let url = sandbox.url.clone();
    Cmd::new("node")
        .arg(ts.join("generated/js/every-action.mjs"))
        .env("ICS_SANDBOX_URL", &url)
        .run()?;
    for consumer in [&hey, &quick] {
        Cmd::new("node")
            .arg(consumer.join("generated/js/every-action.mjs"))
            .env("ICS_SANDBOX_URL", &url)
            .run()?;
    }
    Cmd::new(python())
        .arg(py.join("every_action.py"))
        .arg(&url)
        .arg(openapi())
        .env("PYTHONPATH", &py_generated)
        .run()?;
    Cmd::new(python())
        .arg(py.join("json_schema_models.py"))
        .arg(&url)
        .env("PYTHONPATH", &py_generated)
        .run()?;
    schemathesis(&url, &py_generated)?;
    sandbox.stop();
    Ok(Outcome::Done)
}

/// `tests/clients/ts/node_modules` → `tools/node/node_modules`, so that the compiled
/// consumer (ESM) and tsc resolve `openapi-fetch` from the pinned tools.
fn link_node_modules(ts: &Path) -> Result {
    let link = ts.join("node_modules");
    let target = tools_dir().join("node/node_modules");
    if fs::read_link(&link).ok().as_deref() == Some(target.as_path()) {
        return Ok(());
    }
    if link.symlink_metadata().is_ok() {
        fs::remove_file(&link).context(format_args!("removing {}", rel(&link)))?;
    }
    std::os::unix::fs::symlink(&target, &link).context(format_args!("linking {}", rel(&link)))
}

/// schemathesis on every operation: all checks, security parameters not generated (the
/// key goes in the header), a fixed seed, nothing written outside `generated/`.
fn schemathesis(url: &str, workdir: &Path) -> Result {
    Cmd::new(python())
        .arg("-c")
        .arg("import httpx, sys; httpx.post(sys.argv[1] + '/__sandbox/reset').raise_for_status()")
        .arg(url)
        .run()?;
    Cmd::new(python())
        .args(["-m", "schemathesis.cli", "run"])
        .arg(openapi())
        .args(["--url", url])
        .args(["--header", "X-API-Key: sk_test_verified"])
        .args(["--generation-with-security-parameters", "false"])
        .args(["--checks", "all"])
        .args(["--max-examples", SCHEMATHESIS_EXAMPLES])
        .args(["--seed", SCHEMATHESIS_SEED])
        .args(["--generation-database", "none"])
        .args(["--workers", "1", "--no-color"])
        .dir(workdir)
        .run()
}
