//! PagerDuty's error responses: `{"error": {"message", "code", "errors"}}` with the codes its
//! REST API v2 documents (2001 invalid input, 2006 authentication, 2010 access denied, 2100 not
//! found, 2020 rate limit).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Seconds a rate-limited client is told to wait.
pub(crate) const RETRY_AFTER_S: u64 = 1;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// A query value PagerDuty would refuse; each detail names the parameter.
    #[error("Invalid Input Provided: {}", .0.join("; "))]
    InvalidInput(Vec<String>),
    #[error("Unauthenticated")]
    Unauthenticated,
    #[error("Access Denied")]
    Forbidden,
    #[error("Not Found")]
    NotFound,
    #[error("Rate Limit Exceeded")]
    RateLimited { reset_s: u64 },
    /// Any other status, such as an injected 500 or 502.
    #[error("{}", .0.canonical_reason().unwrap_or("Error"))]
    Other(StatusCode),
}

impl ApiError {
    pub(crate) fn invalid(detail: impl Into<String>) -> ApiError {
        ApiError::InvalidInput(vec![detail.into()])
    }

    /// The error PagerDuty answers with for `status` (an injected fault).
    pub(crate) fn for_status(status: StatusCode) -> ApiError {
        match status.as_u16() {
            400 => ApiError::invalid("injected fault"),
            401 => ApiError::Unauthenticated,
            403 => ApiError::Forbidden,
            404 => ApiError::NotFound,
            429 => ApiError::RateLimited {
                reset_s: RETRY_AFTER_S,
            },
            _ => ApiError::Other(status),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::InvalidInput(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Other(status) => *status,
        }
    }

    fn code(&self) -> Option<u32> {
        match self {
            ApiError::InvalidInput(_) => Some(2001),
            ApiError::Unauthenticated => Some(2006),
            ApiError::Forbidden => Some(2010),
            ApiError::NotFound => Some(2100),
            ApiError::RateLimited { .. } => Some(2020),
            ApiError::Other(_) => None,
        }
    }

    pub fn body(&self) -> Value {
        let message = match self {
            ApiError::InvalidInput(_) => "Invalid Input Provided".to_owned(),
            other => other.to_string(),
        };
        let mut error = json!({ "message": message });
        if let Some(code) = self.code() {
            error["code"] = json!(code);
        }
        if let ApiError::InvalidInput(errors) = self {
            error["errors"] = json!(errors);
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        if let ApiError::RateLimited { reset_s } = &self {
            let headers = response.headers_mut();
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*reset_s));
            headers.insert("ratelimit-reset", HeaderValue::from(*reset_s));
            headers.insert("ratelimit-remaining", HeaderValue::from(0u32));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_pagerduty_shape() {
        assert_eq!(
            ApiError::NotFound.body(),
            json!({"error": {"message": "Not Found", "code": 2100}})
        );
        assert_eq!(
            ApiError::invalid("limit: not an integer").body(),
            json!({"error": {"message": "Invalid Input Provided", "code": 2001,
                             "errors": ["limit: not an integer"]}})
        );
        assert_eq!(
            ApiError::for_status(StatusCode::BAD_GATEWAY).body(),
            json!({"error": {"message": "Bad Gateway"}})
        );
        assert_eq!(
            ApiError::for_status(StatusCode::UNAUTHORIZED),
            ApiError::Unauthenticated
        );
    }
}
