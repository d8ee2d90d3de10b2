//! The sandbox's own surfaces (issue 9): `/__sandbox/*` same-origin only, the request log
//! redacting a key under any spelling of its name, static files contained.

use crate::util::*;

#[tokio::test]
async fn controls_answer_same_origin_only() {
    let sb = start_with(|c| c.cors_origins = vec!["http://page.test:9".into()]).await;
    let url = format!("{}/__sandbox/state?key={VERIFIED}", sb.url);
    let same = sb.url.clone();
    let cases: [(&[(&str, &str)], u16); 7] = [
        (&[], 200),
        (&[("origin", same.as_str())], 200),
        (&[("sec-fetch-site", "same-origin")], 200),
        (
            &[("origin", "http://page.test:9"), ("sec-fetch-site", "cross-site")],
            200,
        ),
        (&[("origin", "http://evil.test")], 403),
        (&[("origin", "null")], 403),
        (&[("sec-fetch-site", "cross-site")], 403),
    ];
    for (headers, want) in cases {
        for method in ["GET", "POST"] {
            let (u, m) = if method == "GET" {
                (url.clone(), reqwest::Method::GET)
            } else {
                (format!("{}/__sandbox/reset", sb.url), reqwest::Method::POST)
            };
            let mut rb = sb.http.request(m, u);
            for (k, v) in headers {
                rb = rb.header(*k, *v);
            }
            let status = rb.send().await.unwrap().status().as_u16();
            assert_eq!(status, want, "{method} {headers:?}");
        }
    }
    // A cross-site page cannot arm a fault either.
    let r = sb
        .http
        .post(format!("{}/__sandbox/faults", sb.url))
        .header("origin", "http://evil.test")
        .header("content-type", "text/plain")
        .body(r#"{"mode":"http500"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let (_, faults) = sb.get_json("/__sandbox/faults").await;
    assert_eq!(faults["faults"].as_array().unwrap().len(), 0);
    sb.stop().await;
}

#[tokio::test]
async fn the_request_log_redacts_the_key_under_any_name_spelling() {
    let sb = start().await;
    for name in [
        "apikey",
        "api%6Bey",
        "API%4BEY",
        "%20apikey",
        "+apikey",
        "apikey[]",
        "apikey%5B%5D",
        "api.key",
        "api_key",
        "apikey%00x",
        "%61%70%69%6B%65%79",
    ] {
        let _ = sb
            .http
            .get(format!("{}/?action=ping&{name}={VERIFIED}", sb.url))
            .send()
            .await
            .unwrap();
    }
    let (_, log) = sb.get_json("/__sandbox/requests").await;
    let text = log.to_string();
    assert_eq!(log["requests"].as_array().unwrap().len(), 11, "{text}");
    assert!(!text.contains(VERIFIED), "{text}");
    sb.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn static_files_are_contained() {
    let dir = std::env::temp_dir().join(format!("ics-sandbox-static-{}", std::process::id()));
    let www = dir.join("www");
    std::fs::create_dir_all(www.join("e2e")).unwrap();
    std::fs::create_dir_all(www.join("sub")).unwrap();
    std::fs::write(www.join("index.html"), "<h1>demo</h1>").unwrap();
    std::fs::write(www.join("sub/index.html"), "sub").unwrap();
    std::fs::write(www.join("e2e/storefront.test.mjs"), "test file").unwrap();
    std::fs::write(www.join("app.test.js"), "test file").unwrap();
    std::fs::write(www.join(".env"), "SECRET=1").unwrap();
    std::fs::write(dir.join("outside.txt"), "outside").unwrap();
    std::os::unix::fs::symlink(dir.join("outside.txt"), www.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&dir, www.join("up")).unwrap();
    let w = www.clone();
    let sb = start_with(move |c| {
        c.www = Some(w.clone());
        c.pkg = Some(w);
    })
    .await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |p: &str| http.get(format!("{}{p}", sb.url)).send();
    let r = get("/").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "<h1>demo</h1>");
    assert_eq!(get("/sub/").await.unwrap().status(), 200);
    assert_eq!(get("/pkg/sub/").await.unwrap().status(), 200);
    for p in [
        "/leak.txt",
        "/up/outside.txt",
        "/pkg/leak.txt",
        "/pkg/up/outside.txt",
        "/e2e/storefront.test.mjs",
        "/pkg/e2e/storefront.test.mjs",
        "/app.test.js",
        "/.env",
        "/%2e%2e/outside.txt",
        "//sub",
        "//evil.test/sub",
        "/pkg//sub",
        "/\\evil.test",
    ] {
        let r = get(p).await.unwrap();
        let status = r.status().as_u16();
        let loc = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let body = r.text().await.unwrap();
        assert_ne!(status, 200, "{p}");
        assert!(
            !body.contains("outside") && !body.contains("test file") && !body.contains("SECRET"),
            "{p}"
        );
        if let Some(loc) = loc {
            assert!(
                !loc.starts_with("//") && !loc.starts_with("/\\"),
                "{p}: Location {loc}"
            );
        }
    }
    // A directory without its slash still redirects, to a same-host path.
    let r = get("/sub").await.unwrap();
    if r.status().is_redirection() {
        assert_eq!(r.headers()["location"], "/sub/");
    }
    sb.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}
