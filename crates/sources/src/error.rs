use std::time::Duration;

/// Why a source could not be read. Messages are shown on the source's health and must say what
/// to fix; they never contain a token.
#[derive(Debug, Clone, thiserror::Error)]
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
    /// What the user can do about it, for `opsdeck doctor`.
    pub fn hint(&self, source_name: &str) -> String {
        match self {
            SourceError::Unauthorized { .. } => format!(
                "store a valid token with `opsdeck auth set {source_name}`, or check the \
                 variable named by token_env"
            ),
            SourceError::Forbidden { .. } => {
                "the token works but its user lacks access: use a token of a user who can read \
                 (and act on) these objects"
                    .into()
            }
            SourceError::NotFound { .. } => "check the source's url in the config".into(),
            SourceError::Rejected { .. } => {
                "the vendor refused the request; its message above says why".into()
            }
            SourceError::RateLimited { .. } => {
                "another tool is using this user's request budget; lower budget_share or wait"
                    .into()
            }
            SourceError::Status { status, .. } if *status >= 500 => {
                "the vendor is having trouble; check its status page and try again".into()
            }
            SourceError::Status { .. } => "check the source's url in the config".into(),
            SourceError::Timeout { .. } | SourceError::Connect { .. } => {
                "check the network, the VPN and the source's url".into()
            }
            SourceError::Decode { .. } => {
                "the url may point at something else than the vendor's API (a proxy's page?)".into()
            }
            SourceError::Config(_) => "fix the source's entry in the config".into(),
        }
    }

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
