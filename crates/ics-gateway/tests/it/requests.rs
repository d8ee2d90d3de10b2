//! JSON-only writes, cross-site refusals, CORS, health, metrics and static files.

use crate::util::*;
use serde_json::json;

#[tokio::test]
async fn only_json_posts_and_no_cross_site_writes() {
    let e = env_with(|c| c.allow_origins = vec!["https://shop.example".into()]).await;
    let before = e.balance().await;
    let body = json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "X-1"}).to_string();
    let tok = token("XLA10", "081234561111", "X-1", 20_000, 600);
    for ct in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        None,
    ] {
        for path in [
            "/gateway/?action=createTransaction",
            "/gateway/auth/login",
            "/gateway/?action=checkTransaction",
        ] {
            let mut rb = e
                .http
                .post(e.url(path))
                .header("x-order-token", &tok)
                .body(body.clone());
            if let Some(ct) = ct {
                rb = rb.header("content-type", ct);
            }
            let r = send(rb).await;
            assert_eq!(
                (r.status, r.code().as_str()),
                (415, "json_only"),
                "{ct:?} {path}: {}",
                r.text
            );
        }
    }
    let cross = [
        vec![("origin", "https://evil.example")],
        vec![("origin", "null")],
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site"), ("origin", "http://127.0.0.1:1")],
    ];
    for h in &cross {
        let mut hs = h.clone();
        hs.push(("x-order-token", &tok));
        let r = e
            .post_json(
                "/gateway/?action=createTransaction",
                &json!({"kode_produk": "XLA10", "nomor_tujuan": "081234561111", "refid": "X-1"}),
                &hs,
            )
            .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (403, "cross_site"),
            "{h:?}: {}",
            r.text
        );
        let r = e
            .post_json(
                "/gateway/auth/login",
                &json!({"username": OPERATOR, "password": PASSWORD}),
                h,
            )
            .await;
        assert_eq!(r.status, 403, "{h:?}");
    }
    assert_eq!(e.balance().await, before, "no order from any of those");
    // Same origin and the allowed origin pass; CORS names only the allowed origin.
    let same = format!("http://{}", e.gw.addr());
    let none = check_token("NONE");
    let r = e
        .post_json(
            "/gateway/?action=checkTransaction",
            &json!({"refid": "NONE"}),
            &[
                ("origin", &same),
                ("sec-fetch-site", "same-origin"),
                ("x-order-token", &none),
            ],
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = e
        .post_json(
            "/gateway/?action=checkTransaction",
            &json!({"refid": "NONE"}),
            &[
                ("origin", "https://shop.example"),
                ("sec-fetch-site", "cross-site"),
                ("x-order-token", &none),
            ],
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.text);
    assert_eq!(r.headers["access-control-allow-origin"], "https://shop.example");
    let r = send(
        e.http
            .get(e.url("/gateway/?action=listProducts&type=xla"))
            .header("origin", "https://evil.example"),
    )
    .await;
    assert!(r.headers.get("access-control-allow-origin").is_none());
    // Body size limit.
    let big = json!({"refid": "x".repeat(100_000)});
    let r = e.post_json("/gateway/?action=checkTransaction", &big, &[]).await;
    assert_eq!(r.status, 413);
    e.stop().await;
}

#[tokio::test]
async fn reads_pass_through_typed_and_health_and_metrics_answer() {
    let e = env().await;
    let r = e
        .get("/gateway/?action=listProducts&type=xla&providers=KUBER")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let v = r.json();
    assert!(v["data"]["ready"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["provider"] == "KUBER"));
    let r = e.check("NOPE", Some(&check_token("NOPE"))).await;
    assert_eq!(r.status, 404);
    let r = e.get("/gateway/?action=checkTransaction&refid=bad%20refid").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_input"),
        "{}",
        r.text
    );
    let r = e
        .get("/gateway/?action=createTransaction&kode_produk=XLA10")
        .await;
    assert_eq!(r.status, 405);
    // Upstream faults keep their class: 502 HTML page, 429 with Retry-After.
    e.arm(json!({"mode": "http502", "action": "listProducts"})).await;
    let r = e.get("/gateway/?action=listProducts&type=xla").await;
    assert_eq!((r.status, r.code().as_str()), (502, "upstream_error"));
    assert!(!r.text.contains("<html"));
    e.arm(json!({"mode": "http429", "action": "listProducts", "retry_after_s": 7}))
        .await;
    let r = e.get("/gateway/?action=listProducts&type=xla").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["retry-after"], "7");
    e.arm(json!({"mode": "malformed_json", "action": "listProducts"}))
        .await;
    let r = e.get("/gateway/?action=listProducts&type=xla").await;
    assert_eq!((r.status, r.code().as_str()), (502, "upstream_bad_answer"));
    assert_eq!(e.get("/healthz").await.status, 200);
    let m = e.metrics().await.text;
    for needle in [
        "ics_gateway_requests_total{route=\"public\",action=\"listProducts\",outcome=\"ok\"}",
        "ics_gateway_upstream_seconds_count{action=\"listProducts\"}",
        "outcome=\"upstream_error\"",
    ] {
        assert!(m.contains(needle), "{needle} missing:\n{m}");
    }
    assert!(!m.contains(KEY));
    e.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn static_files_never_escape_their_folder() {
    let dir = std::env::temp_dir().join(format!("ics-gateway-static-{}", std::process::id()));
    let site = dir.join("site");
    std::fs::create_dir_all(site.join("sub")).unwrap();
    std::fs::write(site.join("index.html"), "<h1>shop</h1>").unwrap();
    std::fs::write(site.join("app.js"), "console.log('x');".repeat(200)).unwrap();
    std::fs::write(dir.join("secret.txt"), "outside").unwrap();
    std::os::unix::fs::symlink(dir.join("secret.txt"), site.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(&dir, site.join("up")).unwrap();
    // What the file service opens beside the requested path: precompressed siblings and a
    // folder's index.html, each a symlink out of the folder.
    std::fs::write(site.join("page.html"), "inside page").unwrap();
    std::os::unix::fs::symlink(dir.join("secret.txt"), site.join("page.html.gz")).unwrap();
    std::fs::write(site.join("style.css"), "inside style").unwrap();
    std::os::unix::fs::symlink(dir.join("secret.txt"), site.join("style.css.br")).unwrap();
    std::fs::create_dir_all(site.join("folder")).unwrap();
    std::os::unix::fs::symlink(dir.join("secret.txt"), site.join("folder/index.html")).unwrap();
    // Dotfiles and dot-folders inside the folder.
    std::fs::write(site.join(".env"), "API_KEY=outside").unwrap();
    std::fs::create_dir_all(site.join(".git")).unwrap();
    std::fs::write(site.join(".git/config"), "[remote] outside").unwrap();
    std::fs::write(site.join("sub/.htpasswd"), "outside").unwrap();
    let s = site.clone();
    let e = env_with(move |c| {
        c.static_dir = Some(s.clone());
        c.pkg = Some(s);
    })
    .await;
    let r = e.get("/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, "<h1>shop</h1>");
    assert!(r.headers.contains_key("cache-control"));
    let r = send(e.http.get(e.url("/app.js")).header("accept-encoding", "gzip")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-encoding"], "gzip");
    assert_eq!(e.get("/pkg/app.js").await.status, 200);
    for p in [
        "/leak.txt",
        "/up/secret.txt",
        "/pkg/leak.txt",
        "/pkg/up/secret.txt",
        "/%2e%2e/secret.txt",
        "//evil.example/sub",
        "/folder/",
        "/folder",
        "/pkg/folder/",
        "/.env",
        "/%2eenv",
        "/.git/config",
        "/%2egit/config",
        "/%2Egit/config",
        "/pkg/.git/config",
        "/sub/.htpasswd",
        "/sub/%2ehtpasswd",
    ] {
        let r = e.get(p).await;
        assert_ne!(r.status, 200, "{p}");
        assert!(!r.text.contains("outside"), "{p}");
        if let Some(loc) = r.headers.get("location") {
            assert!(!loc.to_str().unwrap().starts_with("//"), "{p}: {loc:?}");
        }
    }
    for (p, encoding) in [
        ("/page.html", "gzip"),
        ("/pkg/page.html", "gzip"),
        ("/style.css", "br"),
    ] {
        let r = send(e.http.get(e.url(p)).header("accept-encoding", encoding)).await;
        assert_ne!(r.status, 200, "{p} ({encoding})");
        assert!(!r.text.contains("outside"), "{p} ({encoding})");
    }
    e.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Static files over real HTTP: a content-hashed name (`app.3f9a1c2e.js`) is cached a year
/// as immutable; every other file, in `--static` and in `--pkg` (the package's names carry
/// no hash: bundlers and Node find `wasm/ics_reseller_bg.wasm` by that name), is `no-cache`
/// and revalidated by `Last-Modified` (a 304 when unchanged). A miss is never immutable.
#[tokio::test]
async fn hashed_static_names_are_immutable_and_the_rest_revalidated() {
    let dir = std::env::temp_dir().join(format!("ics-gateway-cache-{}", std::process::id()));
    let site = dir.join("site");
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(site.join("assets")).unwrap();
    std::fs::create_dir_all(pkg.join("wasm")).unwrap();
    std::fs::write(site.join("index.html"), "<h1>shop</h1>").unwrap();
    std::fs::write(site.join("app.js"), "console.log('app');").unwrap();
    std::fs::write(site.join("assets/app.3f9a1c2e.js"), "console.log('hashed');").unwrap();
    std::fs::write(site.join("assets/deadline.js"), "console.log('not a hash');").unwrap();
    std::fs::write(pkg.join("index.js"), "export {};").unwrap();
    std::fs::write(pkg.join("wasm/ics_reseller_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let (s, p) = (site.clone(), pkg.clone());
    let e = env_with(move |c| {
        c.static_dir = Some(s);
        c.pkg = Some(p);
    })
    .await;
    const IMMUTABLE: &str = "public, max-age=31536000, immutable";
    let r = e.get("/assets/app.3f9a1c2e.js").await;
    assert_eq!((r.status, r.text.as_str()), (200, "console.log('hashed');"));
    assert_eq!(r.headers["cache-control"], IMMUTABLE);
    for path in [
        "/",
        "/app.js",
        "/assets/deadline.js",
        "/pkg/index.js",
        "/pkg/wasm/ics_reseller_bg.wasm",
    ] {
        let r = e.get(path).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.headers["cache-control"], "no-cache", "{path}");
        let modified = r.headers["last-modified"].to_str().unwrap().to_owned();
        let again = send(e.http.get(e.url(path)).header("if-modified-since", &modified)).await;
        assert_eq!(again.status, 304, "{path}: revalidation");
        assert!(again.text.is_empty(), "{path}");
        // No framing by another site, no sniffing, the origin only as referrer elsewhere.
        for (name, value) in [
            ("content-security-policy", "frame-ancestors 'self'"),
            ("x-frame-options", "SAMEORIGIN"),
            ("x-content-type-options", "nosniff"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
        ] {
            assert_eq!(
                r.headers.get(name).map(|v| v.to_str().unwrap()),
                Some(value),
                "{path}: {name}"
            );
        }
    }
    let r = e.get("/assets/gone.3f9a1c2e.js").await;
    assert_eq!(r.status, 404);
    assert_ne!(
        r.headers.get("cache-control").map(|v| v.to_str().unwrap()),
        Some(IMMUTABLE)
    );
    e.stop().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Sends `n` listProducts with this `X-Forwarded-For` (one header per item); how many
/// were refused `429 rate_limited`.
async fn limited(e: &Env, xffs: &[Vec<String>]) -> usize {
    let mut refused = 0;
    for xff in xffs {
        let mut rb = e.http.get(e.url("/gateway/?action=listProducts&type=all"));
        for h in xff {
            rb = rb.header("x-forwarded-for", h);
        }
        let r = send(rb).await;
        match r.status {
            200 => {}
            429 => {
                assert_eq!(r.code(), "rate_limited", "{}", r.text);
                refused += 1;
            }
            s => panic!("{s}: {}", r.text),
        }
    }
    refused
}

/// Behind a proxy (`trust_proxy`), the per-IP limit and the sign-in throttle cannot be
/// sidestepped: IPv6 clients are limited by their /64; the client IP is the *last*
/// `X-Forwarded-For` entry (`ip:port` and `[v6]:port` read as their address), and when
/// that entry is not an address the peer is used — never an earlier, client-written entry.
/// Each series sends 8 requests against a 2-request burst refilled once a second, so a
/// shared bucket refuses some; separate /64s are not limited together.
#[tokio::test]
async fn per_ip_limits_hold_across_ipv6_64s_and_forwarded_for_tricks() {
    let e = env_with(|c| {
        c.trust_proxy = true;
        c.limits.per_ip_per_second = 1;
        c.limits.per_ip_burst = 2;
        c.limits.login_per_ip_per_minute = 2;
    })
    .await;
    let one = |v: String| vec![v];
    // Rotating addresses inside one /64.
    let v6: Vec<Vec<String>> = (1..=8).map(|i| one(format!("2001:db8:5:6::{i:x}"))).collect();
    assert!(limited(&e, &v6).await > 0, "addresses of one /64 share a bucket");
    // Another /64 has its own bucket (its first two pass).
    let other: Vec<Vec<String>> = (1..=2).map(|i| one(format!("2001:db8:5:7::{i:x}"))).collect();
    assert_eq!(limited(&e, &other).await, 0, "another /64 is limited on its own");
    // The proxy's `ip:port` entry is the client; the client-written first entry is not.
    let ported: Vec<Vec<String>> = (1..=8)
        .map(|i| one(format!("10.9.0.{i}, 198.51.100.7:{}", 4000 + i)))
        .collect();
    assert!(limited(&e, &ported).await > 0, "ip:port is read, not skipped");
    let v6ported: Vec<Vec<String>> = (1..=8)
        .map(|i| one(format!("10.8.0.{i}, [2001:db8:9::{i:x}]:{}", 5000 + i)))
        .collect();
    assert!(limited(&e, &v6ported).await > 0, "[v6]:port is read, not skipped");
    // An unreadable last entry (also in a second header line) falls back to the peer.
    let junk: Vec<Vec<String>> = (1..=8)
        .map(|i| {
            if i % 2 == 0 {
                one(format!("10.7.0.{i}, unknown"))
            } else {
                vec![format!("10.6.0.{i}"), "junk".to_owned()]
            }
        })
        .collect();
    assert!(
        limited(&e, &junk).await > 0,
        "junk never promotes an earlier entry"
    );
    // Sign-in: rotating IPv6 addresses of one /64 share the per-IP throttle.
    let mut throttled = 0;
    for i in 1..=6 {
        let r = e
            .post_json(
                "/gateway/auth/login",
                &serde_json::json!({"username": format!("u{i}"), "password": "x"}),
                &[("x-forwarded-for", &format!("2001:db8:77:1::{i:x}"))],
            )
            .await;
        match (r.status, r.code().as_str()) {
            (429, "login_throttled") => throttled += 1,
            (401, "bad_credentials") => {}
            other => panic!("{other:?}: {}", r.text),
        }
    }
    assert!(throttled > 0, "sign-ins from one /64 are throttled together");
    e.stop().await;
}
