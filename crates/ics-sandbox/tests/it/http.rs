//! HTTP-level behaviour: CORS (preflight included) on the API, the gateway and
//! `/__sandbox`; static files; `Connection: close` while faults are enabled.

use crate::util::*;
use reqwest::Method;
use std::path::PathBuf;

async fn preflight(sb: &Sb, path: &str, origin: &str, method: &str) -> reqwest::Response {
    sb.http
        .request(Method::OPTIONS, format!("{}{path}", sb.url))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", "x-api-key,content-type")
        .send()
        .await
        .unwrap()
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    r.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn cors_any_origin_by_default() {
    let sb = start().await;
    for (path, method) in [
        ("/?action=createTransaction", "POST"),
        ("/?action=getBalance", "GET"),
        ("/__sandbox/faults", "DELETE"),
    ] {
        let r = preflight(&sb, path, "http://localhost:5173", method).await;
        assert!(r.status().is_success(), "{path}: {}", r.status());
        assert_eq!(header(&r, "access-control-allow-origin"), Some("*"), "{path}");
        let allowed = header(&r, "access-control-allow-headers")
            .unwrap()
            .to_ascii_lowercase();
        assert!(
            allowed.contains("x-api-key") && allowed.contains("content-type"),
            "{allowed}"
        );
        let methods = header(&r, "access-control-allow-methods").unwrap();
        assert!(methods.contains(method), "{methods}");
    }
    // Preflights never reach the API (no fault is used up, no 401).
    let r = sb
        .http
        .get(format!("{}/?action=ping", sb.url))
        .header("Origin", "http://elsewhere.test")
        .header("X-API-Key", VERIFIED)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    sb.stop().await;
}

#[tokio::test]
async fn cors_configured_origins_only() {
    let sb = start_with(|c| c.cors_origins = vec!["http://a.test".into(), "http://b.test:8000".into()]).await;
    let r = preflight(&sb, "/?action=ping", "http://b.test:8000", "GET").await;
    assert_eq!(
        header(&r, "access-control-allow-origin"),
        Some("http://b.test:8000")
    );
    let r = preflight(&sb, "/?action=ping", "http://evil.test", "GET").await;
    assert_eq!(header(&r, "access-control-allow-origin"), None);
    sb.stop().await;
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ics-sandbox-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test]
async fn static_files_www_and_pkg() {
    let www = temp_dir("www");
    std::fs::write(www.join("index.html"), "<!doctype html><title>demo</title>").unwrap();
    std::fs::write(www.join("app.js"), "export const x = 1;").unwrap();
    let pkg = temp_dir("pkg");
    std::fs::write(pkg.join("ics_reseller_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("ics_reseller.js"), "export default 1;").unwrap();
    let (w, p) = (www.clone(), pkg.clone());
    let sb = start_with(move |c| {
        c.www = Some(w);
        c.pkg = Some(p);
    })
    .await;
    let get = |path: &str| sb.http.get(format!("{}{path}", sb.url)).send();
    let r = get("/").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").unwrap().starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("<title>demo</title>"));
    let r = get("/app.js").await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").unwrap().contains("javascript"));
    let r = get("/pkg/ics_reseller_bg.wasm").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), Some("application/wasm"));
    assert_eq!(get("/pkg/ics_reseller.js").await.unwrap().status(), 200);
    assert_eq!(get("/nope.txt").await.unwrap().status(), 404);
    // `?action=` on `/` is still the API.
    let r = get("/?action=ping").await.unwrap();
    assert_eq!(r.status(), 401);
    sb.stop().await;
    let _ = std::fs::remove_dir_all(www);
    let _ = std::fs::remove_dir_all(pkg);
}

#[tokio::test]
async fn without_www_root_is_the_api() {
    let sb = start().await;
    let r = sb.http.get(format!("{}/", sb.url)).send().await.unwrap();
    assert_eq!(r.status(), 400, "no action");
    let r = sb
        .http
        .get(format!("{}/index.html", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    sb.stop().await;
}

#[tokio::test]
async fn connection_close_only_while_faults_are_enabled() {
    let sb = start().await;
    let r = sb
        .http
        .get(format!("{}/?action=ping", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "connection"), Some("close"));
    sb.stop().await;
    let sb = start_with(|c| c.faults = false).await;
    let r = sb
        .http
        .get(format!("{}/?action=ping", sb.url))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "connection"), None);
    sb.stop().await;
}
