//! The key-keeping gateway (DESIGN.md invariant 5): `/gateway/?action=NAME` and
//! `/gateway/backoffice/?action=NAME`.
//!
//! It lets through only its allow-list (others: 403 `{"error": …}`), drops any
//! `X-API-Key` header and `apikey` query parameter the browser sent, adds the server's key
//! (`ICS_GATEWAY_KEY`), and forwards: in-process to the simulation by default (faults
//! included, on the browser's own connection), or over HTTP to `--upstream`. When the
//! upstream cannot be reached it answers 502 (504 on a timeout) with a plain-text body, so a
//! client sees an outcome-unknown HTTP failure rather than a refusal.

use crate::api::{self, ApiCall, App, Kill};
use crate::webhook::error_chain;
use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ics_reseller::http::{API_KEY_HEADER, API_KEY_QUERY};
use ics_reseller::ActionKind;
use std::sync::Arc;
use std::time::Duration;

/// Largest request body the gateway forwards.
pub const BODY_LIMIT: usize = 1 << 20;
/// How long the gateway waits for a remote upstream.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

/// Which allow-list a route uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `/gateway/`: the storefront's actions.
    Store,
    /// `/gateway/backoffice/`: the back-office widgets' actions.
    Backoffice,
}

/// Forwards one browser request.
pub async fn forward(app: Arc<App>, route: Route, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let query = api::query_pairs(parts.uri.query());
    let Some(name) = api::query_get(&query, "action").filter(|n| !n.is_empty()) else {
        return api::error(400, "the gateway needs ?action=NAME");
    };
    let allow = match route {
        Route::Store => &app.config.gateway_allow,
        Route::Backoffice => &app.config.backoffice_allow,
    };
    let kind = ActionKind::from_name(name).filter(|k| allow.contains(k));
    let Some(kind) = kind else {
        let path = match route {
            Route::Store => "/gateway/",
            Route::Backoffice => "/gateway/backoffice/",
        };
        return api::error(403, format!("action {name} is not allowed through {path}"));
    };
    let Some(key) = app.gateway_key.clone() else {
        return api::error(500, "the gateway has no API key (set ICS_GATEWAY_KEY)");
    };
    let Ok(key_value) = HeaderValue::from_str(&key) else {
        return api::error(500, "the gateway's API key is not a valid header value");
    };
    let body = match to_bytes(body, BODY_LIMIT).await {
        Ok(b) => b,
        Err(_) => return api::error(413, "request body too large"),
    };
    let query: Vec<(String, String)> = query
        .into_iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case(API_KEY_QUERY))
        .collect();
    let mut headers = parts.headers;
    headers.remove(API_KEY_HEADER);
    match &app.config.upstream {
        None => {
            headers.insert(API_KEY_HEADER, key_value);
            let call = ApiCall {
                method: parts.method,
                query,
                headers,
                body,
                kill: parts.extensions.get::<Kill>().cloned(),
            };
            api::handle(&app, call).await
        }
        Some(upstream) => {
            let encoded = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(&query)
                .finish();
            let url = format!("{upstream}/?{encoded}");
            let mut rb = app
                .upstream_http
                .request(parts.method.clone(), &url)
                .header(API_KEY_HEADER, key_value)
                .header(header::ACCEPT, "application/json")
                .timeout(UPSTREAM_TIMEOUT);
            if let Some(ct) = headers.get(header::CONTENT_TYPE) {
                rb = rb.header(header::CONTENT_TYPE, ct.clone());
            }
            if !body.is_empty() {
                rb = rb.body(body);
            }
            match rb.send().await {
                Ok(resp) => relay(resp).await,
                Err(e) => {
                    let status = if e.is_timeout() {
                        StatusCode::GATEWAY_TIMEOUT
                    } else {
                        StatusCode::BAD_GATEWAY
                    };
                    let text = format!("gateway: {} failed upstream: {}", kind.name(), error_chain(&e));
                    (
                        status,
                        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                        text,
                    )
                        .into_response()
                }
            }
        }
    }
}

async fn relay(resp: reqwest::Response) -> Response {
    let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    let content_type = resp.headers().get(header::CONTENT_TYPE).cloned();
    let retry_after = resp.headers().get(header::RETRY_AFTER).cloned();
    match resp.bytes().await {
        Ok(bytes) => {
            let mut out = Response::new(Body::from(bytes));
            *out.status_mut() = status;
            if let Some(ct) = content_type {
                out.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            if let Some(ra) = retry_after {
                out.headers_mut().insert(header::RETRY_AFTER, ra);
            }
            out
        }
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("gateway: the upstream's answer broke off: {}", error_chain(&e)),
        )
            .into_response(),
    }
}
