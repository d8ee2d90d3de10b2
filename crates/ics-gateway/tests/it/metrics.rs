//! `/metrics` lives on its own listener (`metrics_listen`), never on the public one.

use crate::util::*;

/// The public listener answers 404 for `/metrics` (whatever the method, and even when the
/// static folder holds a file of that name); the metrics listener serves it, and nothing
/// else.
#[tokio::test]
async fn metrics_are_served_on_their_own_listener_and_never_on_the_public_one() {
    let dir = std::env::temp_dir().join(format!("ics-gateway-metrics-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("metrics"), "a file named metrics\n").unwrap();
    std::fs::write(dir.join("index.html"), "<p>shop</p>\n").unwrap();
    let e = env_with(|c| c.static_dir = Some(dir.clone())).await;
    assert_eq!(e.get("/gateway/?action=listProducts&type=xla").await.status, 200);
    let r = e.get("/metrics").await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"), "{}", r.text);
    for path in ["/metrics/", "/metrics?x=1", "/METRICS"] {
        let r = e.get(path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert!(!r.text.contains("ics_gateway_"), "{path}: {}", r.text);
    }
    let r = send(e.http.post(e.url("/metrics")).body("")).await;
    assert_eq!(r.status, 404, "{}", r.text);
    // The static folder still serves its other files.
    assert_eq!(e.get("/").await.status, 200);
    // The metrics listener: another port, the metrics, counting the public requests.
    let url = e.gw.metrics_url().unwrap().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/metrics"),
        "{url}"
    );
    assert!(!url.starts_with(&format!("{}/", e.gw.url())), "{url}");
    let m = e.metrics().await;
    assert!(
        m.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
        "{:?}",
        m.headers
    );
    let needle = "ics_gateway_requests_total{route=\"public\",action=\"listProducts\",outcome=\"ok\"} 1";
    assert!(m.text.contains(needle), "{needle} missing:\n{}", m.text);
    // Nothing but /metrics there: not the gateway, not the health check, not the files.
    let base = url.trim_end_matches("/metrics");
    for path in [
        "/",
        "/healthz",
        "/gateway/?action=ping",
        "/index.html",
        "/metricsx",
    ] {
        let r = send(e.http.get(format!("{base}{path}"))).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
    }
    e.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without `metrics_listen` (the default) no metrics are served at all.
#[tokio::test]
async fn without_metrics_listen_no_metrics_are_served() {
    assert_eq!(ics_gateway::Config::default().metrics_listen, None);
    let e = env_with(|c| c.metrics_listen = None).await;
    assert_eq!(e.gw.metrics_url(), None);
    assert_eq!(e.get("/gateway/?action=listProducts&type=xla").await.status, 200);
    let r = e.get("/metrics").await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"), "{}", r.text);
    e.stop().await;
}
