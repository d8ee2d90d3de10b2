//! The gateway's own JSON errors: `{"error": "…", "code": "…"}` with a status, and
//! `Retry-After` on 429/503.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// One refusal or failure answered by the gateway itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GwError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code.
    pub code: &'static str,
    /// Human-readable text (never holds a key or token).
    pub message: String,
    /// Seconds for `Retry-After`.
    pub retry_after_s: Option<u64>,
}

impl GwError {
    /// A new error.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> GwError {
        GwError {
            status,
            code,
            message: message.into(),
            retry_after_s: None,
        }
    }

    /// 400 with `code`.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> GwError {
        GwError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 429 with `Retry-After`.
    pub fn limited(code: &'static str, message: impl Into<String>, retry_after_s: u64) -> GwError {
        GwError {
            retry_after_s: Some(retry_after_s.max(1)),
            ..GwError::new(StatusCode::TOO_MANY_REQUESTS, code, message)
        }
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({"error": self.message, "code": self.code})
    }
}

impl IntoResponse for GwError {
    fn into_response(self) -> Response {
        let mut r = (self.status, axum::Json(self.body())).into_response();
        if let Some(s) = self.retry_after_s {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}
