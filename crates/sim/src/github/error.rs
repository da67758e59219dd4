//! GitHub's error responses: `{"message", "documentation_url", "status"}` (the spec's
//! `basic-error`), with the messages GitHub sends for each case, and the redirect a renamed
//! repository answers with.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::world::GitHubError;

/// Where GitHub's errors point when no page is more specific.
pub(crate) const DOCS: &str = "https://docs.github.com/rest";
const RATE_LIMIT_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";
const SECONDARY_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const REDIRECT_DOCS: &str =
    "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No usable `Authorization` header.
    #[error("Requires authentication")]
    RequiresAuthentication,
    /// An injected 401: the token was refused.
    #[error("Bad credentials")]
    BadCredentials,
    #[error("Not Found")]
    NotFound,
    /// The body is not JSON.
    #[error("Problems parsing JSON")]
    ProblemsParsingJson,
    /// A body or query value GitHub's validation refuses; the text says which and why.
    #[error("Invalid request.\n\n{0}")]
    Invalid(String),
    /// An action that no longer applies, with GitHub's status and message.
    #[error("{message}")]
    Refused { status: u16, message: String },
    /// The primary rate limit is used up until `reset` (epoch seconds).
    #[error("API rate limit exceeded for user ID {user_id}. If you reach out to GitHub Support for help, please include the request ID.")]
    RateLimited { user_id: u64, reset: u64 },
    /// A secondary rate limit, answered with 403 or 429 and `retry-after`.
    #[error("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.")]
    SecondaryRateLimit { status: u16, retry_after_s: u64 },
    /// A renamed repository: 301 for reads, 307 for writes (so the method is kept).
    #[error("{}", moved_message(*.permanent))]
    Moved { permanent: bool, location: String },
    /// Any other status, such as an injected 500 or 502.
    #[error("{}", server_message(*.0))]
    Other(StatusCode),
}

fn moved_message(permanent: bool) -> &'static str {
    if permanent {
        "Moved Permanently"
    } else {
        "Temporary Redirect"
    }
}

fn server_message(status: StatusCode) -> &'static str {
    if status.is_server_error() {
        "Server Error"
    } else {
        status.canonical_reason().unwrap_or("Error")
    }
}

impl ApiError {
    /// GitHub's answer for an injected status.
    pub(crate) fn for_status(status: StatusCode) -> ApiError {
        match status.as_u16() {
            401 => ApiError::BadCredentials,
            404 => ApiError::NotFound,
            429 => ApiError::SecondaryRateLimit {
                status: 429,
                retry_after_s: 60,
            },
            _ => ApiError::Other(status),
        }
    }

    pub fn status(&self) -> StatusCode {
        let code = match self {
            ApiError::RequiresAuthentication | ApiError::BadCredentials => 401,
            ApiError::NotFound => 404,
            ApiError::ProblemsParsingJson => 400,
            ApiError::Invalid(_) => 422,
            ApiError::Refused { status, .. } | ApiError::SecondaryRateLimit { status, .. } => {
                *status
            }
            ApiError::RateLimited { .. } => 403,
            ApiError::Moved { permanent, .. } => {
                if *permanent {
                    301
                } else {
                    307
                }
            }
            ApiError::Other(status) => return *status,
        };
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn body(&self) -> Value {
        let documentation_url = match self {
            ApiError::RateLimited { .. } => RATE_LIMIT_DOCS,
            ApiError::SecondaryRateLimit { .. } => SECONDARY_DOCS,
            ApiError::Moved { .. } => REDIRECT_DOCS,
            _ => DOCS,
        };
        let mut body = json!({
            "message": self.to_string(),
            "documentation_url": documentation_url,
        });
        match self {
            // GitHub's redirect body names where to go instead of a status.
            ApiError::Moved { location, .. } => body["url"] = json!(location),
            _ => body["status"] = json!(self.status().as_str()),
        }
        body
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status(), Json(self.body())).into_response();
        let headers = response.headers_mut();
        match &self {
            ApiError::SecondaryRateLimit { retry_after_s, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_s));
            }
            ApiError::Moved { location, .. } => {
                if let Ok(value) = HeaderValue::from_str(location) {
                    headers.insert(header::LOCATION, value);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<GitHubError> for ApiError {
    fn from(e: GitHubError) -> Self {
        let status = match &e {
            GitHubError::UnknownRepository(_) | GitHubError::UnknownRun { .. } => {
                return ApiError::NotFound
            }
            GitHubError::CannotCancel => 409,
            GitHubError::AlreadyRunning
            | GitHubError::NothingToRerun
            | GitHubError::TooManyAttempts => 403,
            GitHubError::NoPendingDeployment
            | GitHubError::BadRepositoryName(_)
            | GitHubError::RepositoryExists(_)
            | GitHubError::RunExists(_)
            | GitHubError::NotWaitable(_) => 422,
        };
        ApiError::Refused {
            status,
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_github_shape() {
        assert_eq!(
            ApiError::NotFound.body(),
            json!({"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        );
        assert_eq!(
            ApiError::RequiresAuthentication.body()["message"],
            "Requires authentication"
        );
        let invalid = ApiError::Invalid("\"comment\" wasn't supplied.".into());
        assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            invalid.body()["message"],
            "Invalid request.\n\n\"comment\" wasn't supplied."
        );
        let cancel: ApiError = GitHubError::CannotCancel.into();
        assert_eq!(cancel.status(), StatusCode::CONFLICT);
        assert_eq!(
            cancel.body()["message"],
            "Cannot cancel a workflow run that is completed."
        );
        let moved = ApiError::Moved {
            permanent: true,
            location: "http://h/repos/a/b".into(),
        };
        assert_eq!(moved.status(), StatusCode::MOVED_PERMANENTLY);
        assert_eq!(
            moved.body(),
            json!({"message": "Moved Permanently", "url": "http://h/repos/a/b",
                   "documentation_url": REDIRECT_DOCS})
        );
        assert_eq!(
            ApiError::for_status(StatusCode::BAD_GATEWAY).body()["message"],
            "Server Error"
        );
        assert_eq!(
            ApiError::RateLimited {
                user_id: 7,
                reset: 1
            }
            .status(),
            StatusCode::FORBIDDEN
        );
    }
}
