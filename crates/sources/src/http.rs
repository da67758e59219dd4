//! The JSON-over-HTTP client every vendor adapter uses: one reqwest client per source, the
//! vendor's auth header (marked sensitive so it never reaches a log), a per-request timeout,
//! retries with exponential backoff and jitter for transient failures, and 429s honoured.

use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT};
use reqwest::{Client, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::SourceError;

/// A Retry-After longer than this is not slept through inside one poll: the poll fails as
/// rate-limited and the engine's schedule tries again later.
const MAX_INLINE_RETRY_AFTER: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub timeout: Duration,
    /// Attempts after the first for transient failures (timeouts, 5xx, 429, connection errors).
    pub retries: usize,
    /// The first backoff delay; doubled per attempt, with jitter.
    pub min_backoff: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(10),
            retries: 2,
            min_backoff: Duration::from_millis(200),
        }
    }
}

#[derive(Debug, Clone)]
pub struct JsonClient {
    vendor: &'static str,
    base: Url,
    client: Client,
    options: HttpOptions,
}

/// A decoded body together with the JSON it came from (kept as the entry's raw payload).
pub struct Decoded<T> {
    pub value: T,
    pub raw: serde_json::Value,
}

impl JsonClient {
    /// `auth` is the header carrying the credential, e.g. `("authorization", "Token token=…")`.
    pub fn new(
        vendor: &'static str,
        base_url: &str,
        auth: (HeaderName, &str),
        extra_headers: &[(HeaderName, &str)],
        options: HttpOptions,
    ) -> Result<JsonClient, SourceError> {
        let mut base = Url::parse(base_url)
            .map_err(|e| SourceError::Config(format!("{vendor}: invalid url {base_url:?}: {e}")))?;
        // Url::join drops the last path segment unless the base ends with '/'.
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let mut headers = HeaderMap::new();
        let mut value = HeaderValue::from_str(auth.1).map_err(|_| {
            SourceError::Config(format!(
                "{vendor}: the token contains characters not allowed in an HTTP header"
            ))
        })?;
        value.set_sensitive(true);
        headers.insert(auth.0, value);
        for (name, v) in extra_headers {
            let v = HeaderValue::from_str(v).map_err(|_| {
                SourceError::Config(format!("{vendor}: invalid value for header {name}"))
            })?;
            headers.insert(name.clone(), v);
        }
        let client = Client::builder()
            .default_headers(headers)
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .user_agent(concat!("opsdeck/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SourceError::Config(format!("{vendor}: cannot build HTTP client: {e}")))?;
        Ok(JsonClient {
            vendor,
            base,
            client,
            options,
        })
    }

    pub fn vendor(&self) -> &'static str {
        self.vendor
    }

    pub fn base(&self) -> &Url {
        &self.base
    }

    /// GET `path` (relative to the base URL) with `query`, decoding the JSON body as `T`.
    /// Transient failures are retried with backoff; a 429 waits for the vendor's Retry-After.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        accept: &str,
    ) -> Result<Decoded<T>, SourceError> {
        let attempt = || self.get_once::<T>(path, query, accept);
        attempt
            .retry(
                ExponentialBuilder::default()
                    .with_min_delay(self.options.min_backoff)
                    .with_max_times(self.options.retries)
                    .with_jitter(),
            )
            .sleep(tokio::time::sleep)
            .when(|e: &SourceError| match e {
                SourceError::RateLimited { retry_after, .. } => *retry_after <= MAX_INLINE_RETRY_AFTER,
                other => other.is_transient(),
            })
            .adjust(|e: &SourceError, backoff| match e {
                // The vendor said when: waiting less is wasted, waiting much more is slow. No
                // backoff left means the retries are used up: a 429 must not extend them, or a
                // vendor that keeps answering 429 keeps the poll busy forever.
                SourceError::RateLimited { retry_after, .. } => {
                    backoff.map(|b| b.max(*retry_after))
                }
                _ => backoff,
            })
            .notify(|e: &SourceError, after| tracing::warn!(vendor = self.vendor, %e, ?after, "retrying"))
            .await
    }

    /// Sends `body` as JSON with `method` (PUT, POST…) and decodes the answer. A change must
    /// not happen twice, so only what surely never reached the vendor is retried: a refused
    /// connection, and a 429 whose Retry-After is short.
    pub async fn send_json<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(HeaderName, &str)],
        body: &serde_json::Value,
        accept: &str,
    ) -> Result<Decoded<T>, SourceError> {
        let attempt = || self.send_once::<T>(method.clone(), path, headers, body, accept);
        attempt
            .retry(
                ExponentialBuilder::default()
                    .with_min_delay(self.options.min_backoff)
                    .with_max_times(self.options.retries)
                    .with_jitter(),
            )
            .sleep(tokio::time::sleep)
            .when(|e: &SourceError| match e {
                SourceError::RateLimited { retry_after, .. } => *retry_after <= MAX_INLINE_RETRY_AFTER,
                SourceError::Connect { .. } => true,
                _ => false,
            })
            .adjust(|e: &SourceError, backoff| match e {
                SourceError::RateLimited { retry_after, .. } => {
                    backoff.map(|b| b.max(*retry_after))
                }
                _ => backoff,
            })
            .notify(|e: &SourceError, after| tracing::warn!(vendor = self.vendor, %e, ?after, "retrying"))
            .await
    }

    async fn send_once<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(HeaderName, &str)],
        body: &serde_json::Value,
        accept: &str,
    ) -> Result<Decoded<T>, SourceError> {
        let path = &format!("/{}", path.trim_start_matches('/'));
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| SourceError::Config(format!("{}: bad path {path}: {e}", self.vendor)))?;
        let mut request = self
            .client
            .request(method, url)
            .header(ACCEPT, accept)
            .json(body);
        for (name, value) in headers {
            request = request.header(name.clone(), *value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        if !status.is_success() {
            return Err(self.status_error(path, status, &headers, &bytes));
        }
        decode(self.vendor, path, &bytes)
    }

    async fn get_once<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        accept: &str,
    ) -> Result<Decoded<T>, SourceError> {
        // Errors name the path as the vendor's documentation does (`/incidents`), whichever way
        // the caller spelled it.
        let path = &format!("/{}", path.trim_start_matches('/'));
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| SourceError::Config(format!("{}: bad path {path}: {e}", self.vendor)))?;
        let response = self
            .client
            .get(url.clone())
            .header(ACCEPT, accept)
            .query(query)
            .send()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        if !status.is_success() {
            return Err(self.status_error(path, status, &headers, &body));
        }
        decode(self.vendor, path, &body)
    }

    fn transport_error(&self, path: &str, e: reqwest::Error) -> SourceError {
        if e.is_timeout() {
            SourceError::Timeout {
                vendor: self.vendor,
                path: path.to_string(),
                timeout: self.options.timeout,
            }
        } else if e.is_connect() {
            SourceError::Connect {
                vendor: self.vendor,
                url: self.base.to_string(),
                message: root_cause(&e),
            }
        } else if e.is_body() || e.is_decode() {
            SourceError::Decode {
                vendor: self.vendor,
                path: path.to_string(),
                detail: format!("body cut short: {}", root_cause(&e)),
            }
        } else {
            SourceError::Connect {
                vendor: self.vendor,
                url: self.base.to_string(),
                message: root_cause(&e),
            }
        }
    }

    fn status_error(
        &self,
        path: &str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> SourceError {
        let vendor = self.vendor;
        let path = path.to_string();
        let message = error_message(body);
        match status {
            StatusCode::UNAUTHORIZED => SourceError::Unauthorized {
                vendor,
                path,
                hint: if message.is_empty() {
                    "the token is missing, wrong or revoked".into()
                } else {
                    message
                },
            },
            StatusCode::FORBIDDEN => SourceError::Forbidden {
                vendor,
                path,
                message,
            },
            StatusCode::NOT_FOUND => SourceError::NotFound {
                vendor,
                path,
                message,
            },
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => SourceError::Rejected {
                vendor,
                path,
                status: status.as_u16(),
                message,
            },
            StatusCode::TOO_MANY_REQUESTS => SourceError::RateLimited {
                vendor,
                path,
                retry_after: retry_after(headers),
            },
            other => SourceError::Status {
                vendor,
                path,
                status: other.as_u16(),
                message,
            },
        }
    }
}

/// Parses the body in two steps so the error says whether the JSON itself is broken
/// (truncated, malformed) or well-formed but of the wrong shape, and where.
pub fn decode<T: DeserializeOwned>(
    vendor: &'static str,
    path: &str,
    body: &[u8],
) -> Result<Decoded<T>, SourceError> {
    let raw: serde_json::Value = serde_json::from_slice(body).map_err(|e| SourceError::Decode {
        vendor,
        path: path.to_string(),
        detail: if e.is_eof() {
            format!("truncated JSON ({e})")
        } else {
            format!("malformed JSON ({e})")
        },
    })?;
    let value = serde_path_to_error::deserialize(&raw).map_err(|e| SourceError::Decode {
        vendor,
        path: path.to_string(),
        detail: format!("unexpected shape at {}: {}", e.path(), e.inner()),
    })?;
    Ok(Decoded { value, raw })
}

/// The wait a 429 asks for: `Retry-After` (seconds), else PagerDuty's `ratelimit-reset`
/// (seconds until the window resets), else a conservative default.
pub fn retry_after(headers: &HeaderMap) -> Duration {
    ["retry-after", "ratelimit-reset", "x-ratelimit-reset-after"]
        .iter()
        .find_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<f64>()
                .ok()
        })
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(Duration::from_secs(5))
}

/// Vendors wrap errors differently (`{"error": {"message": …}}` for PagerDuty, `{"message": …}`
/// for GitHub and Grafana); fall back to the start of the body as text.
fn error_message(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        let error = v.get("error").unwrap_or(&v);
        let mut parts: Vec<String> = Vec::new();
        if let Some(m) = error
            .get("message")
            .and_then(|m| m.as_str())
            .or_else(|| error.as_str())
        {
            parts.push(m.to_string());
        }
        if let Some(errors) = error.get("errors").and_then(|e| e.as_array()) {
            parts.extend(errors.iter().filter_map(|e| e.as_str()).map(str::to_string));
        }
        if !parts.is_empty() {
            return parts.join("; ");
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    text.chars().take(200).collect()
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
