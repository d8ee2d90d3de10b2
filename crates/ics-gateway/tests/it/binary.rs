//! The `ics-gateway` binary: first stdout line, config file, demo payments, the metrics
//! listener, SIGTERM, `hash-password` and `sign-order`.

use crate::util::*;
use serde_json::json;
use std::io::Write;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

const BIN: &str = env!("CARGO_BIN_EXE_ics-gateway");

#[tokio::test]
async fn hash_password_and_sign_order_commands() {
    let mut child = std::process::Command::new(BIN)
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hunter2 hunter2\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hash = String::from_utf8(out.stdout).unwrap();
    assert!(
        ics_gateway::auth::verify_password("hunter2 hunter2", hash.trim()),
        "{hash}"
    );
    let out = std::process::Command::new(BIN)
        .args([
            "sign-order",
            "--kode-produk",
            "XLA10",
            "--nomor-tujuan",
            "+62 812-3456-1111",
        ])
        .args(["--refid", "CLI-1", "--max-price", "20000", "--ttl-seconds", "60"])
        .env("ICS_GATEWAY_ORDER_SECRET", SECRET)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tok = String::from_utf8(out.stdout).unwrap();
    let g = ics_reseller::token::verify_order(SECRET.as_bytes(), tok.trim(), now_s()).unwrap();
    assert_eq!(
        (g.nomor_tujuan.as_str(), g.refid.as_str(), g.max_price),
        ("081234561111", "CLI-1", 20_000)
    );
    assert!(g.expires_at <= now_s() + 60);
    let out = std::process::Command::new(BIN)
        .args([
            "sign-order",
            "--kode-produk",
            "XLA10",
            "--nomor-tujuan",
            "0812",
            "--refid",
            "R",
            "--max-price",
            "1",
        ])
        .env("ICS_GATEWAY_ORDER_SECRET", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[cfg(unix)]
#[tokio::test]
async fn the_binary_prints_its_url_first_serves_the_demo_flow_and_stops_on_sigterm() {
    let sb = sandbox(1_000_000).await;
    let dir = std::env::temp_dir().join(format!("ics-gateway-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("gateway.toml");
    std::fs::write(
        &cfg,
        format!(
            "upstream = \"http://127.0.0.1:1\"\nprice_cache_ms = 100\n\n[limits]\ndaily_spend_cap = 500000\n\n[[operators]]\nusername = \"{OPERATOR}\"\npassword_hash = \"{}\"\n",
            password_hash()
        ),
    )
    .unwrap();
    let mut child = tokio::process::Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            sb.url(),
            "--demo-payments",
            "--metrics-listen",
            "127.0.0.1:0",
            "--config",
        ])
        .arg(&cfg)
        .arg("--database")
        .arg(temp_db_url())
        .env("ICS_GATEWAY_KEY", KEY)
        .env("ICS_GATEWAY_ORDER_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    let url = first
        .strip_prefix("ICS_GATEWAY_URL=")
        .expect("first line")
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    // With --metrics-listen, the next line names the metrics listener's URL.
    let second = lines.next_line().await.unwrap().unwrap();
    let metrics_url = second
        .strip_prefix("ICS_GATEWAY_METRICS_URL=")
        .expect("second line")
        .to_owned();
    assert!(
        metrics_url.starts_with("http://127.0.0.1:") && metrics_url.ends_with("/metrics"),
        "{second}"
    );
    assert!(
        !metrics_url.starts_with(&format!("{url}/")),
        "another port: {second}"
    );
    let http = http();
    assert_eq!(send(http.get(format!("{url}/healthz"))).await.status, 200);
    assert_eq!(
        send(http.get(format!("{url}/metrics"))).await.status,
        404,
        "not public"
    );
    // The demo flow: pay (simulated), get a token, order with it.
    let order = json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "BIN-1"});
    let paid = send(
        http.post(format!("{url}/gateway/demo/pay"))
            .header("content-type", "application/json")
            .body(order.to_string()),
    )
    .await;
    assert_eq!(paid.status, 200, "{}", paid.text);
    let p = paid.json();
    assert_eq!(p["max_price"], 20_000);
    assert!(p["expires_at"].as_i64().unwrap() > now_s());
    let tok = p["token"].as_str().unwrap();
    let r = send(order_request(&http, &url, "081234561111", "BIN-1", tok)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    // The operator from the config file signs in.
    sign_in(&http, &url).await;
    let m = send(http.get(&metrics_url)).await;
    assert_eq!(m.status, 200, "{}", m.text);
    assert!(
        m.text.contains("ics_gateway_orders_total{result=\"placed\"} 1"),
        "{}",
        m.text
    );
    // SIGTERM: a graceful stop with exit status 0.
    let pid = child.id().unwrap() as i32;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), child.wait())
        .await
        .expect("stops")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    assert!(!stderr.contains(KEY), "the key in the log:\n{stderr}");
    assert!(!stderr.contains(SECRET));
    assert!(
        !stderr.contains(p["token"].as_str().unwrap()),
        "a token in the log"
    );
    let logs: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not a JSON log line: {l}")))
        .collect();
    assert!(logs.iter().any(|l| l["fields"]["message"] == "order"), "{stderr}");
    assert!(
        logs.iter().any(|l| l["fields"]["message"] == "shutting down"),
        "{stderr}"
    );
    sb.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn the_binary_refuses_to_start_without_secrets() {
    let out = tokio::process::Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1"])
        .env_remove("ICS_GATEWAY_KEY")
        .env_remove("ICS_GATEWAY_ORDER_SECRET")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ICS_GATEWAY_KEY"));
    let out = tokio::process::Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--upstream", "http://127.0.0.1:1"])
        .env("ICS_GATEWAY_KEY", KEY)
        .env("ICS_GATEWAY_ORDER_SECRET", "too short")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 32"));
}

#[cfg(unix)]
#[tokio::test]
async fn open_orders_mode_warns_loudly() {
    let mut child = tokio::process::Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--upstream",
            "http://127.0.0.1:1",
            "--open-orders",
        ])
        .arg("--database")
        .arg(temp_db_url())
        .env("ICS_GATEWAY_KEY", KEY)
        .env_remove("ICS_GATEWAY_ORDER_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    assert!(first.starts_with("ICS_GATEWAY_URL=http://127.0.0.1:"), "{first}");
    assert_eq!(unsafe { libc::kill(child.id().unwrap() as i32, libc::SIGINT) }, 0);
    assert!(child.wait().await.unwrap().success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .await
        .unwrap();
    let warn = stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|l| l["level"] == "WARN")
        .unwrap_or_else(|| panic!("no warning:\n{stderr}"));
    assert!(
        warn["fields"]["message"]
            .as_str()
            .unwrap()
            .contains("OPEN ORDERS"),
        "{warn}"
    );
}

/// A config file the gateway cannot read is refused with its line and column and the
/// reason, never with the source line or a value: an unquoted key, a duplicate `api_key`,
/// a table where the key goes, a key where a number goes.
/// A database URL with a password is refused as a flag (every user sees it in `ps`), and
/// the refusal names the place it belongs without printing the URL.
#[tokio::test]
async fn a_database_password_on_the_command_line_is_refused_unprinted() {
    for url in [
        "postgres://ics:pw-SECRET9@127.0.0.1:1/ics",
        "postgres://ics@127.0.0.1:1/ics?password=pw-SECRET9",
    ] {
        let out = tokio::process::Command::new(BIN)
            .args([
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "http://127.0.0.1:1",
                "--database",
                url,
            ])
            .env("ICS_GATEWAY_KEY", KEY)
            .env("ICS_GATEWAY_ORDER_SECRET", SECRET)
            .output()
            .await
            .unwrap();
        assert!(!out.status.success(), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("ICS_GATEWAY_DATABASE"), "{err}");
        assert!(!err.contains("SECRET9"), "{err}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("SECRET9"));
    }
}

#[tokio::test]
async fn config_errors_name_the_place_but_never_print_a_secret() {
    const LEAK: &str = "sk_live_SECRETvalue42";
    let dir = std::env::temp_dir().join(format!("ics-gateway-badconf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        format!("upstream = \"http://127.0.0.1:1\"\napi_key = {LEAK}\n"),
        format!("api_key = \"{LEAK}\"\napi_key = \"{LEAK}\"\n"),
        format!("[api_key]\nvalue = \"{LEAK}\"\n"),
        format!("api_key = {{ k = \"{LEAK}\" }}\n"),
        format!("upstream_timeout_ms = \"{LEAK}\"\n"),
        format!("[limits]\nper_ip_burst = \"{LEAK}\"\n"),
    ];
    for (i, text) in cases.iter().enumerate() {
        let path = dir.join(format!("bad{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = tokio::process::Command::new(BIN)
            .arg("--config")
            .arg(&path)
            .env_remove("ICS_GATEWAY_KEY")
            .env_remove("ICS_GATEWAY_ORDER_SECRET")
            .output()
            .await
            .unwrap();
        assert!(!out.status.success(), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        for part in ["SECRET", "value42", "sk_live"] {
            assert!(!err.contains(part), "case {i} printed the secret: {err}");
            assert!(!stdout.contains(part), "case {i} printed the secret: {stdout}");
        }
        assert!(err.contains("line "), "case {i} names the place: {err}");
        assert!(err.contains(&format!("bad{i}.toml")), "case {i}: {err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}
