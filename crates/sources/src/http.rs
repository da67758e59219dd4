//! The JSON-over-HTTP client every vendor adapter uses: one reqwest client per source, the
//! vendor's auth header (marked sensitive so it never reaches a log), a per-request timeout,
//! retries with exponential backoff and jitter for transient failures, and 429s honoured.
//!
//! Every request (each attempt of a retry too) first waits for a permit from the source's rate
//! limiter, when the source has a request budget ([`HttpOptions::max_per_minute`]), and is
//! counted in a sliding one-minute window; the vendor's own rate-limit headers are kept beside
//! that count. [`JsonClient::budget`] reports both.

use std::collections::VecDeque;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use backon::{ExponentialBuilder, Retryable};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
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
    /// The most requests this client sends in any 60 seconds (see [`Pace`]); `None`: no limit.
    /// Waiting for a permit happens before a request is sent, so it never counts against
    /// `timeout`.
    pub max_per_minute: Option<u32>,
    /// Of `max_per_minute`, the requests kept for [`JsonClient::urgent`] (the quick poll for
    /// new pages), so that detail and history fetches can never make a new page wait.
    pub urgent_per_minute: Option<u32>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(10),
            retries: 2,
            min_backoff: Duration::from_millis(200),
            max_per_minute: None,
            urgent_per_minute: None,
        }
    }
}

/// How a per-minute cap becomes the rate limiter's quota: a burst of a sixth of the cap (so
/// the handful of requests one poll makes goes out at once), then one request per `interval`,
/// the rest of the cap spread evenly over the minute. A full burst plus a minute of refills is
/// the cap, so no 60-second window `[t, t + 60 s)` ever holds more than `per_minute` requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub per_minute: u32,
    pub burst: u32,
    pub interval: Duration,
}

impl Pace {
    pub fn per_minute(cap: u32) -> Pace {
        let per_minute = cap.max(1);
        let burst = (per_minute / 6).max(1);
        let steady = u64::from(per_minute.saturating_sub(burst).max(1));
        // Rounded up, so the refills never add up to more than the minute's remainder.
        let interval = Duration::from_nanos(60_000_000_000u64.div_ceil(steady));
        Pace {
            per_minute,
            burst,
            interval,
        }
    }

    /// The most requests a window `[t, t + span)` can hold: the whole burst at `t`, plus the
    /// refills that come due before the window ends.
    pub fn most_within(&self, span: Duration) -> u32 {
        let refills = span
            .as_nanos()
            .div_ceil(self.interval.as_nanos().max(1))
            .saturating_sub(1);
        self.burst
            .saturating_add(u32::try_from(refills).unwrap_or(u32::MAX))
    }

    fn quota(&self) -> Quota {
        let burst = NonZeroU32::new(self.burst).unwrap_or(NonZeroU32::MIN);
        Quota::with_period(self.interval)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(burst)
    }
}

/// Splits a per-minute cap into the bulk lane and the lane reserved for urgent requests. The
/// urgent lane gets a sixth more than asked, because [`Pace`] sustains five sixths of its cap
/// once its burst is spent, plus one request for a retry; the bulk lane keeps the rest, so the
/// two together never exceed the cap.
pub fn lanes(cap: Option<u32>, urgent: Option<u32>) -> Option<(Pace, Option<Pace>)> {
    let cap = cap?.max(1);
    let Some(wanted) = urgent.filter(|n| *n > 0 && cap > 1) else {
        return Some((Pace::per_minute(cap), None));
    };
    let reserved = (wanted.saturating_mul(6).div_ceil(5) + 1).min(cap - 1);
    Some((
        Pace::per_minute(cap - reserved),
        Some(Pace::per_minute(reserved)),
    ))
}

/// What a source has spent of its request budget, and what the vendor said is left of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Budget {
    /// Requests sent in the last 60 seconds (real time, a sliding window).
    pub requests_last_minute: u32,
    /// opsdeck's own cap ([`HttpOptions::max_per_minute`]), if any.
    pub allowed_per_minute: Option<u32>,
    /// The latest `ratelimit-limit` (or `x-ratelimit-limit`) the vendor sent.
    pub vendor_limit: Option<u32>,
    /// The latest `ratelimit-remaining` (or `x-ratelimit-remaining`) the vendor sent.
    pub vendor_remaining: Option<u32>,
    /// How long until the vendor's window resets, from its latest `ratelimit-reset` (or
    /// `x-ratelimit-reset`), counted down to now.
    pub vendor_reset_in: Option<Duration>,
}

/// The rate-limit headers of one response. `reset_after` is relative to when it was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VendorBudget {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    pub reset_after: Option<Duration>,
}

/// Reads `ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset` (the IETF draft names
/// PagerDuty uses, reset in seconds) or their `x-ratelimit-*` spellings (whose reset some
/// vendors, GitHub among them, give as a Unix time instead). `None` when the response has none.
pub fn vendor_budget(headers: &HeaderMap) -> Option<VendorBudget> {
    let number = |name: &str| -> Option<u64> {
        [name.to_string(), format!("x-{name}")]
            .iter()
            .find_map(|n| {
                headers
                    .get(n.as_str())?
                    .to_str()
                    .ok()?
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
    };
    let as_u32 = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    // Seconds this large are not a wait but an instant (anything past 2001-09-09).
    const UNIX_TIME_FROM: u64 = 1_000_000_000;
    let reset_after = number("ratelimit-reset").map(|v| {
        if v >= UNIX_TIME_FROM {
            let at = UNIX_EPOCH + Duration::from_secs(v);
            at.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        } else {
            Duration::from_secs(v)
        }
    });
    let budget = VendorBudget {
        limit: number("ratelimit-limit").map(as_u32),
        remaining: number("ratelimit-remaining").map(as_u32),
        reset_after,
    };
    (budget != VendorBudget::default()).then_some(budget)
}

/// When each request of the last minute was sent.
#[derive(Debug, Default)]
pub struct RequestWindow {
    sent: VecDeque<Instant>,
}

impl RequestWindow {
    pub const SPAN: Duration = Duration::from_secs(60);

    pub fn record(&mut self, at: Instant) {
        self.forget_before(at);
        self.sent.push_back(at);
    }

    /// Requests sent in the `SPAN` up to `now`.
    pub fn count(&mut self, now: Instant) -> u32 {
        self.forget_before(now);
        u32::try_from(self.sent.len()).unwrap_or(u32::MAX)
    }

    fn forget_before(&mut self, now: Instant) {
        while self
            .sent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= Self::SPAN)
        {
            self.sent.pop_front();
        }
    }
}

#[derive(Debug, Default)]
struct Accounting {
    window: RequestWindow,
    vendor: VendorBudget,
    vendor_at: Option<Instant>,
}

#[derive(Debug, Clone)]
pub struct JsonClient {
    vendor: &'static str,
    base: Url,
    client: Client,
    options: HttpOptions,
    /// Shared by the clones of this client: one budget per source. `limiter` is the lane this
    /// client sends on; `urgent` the lane kept for new pages ([`JsonClient::urgent`]).
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    urgent: Option<Arc<DefaultDirectRateLimiter>>,
    accounting: Arc<Mutex<Accounting>>,
}

/// A decoded body together with the JSON it came from (kept as the entry's raw payload).
pub struct Decoded<T> {
    pub value: T,
    pub raw: serde_json::Value,
}

/// The answer to a conditional GET: unchanged since the ETag sent (a 304, which GitHub does not
/// count against the rate limit), or a fresh body with its own ETag and whether the `Link`
/// header names a next page.
pub enum Fetched<T> {
    NotModified,
    Fresh {
        body: Decoded<T>,
        etag: Option<String>,
        has_next: bool,
    },
}

/// Whether an RFC 8288 `Link` header has a `rel="next"` link (GitHub's pagination).
pub fn has_next_link(headers: &HeaderMap) -> bool {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|link| {
            link.split(';').skip(1).any(|param| {
                let param = param.trim();
                param
                    .strip_prefix("rel=")
                    .map(|r| r.trim_matches('"').split_whitespace().any(|r| r == "next"))
                    .unwrap_or(false)
            })
        })
}

impl JsonClient {
    /// `auth` is the header carrying the credential, e.g. `("authorization", "Token token=…")`,
    /// or `None` for a vendor reached without one (an Alertmanager on the local network).
    pub fn new(
        vendor: &'static str,
        base_url: &str,
        auth: Option<(HeaderName, &str)>,
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
        if let Some((name, credential)) = auth {
            let mut value = HeaderValue::from_str(credential).map_err(|_| {
                SourceError::Config(format!(
                    "{vendor}: the token contains characters not allowed in an HTTP header"
                ))
            })?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
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
        let (limiter, urgent) = match lanes(options.max_per_minute, options.urgent_per_minute) {
            Some((bulk, urgent)) => (
                Some(Arc::new(RateLimiter::direct(bulk.quota()))),
                urgent.map(|pace| Arc::new(RateLimiter::direct(pace.quota()))),
            ),
            None => (None, None),
        };
        Ok(JsonClient {
            vendor,
            base,
            client,
            options,
            limiter,
            urgent,
            accounting: Arc::default(),
        })
    }

    /// The same client on the lane kept for new pages: its requests wait only for each other,
    /// never behind a poll's detail fetches. Without a reserved lane, the client itself.
    pub fn urgent(&self) -> JsonClient {
        let mut client = self.clone();
        if let Some(urgent) = &self.urgent {
            client.limiter = Some(Arc::clone(urgent));
        }
        client
    }

    /// What this client has spent of its budget, and the vendor's latest word on its own.
    pub fn budget(&self) -> Budget {
        let now = Instant::now();
        let mut accounting = self.accounting();
        let vendor = accounting.vendor;
        let vendor_reset_in = vendor
            .reset_after
            .zip(accounting.vendor_at)
            .map(|(after, at)| after.saturating_sub(now.saturating_duration_since(at)));
        Budget {
            requests_last_minute: accounting.window.count(now),
            allowed_per_minute: self.options.max_per_minute.map(|c| c.max(1)),
            vendor_limit: vendor.limit,
            vendor_remaining: vendor.remaining,
            vendor_reset_in,
        }
    }

    fn accounting(&self) -> std::sync::MutexGuard<'_, Accounting> {
        // Counters only: whatever a panicking holder left is still worth reading.
        self.accounting
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for the rate limiter's permit, then counts the request as sent. Called right
    /// before each request goes out, so the wait is not part of the request's timeout.
    async fn permit(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.until_ready().await;
        }
        self.accounting().window.record(Instant::now());
    }

    /// Keeps the rate-limit headers of a response, whatever its status.
    fn note_vendor_budget(&self, headers: &HeaderMap) {
        if let Some(vendor) = vendor_budget(headers) {
            let mut accounting = self.accounting();
            accounting.vendor = vendor;
            accounting.vendor_at = Some(Instant::now());
        }
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
        self.reading(|| self.get_once::<T>(path, query, accept))
            .await
    }

    /// Runs a read with retries: transient failures with backoff, a 429 (or GitHub's
    /// rate-limit 403) after the vendor's Retry-After when that is short.
    async fn reading<T, F, Fut>(&self, attempt: F) -> Result<T, SourceError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, SourceError>>,
    {
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

    /// GET with `If-None-Match: etag` when an ETag is known, retried like [`get_json`]:
    /// [`Fetched::NotModified`] for a 304, else the decoded body, its ETag and whether a next
    /// page is linked.
    ///
    /// [`get_json`]: JsonClient::get_json
    pub async fn get_conditional<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        accept: &str,
        etag: Option<&str>,
    ) -> Result<Fetched<T>, SourceError> {
        self.reading(|| self.get_conditional_once::<T>(path, query, accept, etag))
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
        let mut request = self.client.request(method, url).header(ACCEPT, accept);
        // `null` means no body at all (a DELETE), not the JSON text "null".
        if !body.is_null() {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(name.clone(), *value);
        }
        self.permit().await;
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        self.note_vendor_budget(&headers);
        let bytes = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(path, e))?;
        if !status.is_success() {
            return Err(self.status_error(path, status, &headers, &bytes));
        }
        // A write may succeed with no body (204, or Alertmanager's 200 to a DELETE): that is
        // `null`, which decodes into `Value` or `()` and is still an error for a caller that
        // needs a body.
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return decode(self.vendor, path, b"null");
        }
        decode(self.vendor, path, &bytes)
    }

    async fn get_once<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        accept: &str,
    ) -> Result<Decoded<T>, SourceError> {
        let (path, _, _, body) = self.get_raw(path, query, accept, None).await?;
        decode(self.vendor, &path, &body)
    }

    async fn get_conditional_once<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        accept: &str,
        etag: Option<&str>,
    ) -> Result<Fetched<T>, SourceError> {
        let (path, status, headers, body) = self.get_raw(path, query, accept, etag).await?;
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        Ok(Fetched::Fresh {
            body: decode(self.vendor, &path, &body)?,
            etag: headers
                .get(reqwest::header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            has_next: has_next_link(&headers),
        })
    }

    /// One GET: the path as errors name it, and a success's (or a 304's) status, headers and
    /// body; any other status is the error it means.
    async fn get_raw(
        &self,
        path: &str,
        query: &[(&str, String)],
        accept: &str,
        etag: Option<&str>,
    ) -> Result<(String, StatusCode, HeaderMap, Vec<u8>), SourceError> {
        // Errors name the path as the vendor's documentation does (`/incidents`), whichever way
        // the caller spelled it.
        let path = format!("/{}", path.trim_start_matches('/'));
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| SourceError::Config(format!("{}: bad path {path}: {e}", self.vendor)))?;
        self.permit().await;
        let mut request = self
            .client
            .get(url.clone())
            .header(ACCEPT, accept)
            .query(query);
        if let Some(etag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(&path, e))?;
        let status = response.status();
        let headers = response.headers().clone();
        self.note_vendor_budget(&headers);
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport_error(&path, e))?
            .to_vec();
        let not_modified = etag.is_some() && status == StatusCode::NOT_MODIFIED;
        if !status.is_success() && !not_modified {
            return Err(self.status_error(&path, status, &headers, &body));
        }
        Ok((path, status, headers, body))
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
            // GitHub answers its rate limits with 403: the primary one with no requests
            // left, a secondary one with Retry-After. Either is a wait, not a permission.
            StatusCode::FORBIDDEN if forbidden_is_rate_limit(headers) => SourceError::RateLimited {
                vendor,
                path,
                retry_after: retry_after(headers),
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

/// The wait a 429 (or GitHub's rate-limit 403) asks for: `Retry-After` (seconds), else
/// PagerDuty's `ratelimit-reset` (seconds until the window resets), else GitHub's
/// `x-ratelimit-reset` (the Unix time the window resets), else a conservative default.
pub fn retry_after(headers: &HeaderMap) -> Duration {
    let number = |name: &str| -> Option<f64> {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s >= 0.0)
    };
    ["retry-after", "ratelimit-reset", "x-ratelimit-reset-after"]
        .iter()
        .find_map(|name| number(name))
        .map(Duration::from_secs_f64)
        .or_else(|| {
            let at = UNIX_EPOCH + Duration::from_secs_f64(number("x-ratelimit-reset")?);
            Some(
                at.duration_since(SystemTime::now())
                    .unwrap_or(Duration::ZERO),
            )
        })
        .unwrap_or(Duration::from_secs(5))
}

/// A 403 that is GitHub's rate limit rather than a refusal: a secondary limit sends
/// `Retry-After`, the primary one `x-ratelimit-remaining: 0`.
fn forbidden_is_rate_limit(headers: &HeaderMap) -> bool {
    headers.contains_key("retry-after")
        || headers
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim() == "0")
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn the_window_counts_the_last_minute_only() {
        let t0 = Instant::now();
        let mut window = RequestWindow::default();
        assert_eq!(window.count(t0), 0);
        window.record(t0);
        window.record(t0 + Duration::from_secs(10));
        window.record(t0 + Duration::from_secs(59));
        assert_eq!(window.count(t0 + Duration::from_secs(59)), 3);
        // Exactly a minute old: out.
        assert_eq!(window.count(t0 + Duration::from_secs(60)), 2);
        assert_eq!(window.count(t0 + Duration::from_secs(69)), 2);
        assert_eq!(window.count(t0 + Duration::from_secs(70)), 1);
        assert_eq!(window.count(t0 + Duration::from_secs(200)), 0);
        window.record(t0 + Duration::from_secs(201));
        assert_eq!(window.count(t0 + Duration::from_secs(201)), 1);
    }

    #[test]
    fn rate_limit_headers_in_both_spellings() {
        let pagerduty = headers(&[
            ("ratelimit-limit", "960"),
            ("ratelimit-remaining", "912"),
            ("ratelimit-reset", "37"),
        ]);
        assert_eq!(
            vendor_budget(&pagerduty),
            Some(VendorBudget {
                limit: Some(960),
                remaining: Some(912),
                reset_after: Some(Duration::from_secs(37)),
            })
        );
        let prefixed = headers(&[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4999"),
        ]);
        assert_eq!(
            vendor_budget(&prefixed),
            Some(VendorBudget {
                limit: Some(5000),
                remaining: Some(4999),
                reset_after: None,
            })
        );
        // A Unix time (GitHub's `x-ratelimit-reset`) long past: nothing left to wait.
        let epoch = headers(&[("x-ratelimit-reset", "1700000000")]);
        assert_eq!(
            vendor_budget(&epoch).and_then(|b| b.reset_after),
            Some(Duration::ZERO)
        );
        assert_eq!(
            vendor_budget(&headers(&[("content-type", "application/json")])),
            None
        );
        // Garbage is ignored, not misread.
        let garbage = headers(&[("ratelimit-limit", "lots"), ("ratelimit-remaining", "-1")]);
        assert_eq!(vendor_budget(&garbage), None);
    }

    #[test]
    fn the_pace_never_puts_more_than_the_cap_in_a_minute() {
        for cap in [1, 2, 5, 6, 7, 20, 96, 120, 960] {
            let pace = Pace::per_minute(cap);
            assert!(pace.burst >= 1, "{pace:?}");
            assert!(
                pace.most_within(Duration::from_secs(60)) <= cap,
                "{cap}: {pace:?} allows {}",
                pace.most_within(Duration::from_secs(60))
            );
        }
        let default_share = Pace::per_minute(96);
        assert_eq!(default_share.burst, 16);
        assert_eq!(default_share.interval, Duration::from_millis(750));
        // Zero means one: a cap of nothing would stall the source for good.
        assert_eq!(Pace::per_minute(0), Pace::per_minute(1));
    }

    #[test]
    fn the_limiter_admits_the_burst_then_refuses() {
        let pace = Pace::per_minute(120);
        let limiter = RateLimiter::direct(pace.quota());
        let admitted = (0..pace.burst * 2)
            .filter(|_| limiter.check().is_ok())
            .count();
        // Checked in a tight loop, far quicker than one refill (600 ms): the burst, give or
        // take the one refill a very slow machine might see.
        assert!(
            admitted == pace.burst as usize || admitted == pace.burst as usize + 1,
            "{admitted} of {pace:?}"
        );
    }

    #[test]
    fn budget_reports_the_cap_and_an_idle_client() {
        let client = JsonClient::new(
            "PagerDuty",
            "http://127.0.0.1:9",
            Some((reqwest::header::AUTHORIZATION, "Token token=x")),
            &[],
            HttpOptions {
                max_per_minute: Some(96),
                ..HttpOptions::default()
            },
        )
        .expect("client builds");
        assert_eq!(
            client.budget(),
            Budget {
                requests_last_minute: 0,
                allowed_per_minute: Some(96),
                ..Budget::default()
            }
        );
        client.note_vendor_budget(&headers(&[
            ("ratelimit-limit", "960"),
            ("ratelimit-remaining", "900"),
        ]));
        let budget = client.clone().budget();
        assert_eq!(
            (budget.vendor_limit, budget.vendor_remaining),
            (Some(960), Some(900))
        );
    }

    #[test]
    fn the_urgent_lane_sustains_its_rate_and_the_lanes_stay_within_the_cap() {
        // 96/min with a quick poll every 3 s (20/min).
        let (bulk, urgent) = lanes(Some(96), Some(20)).expect("a cap gives lanes");
        let urgent = urgent.expect("an urgent lane");
        assert_eq!(bulk.per_minute + urgent.per_minute, 96);
        // Once its burst is spent, the urgent lane still refills at least 20 a minute.
        let sustained = Duration::from_secs(60).as_secs_f64() / urgent.interval.as_secs_f64();
        assert!(
            sustained >= 20.0,
            "urgent lane sustains only {sustained:.1}/min"
        );
        assert!(
            bulk.most_within(Duration::from_secs(60)) + urgent.most_within(Duration::from_secs(60))
                <= 96
        );
        // No lane asked for, or no cap at all.
        assert_eq!(lanes(Some(96), None), Some((Pace::per_minute(96), None)));
        assert_eq!(lanes(None, Some(20)), None);
        // A tiny cap still leaves the bulk lane one request.
        let (bulk, urgent) = lanes(Some(4), Some(20)).expect("lanes");
        assert_eq!(
            (bulk.per_minute, urgent.map(|u| u.per_minute)),
            (1, Some(3))
        );
    }
}
