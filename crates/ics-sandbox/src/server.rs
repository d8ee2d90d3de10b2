//! Routing, CORS, static files, and the accept loop.
//!
//! The accept loop is written out (rather than `axum::serve`) for two reasons: every
//! request carries its connection's [`Kill`] switch, so `drop_after_commit` can close the
//! TCP connection with no response at all; and while faults are enabled every response
//! says `Connection: close`, because browsers silently re-send a request (even a POST) that
//! failed on a *reused* keep-alive connection, which would turn a dropped connection into a
//! duplicate order. Paths are normalised first (`/ping/..` is `/`, RFC 3986), since the
//! OpenAPI document keys each action as `/NAME/..`.

use crate::api::{self, ApiCall, App, Kill};
use crate::control;
use axum::body::to_bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

/// Largest API request body.
pub const BODY_LIMIT: usize = 1 << 20;
/// How long shutdown waits for open connections before closing them.
pub const GRACE: Duration = Duration::from_secs(2);

/// The whole application as one router.
pub fn router(app: Arc<App>) -> Router {
    let mut r = Router::new()
        .route("/", any(root))
        .nest("/__sandbox", control::router(&app));
    if let Some(pkg) = &app.config.pkg {
        let pkg = pkg.clone();
        r = r.nest_service(
            "/pkg",
            tower::service_fn(move |req: Request| {
                let pkg = pkg.clone();
                async move { Ok::<_, std::convert::Infallible>(serve_static(&pkg, req).await) }
            }),
        );
    }
    r = match &app.config.www {
        Some(www) => {
            let www = www.clone();
            r.fallback(move |req: Request| {
                let www = www.clone();
                async move { serve_static(&www, req).await }
            })
        }
        None => r.fallback(|| async { api::error(404, "not found") }),
    };
    r.layer(cors(&app.config.cors_origins)).with_state(app)
}

/// Path segments never served from a static folder: test suites and tooling.
pub const HIDDEN_SEGMENTS: [&str; 4] = ["e2e", "tests", "test", "node_modules"];

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether `path` (a request path relative to `root`) may be served from `root`: not
/// protocol-relative (`//host`, which a directory redirect would turn into an open
/// redirect), no backslash, NUL or `..`, no dotfile, no test file or folder
/// ([`HIDDEN_SEGMENTS`], `*.test.*`, `*.spec.*`), and no symlink leading out of `root`.
pub fn static_path_ok(root: &std::path::Path, path: &str) -> bool {
    if path.starts_with("//") || path.contains('\\') {
        return false;
    }
    let Some(decoded) = percent_decode(path) else {
        return false;
    };
    if decoded.contains(['\\', '\0']) || decoded.starts_with("//") {
        return false;
    }
    let segments: Vec<&str> = decoded.split('/').filter(|s| !s.is_empty()).collect();
    for seg in &segments {
        if *seg == ".." || seg.starts_with('.') || HIDDEN_SEGMENTS.contains(seg) {
            return false;
        }
    }
    if let Some(last) = segments.last() {
        if last.contains(".test.") || last.contains(".spec.") {
            return false;
        }
    }
    let Ok(real_root) = root.canonicalize() else {
        return false;
    };
    let mut full = real_root.clone();
    for seg in &segments {
        full.push(seg);
    }
    match full.canonicalize() {
        Ok(real) => real.starts_with(&real_root),
        // Missing: the file service answers 404 itself.
        Err(_) => true,
    }
}

/// Serves `req` from the static folder `root`, after [`static_path_ok`].
pub async fn serve_static(root: &std::path::Path, req: Request) -> Response {
    if !static_path_ok(root, req.uri().path()) {
        return api::error(404, "not found");
    }
    match ServeDir::new(root).oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(never) => match never {},
    }
}

fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([
            HeaderName::from_static("x-api-key"),
            header::CONTENT_TYPE,
            header::ACCEPT,
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// `/`: the API when there is `?action=`, else the static site (or the API's error).
async fn root(State(app): State<Arc<App>>, req: Request) -> Response {
    if app.config.faults {
        let target = match req.extensions().get::<control::ReceivedTarget>() {
            Some(t) => t.0.clone(),
            None => req.uri().to_string(),
        };
        app.requests.push(req.method().as_str(), &target);
    }
    let has_action = api::decode_query(req.uri().query())
        .iter()
        .any(|(k, _)| k == "action");
    if !has_action {
        if let Some(www) = &app.config.www {
            return serve_static(www, req).await;
        }
    }
    let (parts, body) = req.into_parts();
    let body = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return api::error(413, "Body terlalu besar"),
    };
    let call = ApiCall {
        method: parts.method,
        query: api::decode_query(parts.uri.query()),
        headers: parts.headers,
        kill: parts.extensions.get::<Kill>().cloned(),
        body,
    };
    api::handle(&app, call).await
}

/// Resolves `.` and `..` segments of a path (RFC 3986 §5.2.4); `None` when there are none.
pub fn normalize_path(path: &str) -> Option<String> {
    if !path.split('/').any(|s| s == "." || s == "..") {
        return None;
    }
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if i == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    Some(format!("/{}", out.join("/")))
}

fn prepare(mut req: Request<Incoming>, kill: &Kill) -> Request<Incoming> {
    let received = control::ReceivedTarget(req.uri().to_string());
    req.extensions_mut().insert(received);
    if let Some(path) = normalize_path(req.uri().path()) {
        let pq = match req.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        if let Ok(uri) = Uri::builder().path_and_query(pq).build() {
            *req.uri_mut() = uri;
        }
    }
    req.extensions_mut().insert(kill.clone());
    req
}

/// Serves `router` on `listener` until `shutdown` turns true.
pub async fn accept_loop(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
    keep_alive: bool,
) {
    let graceful = GracefulShutdown::new();
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(_) => {
                        // Out of file descriptors and the like: wait a little, go on.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let kill = Kill::default();
                let for_requests = kill.clone();
                let svc = router.clone().map_request(move |req: Request<Incoming>| prepare(req, &for_requests));
                let mut builder = hyper::server::conn::http1::Builder::new();
                builder.keep_alive(keep_alive).timer(hyper_util::rt::TokioTimer::new());
                let conn = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(svc));
                let conn = graceful.watch(conn);
                conns.spawn(async move {
                    tokio::select! {
                        _ = conn => {}
                        // Dropping the connection closes the socket: no response is written.
                        _ = kill.0.notified() => {}
                    }
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(GRACE, graceful.shutdown()).await;
    conns.abort_all();
    while conns.join_next().await.is_some() {}
}
