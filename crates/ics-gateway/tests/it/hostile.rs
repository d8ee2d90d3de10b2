//! Hostile upstreams and request shapes: an upstream with PHP's query parsing that records
//! what it receives, one that echoes the key, redirecting ones, and HTTPS with a test CA.

use crate::util::*;
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::collections::HashMap;

/// PHP's `$_GET` for a query string: `+`/percent decoding of names and values, a NUL cuts a
/// name, leading spaces dropped, `name[]` arrays, `.`/space (and an unmatched `[`) in the
/// base name become `_`, the last repeated key wins.
fn php_parse(query: &str) -> HashMap<String, Value> {
    fn decode(s: &str) -> String {
        form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    }
    let mut out: HashMap<String, Value> = HashMap::new();
    for seg in query.split('&').filter(|s| !s.is_empty()) {
        let (n, v) = seg.split_once('=').unwrap_or((seg, ""));
        let name = decode(n);
        let name = name
            .split('\0')
            .next()
            .unwrap_or("")
            .trim_start_matches(' ')
            .to_owned();
        if name.is_empty() {
            continue;
        }
        let value = decode(v);
        let (base, array) = match name.find('[') {
            Some(i) if name[i..].contains(']') => (name[..i].to_owned(), true),
            _ => (name.clone(), false),
        };
        let base = base.replace(['.', ' ', '['], "_");
        if array {
            let e = out.entry(base).or_insert_with(|| json!([]));
            if let Value::Array(a) = e {
                a.push(json!(value));
            } else {
                *e = json!([value]);
            }
        } else {
            out.insert(base, json!(value));
        }
    }
    out
}

#[test]
fn php_parse_follows_php() {
    let p = php_parse("action=a&action=b&%20apikey=k&x.y=1&z[]=1&z[]=2&n%00ame=3&c+d=4");
    assert_eq!(p["action"], "b");
    assert_eq!(p["apikey"], "k");
    assert_eq!(p["x_y"], "1");
    assert_eq!(p["z"], json!(["1", "2"]));
    assert_eq!(p["n"], "3");
    assert_eq!(p["c_d"], "4");
}

fn header<'a>(s: &'a Seen, name: &str) -> Option<&'a str> {
    s.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn no_request_shape_runs_a_disallowed_action_or_carries_a_browser_key() {
    let (php, log) = upstream(|s: &Seen| {
        let q = s.uri.split_once('?').map(|(_, q)| q).unwrap_or("");
        let p = php_parse(q);
        match p.get("action").and_then(Value::as_str) {
            Some("listProducts") => axum::Json(products_json("php")).into_response(),
            _ => axum::Json(json!({"success": true})).into_response(),
        }
    })
    .await;
    // The order below ends "maybe committed": the reconciler's checkTransaction is kept
    // 30 s away, so the upstream's log holds only what this test sent.
    let mut cfg = config(&php);
    cfg.reconcile.first_check_ms = 30_000;
    cfg.reconcile.max_check_ms = 30_000;
    let gw = ics_gateway::serve(cfg).await.unwrap();
    let http = http();
    let browser_key = "sk_test_lowbalance";
    let shapes = [
        "action=listProducts&type=xla&action=getBalance",
        "action=getBalance&action=listProducts&type=xla",
        "action=listProducts&type=xla&act%69on=getBalance",
        "action=listProducts&type=xla&%61ction=getBalance",
        "action=listProducts&type=xla&%20action=getBalance",
        "action=listProducts&type=xla&+action=getBalance",
        "action=listProducts&type=xla&action%00=getBalance",
        "action=listProducts&type=xla&action%00x=getBalance",
        "action=listProducts&type=xla&action[]=getBalance",
        "action[]=getBalance&action=listProducts&type=xla",
        "action[x]=getBalance&action=listProducts&type=xla",
        "action=listProducts&type=xla&Action=getBalance",
        "action=listProducts&type=xla&apikey=sk_test_lowbalance",
        "action=listProducts&type=xla&APIKEY=sk_test_lowbalance",
        "action=listProducts&type=xla&apikey[]=sk_test_lowbalance",
        "action=listProducts&type=xla&%61pikey=sk_test_lowbalance",
        "action=listProducts&type=xla&%20apikey=sk_test_lowbalance",
        "action=listProducts&type=xla&api.key=sk_test_lowbalance",
        "action=listProducts&type=xla&api%20key=sk_test_lowbalance",
        "action=listProducts&ty.pe=xla",
        "action=listProducts&type=xla&type=all",
        "action=listProducts&type=xla&foo=1",
        "action=listProducts%00&type=xla",
        "action=getBalance",
        "action=getProfile",
        "action=resubmitWebhook&refid=R1",
        "action=nope",
        "type=xla",
    ];
    for q in shapes {
        let r = send(
            http.get(format!("{}/gateway/?{q}", gw.url()))
                .header("x-api-key", browser_key),
        )
        .await;
        assert!(
            matches!(r.status, 400 | 403 | 405),
            "{q}: {} {}",
            r.status,
            r.text
        );
        assert!(!r.code().is_empty(), "{q}: typed error expected: {}", r.text);
    }
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing refused reached the upstream"
    );
    // POST bodies: unknown fields, a smuggled key or action, parameters in the query.
    let tok = token("XLA10", "081234561111", "PHP-1", 20_000, 600);
    let bodies = [
        (
            "action=createTransaction",
            json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "PHP-1", "apikey": browser_key}),
        ),
        (
            "action=createTransaction",
            json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "PHP-1", "action": "getBalance"}),
        ),
        (
            "action=createTransaction",
            json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "PHP-1", "refid\u{0}": "x"}),
        ),
        (
            "action=createTransaction&apikey=x",
            json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "PHP-1"}),
        ),
        (
            "action=createTransaction&refid=PHP-2",
            json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "PHP-1"}),
        ),
        ("action=createTransaction", json!(["XLA10"])),
    ];
    for (q, b) in bodies {
        let r = send(
            http.post(format!("{}/gateway/?{q}", gw.url()))
                .header("content-type", "application/json")
                .header("x-order-token", &tok)
                .body(b.to_string()),
        )
        .await;
        assert_eq!(r.status, 400, "{q} {b}: {}", r.text);
    }
    assert!(
        log.lock().unwrap().is_empty(),
        "nothing refused reached the upstream"
    );
    // The allowed shapes: the upstream sees the canonical request, the server's key only.
    let r = send(
        http.get(format!("{}/gateway/?action=listProducts&type=xla", gw.url()))
            .header("x-api-key", browser_key)
            .header("cookie", "session=browser")
            .header("authorization", "Bearer browser"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = send(
        http.post(format!("{}/gateway/?action=createTransaction", gw.url()))
            .header("content-type", "application/json; charset=utf-8")
            .header("x-order-token", &tok)
            .header("x-api-key", browser_key)
            .body(
                json!({"kode_produk": "XLA10", "nomor_tujuan": "+62 812-3456-1111", "refid": "PHP-1"})
                    .to_string(),
            ),
    )
    .await;
    // The PHP stand-in's answer is not a createTransaction body: the gateway says 502.
    assert_eq!(r.status, 502, "{}", r.text);
    let seen = log.lock().unwrap().clone();
    let actions: Vec<String> = seen
        .iter()
        .map(|s| {
            let q = s.uri.split_once('?').map(|(_, q)| q).unwrap_or("");
            let p = php_parse(q);
            assert!(!p.contains_key("apikey"), "{}", s.uri);
            assert_eq!(header(s, "x-api-key"), Some(KEY), "{s:?}");
            assert!(!s.body.contains(browser_key) && !s.uri.contains(browser_key));
            for h in ["cookie", "authorization", "x-order-token", "origin"] {
                assert!(header(s, h).is_none(), "{h} forwarded: {s:?}");
            }
            p["action"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        actions,
        ["listProducts", "listProducts", "createTransaction"],
        "{seen:#?}"
    );
    assert_eq!(seen[0].uri, "/?action=listProducts&type=xla");
    let body: Value = serde_json::from_str(&seen[2].body).unwrap();
    assert_eq!(
        body,
        json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "PHP-1"}),
        "re-encoded by the core, number normalised"
    );
    gw.shutdown().await;
}

const ECHO_KEY: &str = "sk_live_Ab/cD3fG4hI5jK6lM7";

fn leaks(text: &str) -> Option<String> {
    let k = ECHO_KEY.as_bytes();
    for w in 8..=k.len() {
        for start in 0..=k.len() - w {
            let frag = std::str::from_utf8(&k[start..start + w]).unwrap();
            if text.contains(frag) {
                return Some(frag.to_owned());
            }
        }
    }
    let escaped = ECHO_KEY.replace('/', "\\/");
    text.contains(&escaped).then_some(escaped)
}

#[tokio::test]
async fn an_upstream_echoing_the_key_never_hands_it_to_the_browser() {
    let (echo, _log) = upstream(|s: &Seen| {
        let q = s.uri.split_once('?').map(|(_, q)| q).unwrap_or("");
        let p = php_parse(q);
        let php_escaped = ECHO_KEY.replace('/', "\\/");
        match p.get("action").and_then(Value::as_str) {
            Some("listProducts") => {
                let mut v = products_json(&format!("hi {ECHO_KEY} / cut {}", &ECHO_KEY[..12]));
                v["echo"] = json!({ ECHO_KEY: [ECHO_KEY, &ECHO_KEY[10..]] });
                axum::Json(v).into_response()
            }
            Some("checkTransaction") if p.get("refid").and_then(Value::as_str) == Some("GONE") => (
                axum::http::StatusCode::NOT_FOUND,
                [("content-type", "application/json")],
                format!("{{\"error\":\"no order, key {php_escaped}\"}}"),
            )
                .into_response(),
            Some("checkTransaction") => (
                axum::http::StatusCode::BAD_REQUEST,
                [("content-type", "application/json")],
                format!(
                    "{{\"error\":\"invalid key {php_escaped}\",\"debug\":\"{}\"}}",
                    &ECHO_KEY[5..]
                ),
            )
                .into_response(),
            _ => (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                [("content-type", "text/html")],
                format!(
                    "<html><body>Fatal error: key={ECHO_KEY} apikey={}</body></html>",
                    &ECHO_KEY[..9]
                ),
            )
                .into_response(),
        }
    })
    .await;
    let mut c = config(&echo);
    c.api_key = Some(ics_gateway::Secret(ECHO_KEY.into()));
    let gw = ics_gateway::serve(c).await.unwrap();
    let http = http();
    let list = send(http.get(format!("{}/gateway/?action=listProducts&type=all", gw.url()))).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(
        list.json()["title"].as_str().unwrap().starts_with("hi ***"),
        "{}",
        list.text
    );
    assert!(
        list.json()["echo"].is_object(),
        "unknown fields are kept: {}",
        list.text
    );
    let bad = send(
        http.get(format!("{}/gateway/?action=checkTransaction&refid=X1", gw.url()))
            .header("x-order-token", check_token("X1")),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    let gone = send(
        http.get(format!(
            "{}/gateway/?action=checkTransaction&refid=GONE",
            gw.url()
        ))
        .header("x-order-token", check_token("GONE")),
    )
    .await;
    assert_eq!(gone.status, 404, "{}", gone.text);
    let tok = token("XLA10", "081234561111", "ECHO-1", 20_000, 600);
    let html = send(
        http.post(format!("{}/gateway/?action=createTransaction", gw.url()))
            .header("content-type", "application/json")
            .header("x-order-token", tok)
            .body(
                json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "ECHO-1"})
                    .to_string(),
            ),
    )
    .await;
    assert_eq!(html.status, 502, "an HTML 500 keeps its class: {}", html.text);
    assert_eq!(html.code(), "upstream_error");
    let metrics = metrics(&http, &gw).await;
    for r in [&list, &bad, &gone, &html, &metrics] {
        assert_eq!(leaks(&r.text), None, "key leaked in {}", r.text);
        for (_, v) in r.headers.iter() {
            assert_eq!(leaks(v.to_str().unwrap_or("")), None);
        }
    }
    gw.shutdown().await;
}

#[tokio::test]
async fn redirecting_upstreams_are_not_followed_and_the_key_never_leaves() {
    let (target, target_log) = upstream(|_| axum::Json(json!({"success": true})).into_response()).await;
    for status in [301u16, 302, 307, 308] {
        let t = target.clone();
        let (redirector, log) = upstream(move |s: &Seen| {
            if s.uri.contains("action=listProducts") {
                return axum::Json(products_json("ok")).into_response();
            }
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [("location", format!("{t}{}", s.uri))],
            )
                .into_response()
        })
        .await;
        let gw = ics_gateway::serve(config(&redirector)).await.unwrap();
        let http = http();
        let r = send(
            http.get(format!("{}/gateway/?action=checkTransaction&refid=R1", gw.url()))
                .header("x-order-token", check_token("R1")),
        )
        .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (502, "upstream_redirect"),
            "{}",
            r.text
        );
        assert!(r.headers.get("location").is_none());
        let refid = format!("REDIR-{status}");
        let tok = token("XLA10", "081234561111", &refid, 20_000, 600);
        let r = send(
            http.post(format!("{}/gateway/?action=createTransaction", gw.url()))
                .header("content-type", "application/json")
                .header("x-order-token", tok)
                .body(
                    json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": refid})
                        .to_string(),
                ),
        )
        .await;
        assert_eq!(r.status, 502, "{}", r.text);
        let posts = log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.uri.contains("createTransaction"))
            .count();
        assert_eq!(posts, 1, "the order went out once, never re-posted");
        gw.shutdown().await;
    }
    assert!(
        target_log.lock().unwrap().is_empty(),
        "nothing reached the redirect target"
    );
}

#[tokio::test]
async fn https_upstream_with_a_test_ca() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let dir = std::env::temp_dir().join(format!("ics-gateway-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();

    let server_config = tokio_rustls::rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        tokio_rustls::rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone()],
        tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(server_config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen_key = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sk = seen_key.clone();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                break;
            };
            let acceptor = acceptor.clone();
            let sk = sk.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let svc = hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let sk = sk.clone();
                    async move {
                        if let Some(k) = req.headers().get("x-api-key") {
                            sk.lock().unwrap().push(k.to_str().unwrap().to_owned());
                        }
                        let body = products_json("over tls").to_string();
                        Ok::<_, std::convert::Infallible>(
                            hyper::Response::builder()
                                .header("content-type", "application/json")
                                .body(axum::body::Body::from(body))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), svc)
                    .await;
            });
        }
    });
    let upstream = format!("https://localhost:{port}");
    let mut c = config(&upstream);
    c.upstream_ca = Some(ca_file.clone());
    let gw = ics_gateway::serve(c).await.unwrap();
    let r = send(http().get(format!("{}/gateway/?action=listProducts&type=all", gw.url()))).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["title"], "over tls");
    assert_eq!(seen_key.lock().unwrap().as_slice(), [KEY]);
    gw.shutdown().await;
    // Without the CA the certificate is refused: no request is made.
    let gw = ics_gateway::serve(config(&upstream)).await.unwrap();
    let r = send(http().get(format!("{}/gateway/?action=listProducts&type=all", gw.url()))).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (502, "upstream_unreachable"),
        "{}",
        r.text
    );
    assert_eq!(seen_key.lock().unwrap().len(), 1);
    gw.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Signs the test operator in; the session cookie.
async fn sign_in(http: &reqwest::Client, base: &str) -> String {
    let r = send(
        http.post(format!("{base}/gateway/auth/login"))
            .header("content-type", "application/json")
            .body(json!({"username": OPERATOR, "password": PASSWORD}).to_string()),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    let c = r.headers["set-cookie"].to_str().unwrap();
    c.split(';').next().unwrap().to_owned()
}

/// An upstream that echoes the key in a createTransaction *success* message: the message is
/// journalled without the key, and neither the JSON view nor the CSV export shows it; a
/// message shaped as a spreadsheet formula comes out of the CSV defused (`'=...`).
#[tokio::test]
async fn an_echoed_key_never_reaches_the_journal_or_the_csv_export() {
    let (echo, _log) = upstream(|s: &Seen| {
        let q = s.uri.split_once('?').map(|(_, q)| q).unwrap_or("");
        match php_parse(q).get("action").and_then(Value::as_str) {
            Some("listProducts") => axum::Json(products_json("ok")).into_response(),
            Some("createTransaction") => {
                let (refid, message) = if s.body.contains("CSV-FORMULA") {
                    (
                        "CSV-FORMULA",
                        "=HYPERLINK(\"http://evil.example\",\"x\")".to_owned(),
                    )
                } else {
                    ("CSV-ECHO", format!("ok; served for key {ECHO_KEY}"))
                };
                axum::Json(json!({"success": true, "pending": false, "message": message,
                    "refid": refid, "supplier_trxid": format!("T-{ECHO_KEY}"),
                    "saldo_awal": 100_000, "saldo_akhir": 80_000}))
                .into_response()
            }
            _ => (axum::http::StatusCode::NOT_FOUND, "no").into_response(),
        }
    })
    .await;
    let mut c = config(&echo);
    c.api_key = Some(ics_gateway::Secret(ECHO_KEY.into()));
    let gw = ics_gateway::serve(c).await.unwrap();
    let http = http();
    for refid in ["CSV-ECHO", "CSV-FORMULA"] {
        let tok = token("XLA10", "081234561111", refid, 20_000, 600);
        let r = send(
            http.post(format!("{}/gateway/?action=createTransaction", gw.url()))
                .header("content-type", "application/json")
                .header("x-order-token", tok)
                .body(
                    json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": refid})
                        .to_string(),
                ),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(leaks(&r.text), None, "{}", r.text);
    }
    let stored = gw.app().journal.order("CSV-ECHO").await.unwrap().unwrap();
    let message = stored.message.clone().unwrap_or_default();
    assert_eq!(message, "ok; served for key ***");
    assert_eq!(leaks(&format!("{stored:?}")), None, "journalled: {stored:?}");
    // The order.final events for the shop (message and supplier_trxid included) carry the
    // journalled, scrubbed texts, never the key.
    let events = gw.app().journal.events().await.unwrap();
    let echo = events
        .iter()
        .find(|e| e.refid == "CSV-ECHO")
        .expect("CSV-ECHO's event");
    let body: Value = serde_json::from_str(&echo.body).unwrap();
    assert_eq!(body["message"], "ok; served for key ***", "{}", echo.body);
    for e in &events {
        assert_eq!(leaks(&e.body), None, "key leaked in the event {}", e.body);
    }
    let cookie = sign_in(&http, gw.url()).await;
    let view = send(
        http.get(format!("{}/gateway/backoffice/orders", gw.url()))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(view.status, 200, "{}", view.text);
    let csv = send(
        http.get(format!("{}/gateway/backoffice/orders.csv", gw.url()))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(csv.status, 200, "{}", csv.text);
    for r in [&view, &csv] {
        assert_eq!(leaks(&r.text), None, "key leaked in {}", r.text);
    }
    assert!(csv.text.contains("ok; served for key ***"), "{}", csv.text);
    assert!(
        csv.text
            .contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\""),
        "{}",
        csv.text
    );
    assert!(!csv.text.contains(",=HYPERLINK") && !csv.text.contains(",\"=HYPERLINK"));
    gw.shutdown().await;
}

/// Reads `conn` until the gateway closes it; what it sent. Bounded by a generous guard so
/// a gateway that never closes fails the test instead of hanging it.
async fn read_until_closed(conn: &mut tokio::net::TcpStream) -> Result<String, &'static str> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match conn.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), read)
        .await
        .map_err(|_| "still open after 60 s")?;
    Ok(String::from_utf8_lossy(&got).into_owned())
}

/// Slowloris: a client that never finishes its request headers (one that goes quiet, one
/// that trickles a header line at a time) is disconnected by the gateway, and so is an idle
/// keep-alive connection; one that stalls its body gets 408 `body_timeout`; the server
/// keeps answering others meanwhile.
#[tokio::test]
async fn slow_clients_are_disconnected_by_the_header_and_body_timeouts() {
    use tokio::io::AsyncWriteExt;
    let e = env_with(|c| {
        c.limits.header_read_timeout_ms = 300;
        c.limits.body_read_timeout_ms = 300;
    })
    .await;
    let addr = e.gw.addr();
    // Goes quiet mid-headers.
    let mut quiet = tokio::net::TcpStream::connect(addr).await.unwrap();
    quiet
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    // Trickles a header line every 100 ms for up to a minute.
    let mut trickle = tokio::net::TcpStream::connect(addr).await.unwrap();
    trickle.write_all(b"GET /healthz HTTP/1.1\r\n").await.unwrap();
    let (mut rd, mut wr) = trickle.into_split();
    let writer = tokio::spawn(async move {
        for i in 0..600 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if wr
                .write_all(format!("X-Slow-{i}: y\r\n").as_bytes())
                .await
                .is_err()
            {
                return true;
            }
        }
        false
    });
    assert_eq!(e.get("/healthz").await.status, 200, "others are served meanwhile");
    let quiet_got = read_until_closed(&mut quiet).await;
    assert!(
        quiet_got.is_ok(),
        "a connection that never finishes its headers is closed"
    );
    assert!(!quiet_got.unwrap().contains("200 OK"));
    let trickled = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 1024];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(
        trickled.is_ok(),
        "a trickling client is closed within the header timeout"
    );
    writer.abort();
    // An idle keep-alive connection is closed after its answer, too.
    let mut idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let got = read_until_closed(&mut idle).await.expect("closed when idle");
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    // A body that stalls.
    let mut slow_body = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow_body
        .write_all(
            b"POST /gateway/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"username\":",
        )
        .await
        .unwrap();
    let got = read_until_closed(&mut slow_body).await.expect("answered");
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("body_timeout"), "{got}");
    e.stop().await;
}

/// At most `max_connections` are open at once: with two held open, a third connection is
/// not served until one of them closes, then it is.
#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    use tokio::io::AsyncWriteExt;
    let e = env_with(|c| {
        c.limits.max_connections = 2;
        c.limits.header_read_timeout_ms = 60_000;
    })
    .await;
    let addr = e.gw.addr();
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
        // A complete request keeps the connection alive afterwards (keep-alive).
        c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        use tokio::io::AsyncReadExt;
        let n = c.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        held.push(c);
    }
    let third = tokio::spawn({
        let url = e.url("/healthz");
        let http = http();
        async move { send(http.get(url)).await.status }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !third.is_finished(),
        "a third connection is not served while two are open"
    );
    drop(held.pop());
    assert_eq!(third.await.unwrap(), 200, "served once a slot frees");
    drop(held);
    e.stop().await;
}
