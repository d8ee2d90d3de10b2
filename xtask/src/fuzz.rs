//! `cargo xtask fuzz --seconds N [--target NAME]`: runs a cargo-fuzz target for N seconds.
//!
//! Installs the nightly toolchain and cargo-fuzz (into `tools/bin`) if missing, seeds the
//! corpus from `fuzz/seeds/<target>/`, runs libFuzzer, and ends with the number of
//! executions and crashes (from libFuzzer's final stats). Not part of `cargo xtask test`.

use std::{
    fs,
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
    time::Instant,
};

use anyhow::{bail, Context, Result};
use xshell::cmd;

use crate::{
    install,
    util::{project_root, shell},
};

/// What libFuzzer said at the end of a run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FuzzStats {
    /// Inputs executed (`stat::number_of_executed_units`, else `Done N runs`).
    pub executions: Option<u64>,
    /// Crashing inputs written (crash-, oom-, timeout- and leak- artifacts).
    pub crashes: Vec<String>,
}

/// Runs the fuzz target `target` for `seconds` seconds of fuzzing (build time not counted).
pub fn run(target: &str, seconds: u64) -> Result<()> {
    let root = project_root();
    let fuzz_dir = root.join("fuzz");
    if !fuzz_dir
        .join("fuzz_targets")
        .join(format!("{target}.rs"))
        .exists()
    {
        bail!("no fuzz target `{target}` (expected fuzz/fuzz_targets/{target}.rs)");
    }
    install::nightly()?;
    install::cargo_fuzz()?;

    let corpus = fuzz_dir.join("corpus").join(target);
    fs::create_dir_all(&corpus).context("creating the corpus folder")?;
    let seeded = seed_corpus(&fuzz_dir.join("seeds").join(target), &corpus)?;
    if seeded > 0 {
        println!("seeded {seeded} inputs from fuzz/seeds/{target}/");
    }

    let sh = shell()?;
    let seconds_arg = format!("-max_total_time={seconds}");
    let cmd = cmd!(
        sh,
        "rustup run nightly cargo fuzz run {target} {corpus} -- {seconds_arg} -print_final_stats=1"
    );
    let shown = cmd.to_string();
    println!("$ {shown}");
    let started = Instant::now();
    // libFuzzer's stderr is streamed line by line, so the command is spawned directly.
    let mut child = Command::from(cmd)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{shown}`"))?;
    // libFuzzer reports on stderr: echo every line as it comes and keep it for the stats.
    let mut log = String::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap_or_default();
            eprintln!("{line}");
            log.push_str(&line);
            log.push('\n');
        }
    }
    let status = child.wait().context("waiting for cargo fuzz")?;
    let stats = parse_stats(&log);

    let executions = stats
        .executions
        .map_or_else(|| "unknown".to_owned(), |n| n.to_string());
    println!(
        "\nfuzz {target}: {executions} executions, {} crash(es), {:.0}s wall time (of which {seconds}s fuzzing)",
        stats.crashes.len(),
        started.elapsed().as_secs_f64()
    );
    if !stats.crashes.is_empty() {
        bail!(
            "fuzz target `{target}` crashed; reproduce with `rustup run nightly cargo fuzz run {target} <file>`:\n  {}",
            stats.crashes.join("\n  ")
        );
    }
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    if stats.executions.is_none() {
        bail!("libFuzzer printed no final stats; did the run start?");
    }
    Ok(())
}

/// Copies `seeds/<STATUS>-<name>.<ext>` to `corpus/seed-<STATUS>-<name>`, prefixed with the
/// status as two big-endian bytes (the `decode` target's input layout). Returns the count.
pub fn seed_corpus(seeds: &Path, corpus: &Path) -> Result<usize> {
    let entries = match fs::read_dir(seeds) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("listing {}", seeds.display())),
    };
    let mut count = 0;
    for entry in entries {
        let path = entry.context("listing seeds")?.path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let Some(status) = stem.split('-').next().and_then(|s| s.parse::<u16>().ok()) else {
            bail!(
                "seed file {} must be named <status>-<name>, e.g. 200-ping.json",
                path.display()
            );
        };
        let body = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut input = status.to_be_bytes().to_vec();
        input.extend_from_slice(&body);
        let out = corpus.join(format!("seed-{stem}"));
        fs::write(&out, input).with_context(|| format!("writing {}", out.display()))?;
        count += 1;
    }
    Ok(count)
}

/// Reads executions and crash artifacts from libFuzzer's output.
pub fn parse_stats(log: &str) -> FuzzStats {
    let mut stats = FuzzStats::default();
    for line in log.lines() {
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            stats.executions = n.trim().parse().ok().or(stats.executions);
        } else if let Some(rest) = line.strip_prefix("Done ") {
            if stats.executions.is_none() {
                stats.executions = rest.split_whitespace().next().and_then(|n| n.parse().ok());
            }
        } else if let Some((_, path)) = line.split_once("Test unit written to ") {
            let path = path.trim();
            let file = path.rsplit('/').next().unwrap_or(path);
            if ["crash-", "oom-", "timeout-", "leak-"]
                .iter()
                .any(|p| file.starts_with(p))
            {
                stats.crashes.push(path.to_owned());
            }
        }
    }
    stats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(log: &str, executions: Option<u64>, crashes: &[&str]) {
        let stats = parse_stats(log);
        assert_eq!(stats.executions, executions);
        assert_eq!(stats.crashes, crashes);
    }

    #[test]
    fn clean_run() {
        check(
            "#1024\tpulse  cov: 12 ft: 13 corp: 5/20b\nDone 987654 runs in 61 second(s)\n\
             stat::number_of_executed_units: 987655\nstat::average_exec_per_sec:     16190\n",
            Some(987655),
            &[],
        );
    }

    #[test]
    fn done_line_without_final_stats() {
        check("Done 42 runs in 1 second(s)\n", Some(42), &[]);
    }

    #[test]
    fn crash() {
        check(
            "==1234== ERROR: libFuzzer: deadly signal\n\
             artifact_prefix='/r/fuzz/artifacts/decode/'; Test unit written to /r/fuzz/artifacts/decode/crash-abc123\n\
             stat::number_of_executed_units: 77\n",
            Some(77),
            &["/r/fuzz/artifacts/decode/crash-abc123"],
        );
    }

    #[test]
    fn slow_units_are_not_crashes() {
        check(
            "Test unit written to /r/fuzz/artifacts/decode/slow-unit-1\nstat::number_of_executed_units: 5\n",
            Some(5),
            &[],
        );
    }
}
