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

use anyhow::{bail, Context, Result};
use xshell::{cmd, Cmd};

use crate::{
    ci::Outcome,
    install,
    sandbox::SandboxProcess,
    util::{node_bin, project_root, rel, shell, tools_dir},
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
fn fresh(dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("removing {}", rel(dir)))?;
    }
    fs::create_dir_all(dir).with_context(|| format!("creating {}", rel(dir)))
}

/// Runs `cmd` with its output shown; fails when it exits non-zero or prints a warning.
fn run_no_warnings(cmd: Cmd<'_>, tool: &str) -> Result<()> {
    eprintln!("$ {cmd}");
    let out = cmd
        .ignore_status()
        .output()
        .with_context(|| format!("cannot start {tool}"))?;
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
    install::node_tools()?;
    install::python_venv()?;
    let dir = clients_dir();
    let (ts, py) = (dir.join("ts"), dir.join("python"));
    let py_generated = py.join("generated");

    let sh = shell()?;
    let (openapi, python) = (openapi(), python());

    // TypeScript: openapi-typescript, then tsc --noEmit on the consumer and the proofs.
    fresh(&ts.join("generated"))?;
    let (openapi_typescript, tsc) = (node_bin("openapi-typescript"), node_bin("tsc"));
    let dts = ts.join("generated/openapi.d.ts");
    run_no_warnings(
        cmd!(sh, "{openapi_typescript} {openapi} --output {dts}"),
        "openapi-typescript",
    )?;
    link_node_modules(&ts)?;
    cmd!(sh, "{tsc} --noEmit -p {ts}").run()?;
    cmd!(sh, "{tsc} -p {ts}").run()?;

    // TypeScript: @hey-api/openapi-ts with zod, and quicktype (issue 12).
    let (hey, quick) = (ts.join("hey"), ts.join("quicktype"));
    fresh(&hey.join("generated"))?;
    {
        let _dir = sh.push_dir(&hey);
        let (openapi_ts, config) = (node_bin("openapi-ts"), hey.join("openapi-ts.config.mjs"));
        run_no_warnings(cmd!(sh, "{openapi_ts} -f {config}"), "@hey-api/openapi-ts")?;
    }
    cmd!(sh, "{tsc} -p {hey}").run()?;
    fresh(&quick.join("generated"))?;
    let mut schemas = Vec::new();
    for entry in fs::read_dir(project_root().join("schema/json")).context("reading schema/json")? {
        let path = entry.context("reading schema/json")?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with("Response.schema.json") || name == "ErrorBody.schema.json" {
            schemas.push(path);
        }
    }
    let (quicktype, out) = (node_bin("quicktype"), quick.join("generated/ics.ts"));
    run_no_warnings(
        cmd!(
            sh,
            "{quicktype} --src-lang schema --lang ts -o {out} {schemas...}"
        ),
        "quicktype",
    )?;
    cmd!(sh, "{tsc} -p {quick}").run()?;

    // Python: openapi-python-client and datamodel-code-generator.
    fresh(&py_generated)?;
    let package = py_generated.join("ics_reseller_client");
    run_no_warnings(
        cmd!(
            sh,
            "{python} -m openapi_python_client generate --path {openapi} --output-path {package} --meta none"
        )
        .env("PATH", venv_path()),
        "openapi-python-client",
    )?;
    let (json, models) = (project_root().join("schema/json"), py_generated.join("models"));
    run_no_warnings(
        cmd!(
            sh,
            "{python} -W error -m datamodel_code_generator --input {json}
                --input-file-type jsonschema --output-model-type pydantic_v2.BaseModel
                --use-annotated --formatters builtin --target-python-version 3.11
                --disable-timestamp --output {models}"
        ),
        "datamodel-code-generator",
    )?;

    // Against one sandbox, reset by each script.
    let sandbox = SandboxProcess::start_for_tests()?;
    let url = sandbox.url.clone();
    for consumer in [&ts, &hey, &quick] {
        let script = consumer.join("generated/js/every-action.mjs");
        cmd!(sh, "node {script}").env("ICS_SANDBOX_URL", &url).run()?;
    }
    let (every_action, models_check) = (py.join("every_action.py"), py.join("json_schema_models.py"));
    cmd!(sh, "{python} {every_action} {url} {openapi}")
        .env("PYTHONPATH", &py_generated)
        .run()?;
    cmd!(sh, "{python} {models_check} {url}")
        .env("PYTHONPATH", &py_generated)
        .run()?;
    schemathesis(&url, &py_generated)?;
    sandbox.stop();
    Ok(Outcome::Done)
}

/// `tests/clients/ts/node_modules` → `tools/node/node_modules`, so that the compiled
/// consumer (ESM) and tsc resolve `openapi-fetch` from the pinned tools.
fn link_node_modules(ts: &Path) -> Result<()> {
    let link = ts.join("node_modules");
    let target = tools_dir().join("node/node_modules");
    if fs::read_link(&link).ok().as_deref() == Some(target.as_path()) {
        return Ok(());
    }
    if link.symlink_metadata().is_ok() {
        fs::remove_file(&link).with_context(|| format!("removing {}", rel(&link)))?;
    }
    std::os::unix::fs::symlink(&target, &link).with_context(|| format!("linking {}", rel(&link)))
}

/// schemathesis on every operation: all checks, security parameters not generated (the
/// key goes in the header), a fixed seed, nothing written outside `generated/`.
fn schemathesis(url: &str, workdir: &Path) -> Result<()> {
    let sh = shell()?;
    sh.change_dir(workdir);
    let (python, openapi) = (python(), openapi());
    let reset = "import httpx, sys; httpx.post(sys.argv[1] + '/__sandbox/reset').raise_for_status()";
    cmd!(sh, "{python} -c {reset} {url}").run()?;
    cmd!(
        sh,
        "{python} -m schemathesis.cli run {openapi} --url {url}
            --header 'X-API-Key: sk_test_verified'
            --generation-with-security-parameters false --checks all
            --max-examples {SCHEMATHESIS_EXAMPLES} --seed {SCHEMATHESIS_SEED}
            --generation-database none --workers 1 --no-color"
    )
    .run()?;
    Ok(())
}
