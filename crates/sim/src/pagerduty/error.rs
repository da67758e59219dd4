//! PagerDuty's error responses: `{"error": {"message", "code", "errors"}}` with the codes its
//! REST API v2 documents (2001 invalid input, 2006 authentication, 2010 access denied, 2100 not
//! found, 2020 rate limit) and those it answers a write without a valid `From` header with
//! (2016 no `From`, 1008 requester not found), as seen on the wire.

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
    /// A write without the `From` header naming who acts.
    #[error(
        "You must specify a user's email address in the \"From\" header to perform this action"
    )]
    FromRequired,
    /// The `From` header names nobody in the account.
    #[error("Requester User Not Found: {0}")]
    RequesterNotFound(String),
    /// The action no longer applies to the incident as it is now: `title` is PagerDuty's short
    /// message ("Incident Already Resolved"), `detail` says what was refused and why.
    #[error("{title}: {detail}")]
    NotApplicable { title: &'static str, detail: String },
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
            ApiError::InvalidInput(_)
            | ApiError::FromRequired
            | ApiError::RequesterNotFound(_)
            | ApiError::NotApplicable { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Other(status) => *status,
        }
    }

    fn code(&self) -> Option<u32> {
        match self {
            ApiError::InvalidInput(_) | ApiError::NotApplicable { .. } => Some(2001),
            ApiError::FromRequired => Some(2016),
            ApiError::RequesterNotFound(_) => Some(1008),
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
            ApiError::RequesterNotFound(_) => "Requester User Not Found".to_owned(),
            ApiError::NotApplicable { title, .. } => (*title).to_owned(),
            other => other.to_string(),
        };
        let mut error = json!({ "message": message });
        if let Some(code) = self.code() {
            error["code"] = json!(code);
        }
        let errors = match self {
            ApiError::InvalidInput(errors) => Some(errors.clone()),
            ApiError::RequesterNotFound(email) => Some(vec![format!(
                "From: no user of this account has the email {email:?}"
            )]),
            ApiError::NotApplicable { detail, .. } => Some(vec![detail.clone()]),
            _ => None,
        };
        if let Some(errors) = errors {
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
        assert_eq!(
            ApiError::FromRequired.body(),
            json!({"error": {"code": 2016, "message":
                "You must specify a user's email address in the \"From\" header to perform this action"}})
        );
        assert_eq!(
            ApiError::RequesterNotFound("x@example.test".into()).body(),
            json!({"error": {"message": "Requester User Not Found", "code": 1008,
                             "errors": ["From: no user of this account has the email \"x@example.test\""]}})
        );
        let refused = ApiError::NotApplicable {
            title: "Incident Already Resolved",
            detail: "cannot acknowledge incident Q1: the incident is already resolved".into(),
        };
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            refused.body(),
            json!({"error": {"message": "Incident Already Resolved", "code": 2001,
                "errors": ["cannot acknowledge incident Q1: the incident is already resolved"]}})
        );
    }
}
