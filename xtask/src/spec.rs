//! Spec checks (issue 2 item 9): three OpenAPI validators and a JSON Schema 2020-12 check.
//!
//! Each must report zero errors and zero warnings. The tools are the pinned ones that
//! `install::node_tools` and `install::python_venv` put under `tools/`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::Value;
use xshell::cmd;

use crate::{
    ci::Outcome,
    util::{node_bin, project_root, rel, shell, tools_dir, venv_bin},
};

/// The generated OpenAPI document, `schema/openapi.json`.
pub fn default_openapi() -> PathBuf {
    project_root().join("schema/openapi.json")
}

/// The generated JSON Schemas folder, `schema/json`.
pub fn default_schemas() -> PathBuf {
    project_root().join("schema/json")
}

fn require(path: &Path) -> Result<()> {
    if !path.exists() {
        bail!("{} does not exist: run `cargo xtask codegen` first", rel(path));
    }
    Ok(())
}

/// `openapi-spec-validator` (PyPI) on the OpenAPI document, as OpenAPI 3.1.
pub fn openapi_spec_validator(openapi: &Path) -> Result<Outcome> {
    require(openapi)?;
    let sh = shell()?;
    let validator = venv_bin("openapi-spec-validator");
    let out = cmd!(sh, "{validator} --schema 3.1 --validation-errors all {openapi}").read()?;
    println!("{out}");
    if !out.trim_end().ends_with(": OK") {
        bail!("openapi-spec-validator did not answer OK");
    }
    Ok(Outcome::Done)
}

/// `redocly lint --extends=recommended`: fails on any error *or warning*.
///
/// Redocly exits 0 when it finds only warnings, so the check reads its JSON report
/// (`--format=json`) and prints every problem itself.
pub fn redocly_lint(openapi: &Path) -> Result<Outcome> {
    require(openapi)?;
    let sh = shell()?;
    let redocly = node_bin("redocly");
    let cmd = cmd!(
        sh,
        "{redocly} lint --extends=recommended --format=json --max-problems=1000 {openapi}"
    )
    .env("REDOCLY_TELEMETRY", "off")
    .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true")
    .ignore_status();
    eprintln!("$ {cmd}");
    let out = cmd
        .output()
        .context("cannot start tools/node/node_modules/.bin/redocly")?;
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = parse_redocly(&stdout).inspect_err(|_| println!("{stdout}"))?;
    for p in &report.problems {
        println!("  {p}");
    }
    println!(
        "redocly lint: {} error(s), {} warning(s), {}",
        report.errors, report.warnings, out.status
    );
    if report.errors > 0 || report.warnings > 0 || !out.status.success() {
        bail!(
            "redocly lint found {} error(s) and {} warning(s); zero of each is required",
            report.errors,
            report.warnings
        );
    }
    Ok(Outcome::Done)
}

/// What `redocly lint --format=json` reported.
#[derive(Debug, PartialEq, Eq)]
pub struct RedoclyReport {
    /// `totals.errors`.
    pub errors: u64,
    /// `totals.warnings`.
    pub warnings: u64,
    /// One line per problem: severity, rule, where, message.
    pub problems: Vec<String>,
}

/// Reads redocly's JSON report (the first `{` to the end: anything printed before it is skipped).
pub fn parse_redocly(stdout: &str) -> Result<RedoclyReport> {
    let start = stdout.find('{').context("redocly printed no JSON report")?;
    let json: Value = serde_json::from_str(&stdout[start..]).context("reading redocly's JSON report")?;
    let total = |k: &str| json["totals"][k].as_u64();
    let (Some(errors), Some(warnings)) = (total("errors"), total("warnings")) else {
        bail!("redocly's JSON report has no totals.errors / totals.warnings");
    };
    let problems = json["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let s = |k: &str| p[k].as_str().unwrap_or("?").to_owned();
                    let at = p["location"][0]["pointer"].as_str().unwrap_or("");
                    format!("{} [{}] {at}: {}", s("severity"), s("ruleId"), s("message"))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(RedoclyReport {
        errors,
        warnings,
        problems,
    })
}

/// `@apidevtools/swagger-parser` validate, through `tools/node/validate-spec.mjs`.
pub fn swagger_parser(openapi: &Path) -> Result<Outcome> {
    require(openapi)?;
    let sh = shell()?;
    let script = tools_dir().join("node/validate-spec.mjs");
    cmd!(sh, "node {script} {openapi}").run()?;
    Ok(Outcome::Done)
}

/// Every `*.schema.json` is a valid JSON Schema 2020-12 (Ajv, strict), through
/// `tools/node/validate-json-schemas.mjs`.
pub fn json_schemas(dir: &Path) -> Result<Outcome> {
    require(dir)?;
    let sh = shell()?;
    let script = tools_dir().join("node/validate-json-schemas.mjs");
    cmd!(sh, "node {script} {dir}").run()?;
    Ok(Outcome::Done)
}

/// `cargo xtask check-spec [--openapi FILE] [--schemas DIR]`: installs the node and
/// Python tools if needed, then runs the four checks (all of them, reporting each).
pub fn run(openapi: PathBuf, schemas: PathBuf) -> Result<()> {
    crate::install::node_tools()?;
    crate::install::python_venv()?;
    type Check<'a> = (&'a str, Box<dyn Fn() -> Result<Outcome> + 'a>);
    let checks: Vec<Check> = vec![
        (
            "openapi-spec-validator",
            Box::new(|| openapi_spec_validator(&openapi)),
        ),
        ("redocly lint", Box::new(|| redocly_lint(&openapi))),
        ("swagger-parser", Box::new(|| swagger_parser(&openapi))),
        ("json schemas", Box::new(|| json_schemas(&schemas))),
        // The wire forms (schema/wire, issue 12) sit beside the strict ones.
        (
            "json schemas (wire)",
            Box::new(|| json_schemas(&schemas.with_file_name("wire"))),
        ),
    ];
    let mut failed = Vec::new();
    for (name, check) in &checks {
        println!("\n==> spec: {name}");
        if let Err(e) = check() {
            eprintln!("error: {e:#}");
            failed.push(*name);
        }
    }
    if !failed.is_empty() {
        bail!("spec checks failed: {}", failed.join(", "));
    }
    println!("\nspec checks: all {} passed", checks.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(stdout: &str, errors: u64, warnings: u64, problems: &[&str]) {
        let r = parse_redocly(stdout).unwrap();
        assert_eq!((r.errors, r.warnings), (errors, warnings));
        assert_eq!(r.problems, problems);
    }

    #[test]
    fn clean_report() {
        check(
            r#"{"totals":{"errors":0,"warnings":0,"ignored":0},"version":"2.77.0","problems":[]}"#,
            0,
            0,
            &[],
        );
    }

    #[test]
    fn warnings_are_counted_and_listed() {
        check(
            r##"banner
{"totals":{"errors":0,"warnings":1,"ignored":0},"problems":[{"ruleId":"operation-4xx-response",
"severity":"warn","message":"Operation must have at least one `4XX` response.",
"location":[{"pointer":"#/paths/~1ping/get/responses"}]}]}"##,
            0,
            1,
            &["warn [operation-4xx-response] #/paths/~1ping/get/responses: Operation must have at least one `4XX` response."],
        );
    }

    #[test]
    fn no_report_is_an_error() {
        assert!(parse_redocly("crashed").is_err());
        assert!(parse_redocly(r#"{"problems":[]}"#).is_err());
    }
}
