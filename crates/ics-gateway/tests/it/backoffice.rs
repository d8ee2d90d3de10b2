//! The back-office: anonymous refused, sign-in/out, the cookie, throttling.

use crate::util::*;
use serde_json::json;

const ACTIONS: [&str; 5] = [
    "getBalance",
    "getProfile",
    "getHistory",
    "getStatistik",
    "checkTransaction&refid=X",
];

#[tokio::test]
async fn anonymous_back_office_is_refused_and_sign_in_opens_it() {
    let e = env().await;
    for a in ACTIONS {
        let r = e.get(&format!("/gateway/backoffice/?action={a}")).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (401, "not_signed_in"),
            "{a}: {}",
            r.text
        );
    }
    let r = e
        .post_json(
            "/gateway/backoffice/?action=resubmitWebhook",
            &json!({"refid": "X"}),
            &[],
        )
        .await;
    assert_eq!(r.status, 401);
    // A forged cookie is no session.
    let forged = format!("ics_session={}", "ab".repeat(32));
    let r = send(
        e.http
            .get(e.url("/gateway/backoffice/?action=getBalance"))
            .header("cookie", &forged),
    )
    .await;
    assert_eq!(r.status, 401);
    assert_eq!(e.get("/gateway/auth/session").await.status, 401);
    // Wrong password, unknown user.
    for (u, p) in [(OPERATOR, "wrong"), ("nobody", PASSWORD)] {
        let r = e.login(u, p, &[]).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (401, "bad_credentials"),
            "{}",
            r.text
        );
        assert!(r.headers.get("set-cookie").is_none());
    }
    // Signed in.
    let r = e.login(OPERATOR, PASSWORD, &[]).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let set = r.headers["set-cookie"].to_str().unwrap().to_owned();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/gateway"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(
        !set.contains("Secure"),
        "plain HTTP without --secure-cookies: {set}"
    );
    let cookie = set.split(';').next().unwrap().to_owned();
    let s = send(
        e.http
            .get(e.url("/gateway/auth/session"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(s.json(), json!({"username": OPERATOR}));
    for a in ACTIONS {
        let r = send(
            e.http
                .get(e.url(&format!("/gateway/backoffice/?action={a}")))
                .header("cookie", &cookie),
        )
        .await;
        let want = if a.starts_with("checkTransaction") {
            404
        } else {
            200
        };
        assert_eq!(r.status, want, "{a}: {}", r.text);
        assert!(!r.text.contains(KEY));
    }
    // The back-office allow-list still applies, and the public route is not widened.
    let r = send(
        e.http
            .get(e.url("/gateway/backoffice/?action=ping"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.status, 403);
    let r = send(
        e.http
            .get(e.url("/gateway/?action=getBalance"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.status, 403);
    // Sign-out ends the session for good.
    let r = send(
        e.http
            .post(e.url("/gateway/auth/logout"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.status, 204);
    assert!(r.headers["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    let r = send(
        e.http
            .get(e.url("/gateway/backoffice/?action=getBalance"))
            .header("cookie", &cookie),
    )
    .await;
    assert_eq!(r.status, 401);
    e.stop().await;
}

#[tokio::test]
async fn sign_in_is_throttled_per_username_and_cookies_are_secure_over_https() {
    let e = env_with(|c| {
        c.trust_proxy = true;
        c.limits.login_per_user_per_minute = 3;
        c.limits.login_per_ip_per_minute = 100;
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..5 {
        // Different client IPs (through the trusted proxy): the username limit still holds.
        let ip = format!("10.0.0.{i}");
        let r = e.login(OPERATOR, "guess", &[("x-forwarded-for", &ip)]).await;
        statuses.push((r.status, r.headers.contains_key("retry-after")));
    }
    assert_eq!(
        statuses,
        [(401, false), (401, false), (401, false), (429, true), (429, true)]
    );
    // Even the right password waits out the throttle.
    let r = e.login(OPERATOR, PASSWORD, &[]).await;
    assert_eq!(r.status, 429);
    e.stop().await;
    let e = env_with(|c| {
        c.trust_proxy = true;
        c.limits.login_per_ip_per_minute = 2;
    })
    .await;
    let mut statuses = Vec::new();
    for u in ["a", "b", "c"] {
        let r = e.login(u, "x", &[("x-forwarded-for", "10.9.9.9")]).await;
        statuses.push(r.status);
    }
    assert_eq!(statuses, [401, 401, 429], "per-IP throttle");
    let r = e
        .login(
            OPERATOR,
            PASSWORD,
            &[("x-forwarded-proto", "https"), ("x-forwarded-for", "10.1.1.1")],
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert!(r.headers["set-cookie"].to_str().unwrap().ends_with("; Secure"));
    e.stop().await;
}

/// Sign-in is bounded in memory: with two verification slots, 24 sign-ins at once (right
/// and wrong passwords) get some `503 login_busy` + `Retry-After: 1` at once, the rest
/// their normal answer, and never more than two verifications run together.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ins_are_bounded_and_the_overflow_answered_503() {
    let e = env_with(|c| {
        c.limits.login_concurrency = 2;
        c.limits.login_per_ip_per_minute = 10_000;
        c.limits.login_per_user_per_minute = 10_000;
    })
    .await;
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..24 {
        let pw = if i % 2 == 0 { PASSWORD } else { "wrong" };
        let rb = login_request(&e.http, e.gw.url(), OPERATOR, pw);
        calls.spawn(send(rb));
    }
    let answers = calls.join_all().await;
    let mut busy = 0;
    for r in &answers {
        match r.status {
            503 => {
                busy += 1;
                assert_eq!(r.code(), "login_busy", "{}", r.text);
                assert_eq!(r.headers["retry-after"], "1");
            }
            204 | 401 => {}
            s => panic!("unexpected {s}: {}", r.text),
        }
    }
    assert!(busy > 0, "24 sign-ins at once over 2 slots: some are turned away");
    assert!(busy < 24, "the slots serve some");
    let peak = e.gw.app().login_peak();
    assert!((1..=2).contains(&peak), "verifications at once: {peak}");
    let buffers = e.gw.app().auth.memory_buffers();
    assert!((1..=2).contains(&buffers), "19 MiB buffers kept: {buffers}");
    // Slots free again afterwards.
    let r = e.login(OPERATOR, PASSWORD, &[]).await;
    assert_eq!(r.status, 204, "{}", r.text);
    e.stop().await;
}
