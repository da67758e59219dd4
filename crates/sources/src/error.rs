use std::time::Duration;

/// Why a source could not be read. Messages are shown on the source's health and must say what
/// to fix; they never contain a token.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{vendor} rejected the token (401 Unauthorized) on {path}: check the token ({hint})")]
    Unauthorized {
        vendor: &'static str,
        path: String,
        hint: String,
    },
    #[error("{vendor} refused access (403 Forbidden) on {path}: {message}")]
    Forbidden {
        vendor: &'static str,
        path: String,
        message: String,
    },
    #[error("{vendor} has no {path} (404 Not Found): {message}")]
    NotFound {
        vendor: &'static str,
        path: String,
        message: String,
    },
    /// The vendor understood the request and refused it (400, 422): its message says why.
    #[error("{vendor} refused the request ({status}) on {path}: {message}")]
    Rejected {
        vendor: &'static str,
        path: String,
        status: u16,
        message: String,
    },
    #[error("{vendor} rate limit hit on {path} (429); retry after {retry_after:?}")]
    RateLimited {
        vendor: &'static str,
        path: String,
        retry_after: Duration,
    },
    #[error("{vendor} answered {status} on {path}: {message}")]
    Status {
        vendor: &'static str,
        path: String,
        status: u16,
        message: String,
    },
    #[error("{vendor} did not answer {path} within {timeout:?}")]
    Timeout {
        vendor: &'static str,
        path: String,
        timeout: Duration,
    },
    #[error("cannot reach {vendor} at {url}: {message}")]
    Connect {
        vendor: &'static str,
        url: String,
        message: String,
    },
    #[error("{vendor} sent a response to {path} that opsdeck cannot read: {detail}")]
    Decode {
        vendor: &'static str,
        path: String,
        detail: String,
    },
    #[error("{0}")]
    Config(String),
}

impl SourceError {
    /// Worth retrying within the same poll (the next scheduled poll retries everything else).
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::RateLimited { .. }
            | SourceError::Timeout { .. }
            | SourceError::Connect { .. } => true,
            SourceError::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }
}
