//! The binary: first stdout line, summary, flags over environment over config file, clean
//! exit on SIGTERM and SIGINT, clear errors (status 2) for bad input.

use crate::util::*;
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_ics-sandbox");

struct Running {
    child: Child,
    url: String,
    summary: String,
}

async fn spawn(args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(20), out.read_line(&mut first))
        .await
        .expect("first line in time")
        .unwrap();
    let url = first
        .strip_suffix('\n')
        .and_then(|l| l.strip_prefix("ICS_SANDBOX_URL="))
        .unwrap_or_else(|| panic!("first line {first:?}"))
        .to_owned();
    let port: u16 = url.strip_prefix("http://127.0.0.1:").unwrap().parse().unwrap();
    assert_ne!(port, 0);
    // The summary follows at once; read until its last section is complete.
    let mut summary = String::new();
    while !summary.contains("other") {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(5), out.read_line(&mut line))
            .await
            .expect("summary in time")
            .unwrap();
        assert!(n > 0, "stdout closed early: {summary}");
        summary.push_str(&line);
    }
    Running { child, url, summary }
}

async fn signal_and_wait(mut r: Running, signal: libc::c_int) {
    let pid = r.child.id().unwrap() as libc::pid_t;
    // SAFETY: kill(2) on our own child's pid; no memory is involved.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let exit = tokio::time::timeout(Duration::from_secs(10), r.child.wait())
        .await
        .expect("exits after the signal")
        .unwrap();
    assert!(exit.success(), "signal {signal}: {exit:?}");
    let mut err = String::new();
    r.child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .await
        .unwrap();
    assert!(err.contains("stopping"), "{err}");
}

/// GET `url/?QUERY` with the key in the header, read as JSON.
async fn call(url: &str, query: &str, key: &str) -> Value {
    let r = http_client()
        .get(format!("{url}/?{query}"))
        .header("X-API-Key", key)
        .send()
        .await
        .unwrap();
    r.json().await.unwrap()
}

async fn ping(url: &str, key: &str) -> Value {
    call(url, "action=ping", key).await
}

#[tokio::test]
async fn prints_the_url_first_then_a_summary_and_stops_on_sigterm() {
    let r = spawn(&["--bind", "127.0.0.1:0", "--settle-ms", "10"], &[]).await;
    for needle in [
        "sk_test_verified",
        "sk_test_unverified",
        "sk_test_inactive",
        "sk_test_lowbalance",
        "RS00001",
        "…1111",
        "…6666",
        "/__sandbox/faults",
    ] {
        assert!(
            r.summary.contains(needle),
            "summary lacks {needle:?}:\n{}",
            r.summary
        );
    }
    // The gateway lives in crates/ics-gateway now: the sandbox has no /gateway/ route.
    assert!(!r.summary.contains("/gateway/"), "{}", r.summary);
    let gone = http_client()
        .get(format!("{}/gateway/?action=listProducts", r.url))
        .send()
        .await
        .unwrap();
    assert!(
        !gone.status().is_success(),
        "no /gateway/ route: {}",
        gone.status()
    );
    assert_eq!(ping(&r.url, VERIFIED).await["kodereseller"], "RS00001");
    signal_and_wait(r, libc::SIGTERM).await;
}

#[tokio::test]
async fn flags_over_environment_over_config_file() {
    let dir = std::env::temp_dir().join(format!("ics-sandbox-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sandbox.json");
    std::fs::write(
        &file,
        r#"{"accounts": {"verified": {"key": "sk_from_file", "saldo": 123},
                          "extra": {"key": "sk_extra", "saldo": 77}},
            "markup": {"flat": 500}, "settle_ms": 5000}"#,
    )
    .unwrap();
    let r = spawn(
        &["--bind=127.0.0.1:0", "--markup-flat", "1000"],
        &[
            ("ICS_SANDBOX_CONFIG", file.to_str().unwrap()),
            ("ICS_SANDBOX_BALANCE", "verified=456,lowbalance=9"),
            ("ICS_SANDBOX_MARKUP_FLAT", "2000"),
            ("ICS_SANDBOX_NO_FAULTS", "true"),
            ("ICS_SANDBOX_BIND", "127.0.0.1:1"),
        ],
    )
    .await;
    assert!(
        !r.url.ends_with(":1"),
        "--bind wins over ICS_SANDBOX_BIND: {}",
        r.url
    );
    assert!(r.summary.contains("sk_from_file") && r.summary.contains("sk_extra"));
    let bal = call(&r.url, "action=getBalance", "sk_from_file").await;
    assert_eq!(bal["data"]["saldo"], 456, "the variable wins over the file");
    assert_eq!(ping(&r.url, VERIFIED).await["error"], "API key tidak valid");
    let via_gw = call(&r.url, "action=listProducts&type=xda", "sk_from_file").await;
    assert_eq!(
        via_gw["data"]["ready"][0]["harga_final"], 4000,
        "markup from the flag, over the variable (2000) and the file (500)"
    );
    let info = http_client()
        .get(format!("{}/__sandbox/info", r.url))
        .send()
        .await
        .unwrap();
    assert_eq!(
        info.status(),
        404,
        "ICS_SANDBOX_NO_FAULTS=true removes the controls"
    );
    signal_and_wait(r, libc::SIGINT).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn help_and_bad_flags() {
    let out = Command::new(BIN).arg("--help").output().await.unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--settle-ms"));
    let out = Command::new(BIN).arg("--frobnicate").output().await.unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--frobnicate"));
    // Bad values, from a flag, a variable or the config file: status 2 and a message that
    // names what was wrong, never a panic.
    let dir = std::env::temp_dir().join(format!("ics-sandbox-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.json");
    std::fs::write(&file, r#"{"accounts": {"verified": {"saldo": "lots"}}}"#).unwrap();
    let file = file.to_str().unwrap();
    for (args, env, needle) in [
        (&["--settle-ms", "soon"][..], None, "--settle-ms"),
        (&[][..], Some(("ICS_SANDBOX_SETTLE_MS", "soon")), "--settle-ms"),
        (&[][..], Some(("ICS_SANDBOX_KEY", "nobody=x")), "nobody"),
        (&["--config", file][..], None, "bad.json"),
        (&["--balance", "verified=1e9"][..], None, "balance of verified"),
    ] {
        let mut cmd = Command::new(BIN);
        cmd.args(args);
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let out = cmd.output().await.unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} {env:?}: {err}");
        assert!(err.contains(needle), "{args:?} {env:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
