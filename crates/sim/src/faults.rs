//! Fault injection, for tests only: a server that speaks its vendor's protocol correctly can be told
//! to fail in the ways real networks and vendors do, so opsdeck's bad-input and timeout tests
//! run against the real simulator. Inert unless a test pushes a fault.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Which requests a fault applies to, by path (the query string is not compared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathMatch {
    Any,
    /// Exactly this path, such as `/incidents`.
    Exact(String),
    /// Paths starting with this, such as `/incidents/` for every single incident.
    Prefix(String),
}

impl PathMatch {
    pub fn exact(path: &str) -> PathMatch {
        PathMatch::Exact(path.to_owned())
    }

    pub fn prefix(path: &str) -> PathMatch {
        PathMatch::Prefix(path.to_owned())
    }

    pub fn matches(&self, path: &str) -> bool {
        match self {
            PathMatch::Any => true,
            PathMatch::Exact(p) => p == path,
            PathMatch::Prefix(p) => path.starts_with(p.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// That status with the vendor's error body (429 also sends `retry-after`, and PagerDuty's
    /// `ratelimit-reset`); a status that is not a valid HTTP code answers 500.
    Status(u16),
    /// 429 with the vendor's error body, asking (`retry-after`, `ratelimit-reset`) for this
    /// long a wait, in whole seconds. GitHub answers it as a secondary rate limit.
    RateLimited(Duration),
    /// GitHub's secondary rate limit as it usually comes: 403 with `retry-after` (whole
    /// seconds) and the "You have exceeded a secondary rate limit" body. Vendors without one
    /// answer as for [`Fault::RateLimited`].
    SecondaryRateLimit(Duration),
    /// The real response with its body cut in half (the status and framing stay valid).
    Truncated,
    /// The real response with wrongly typed fields. PagerDuty: `incident_number`,
    /// `escalation_level`, `limit` and `offset` as strings, `created_at`, `updated_at`,
    /// `start` and `end` as numbers. GitHub: `id`, `run_id`, `run_number`, `run_attempt` and
    /// `total_count` as strings, `created_at`, `updated_at`, `started_at`, `completed_at` and
    /// `run_started_at` as numbers.
    WrongTypes,
    /// A 200 whose body is not JSON at all (an HTML error page) though labelled JSON.
    Malformed,
    /// The real response, only after this long.
    Hang(Duration),
    /// No response until the server stops.
    HangUntilStopped,
}

impl Fault {
    /// Whether the body served under this fault is deliberately not what the spec describes.
    pub fn corrupts_body(&self) -> bool {
        matches!(
            self,
            Fault::Truncated | Fault::WrongTypes | Fault::Malformed
        )
    }
}

#[derive(Debug)]
struct Rule {
    path: PathMatch,
    fault: Fault,
    remaining: Option<usize>,
}

/// The server's list of pending faults; clones share it.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl Faults {
    /// Applies `fault` to the next `times` matching requests (`None`: until cleared). Rules
    /// apply in the order pushed; the first match wins.
    pub fn push(&self, path: PathMatch, fault: Fault, times: Option<usize>) {
        if times == Some(0) {
            return;
        }
        self.lock().push(Rule {
            path,
            fault,
            remaining: times,
        });
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// How many rules are still armed.
    pub fn pending(&self) -> usize {
        self.lock().len()
    }

    /// The fault for a request to `path`, using up one of its times.
    pub(crate) fn take(&self, path: &str) -> Option<Fault> {
        let mut rules = self.lock();
        let index = rules.iter().position(|r| r.path.matches(path))?;
        let rule = &mut rules[index];
        let fault = rule.fault.clone();
        if let Some(remaining) = &mut rule.remaining {
            *remaining -= 1;
            if *remaining == 0 {
                rules.remove(index);
            }
        }
        Some(fault)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Rule>> {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// An HTML page where JSON was promised, like a proxy's error page.
const MALFORMED_BODY: &str =
    "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>";

/// The body as `fault` serves it: cut in half, replaced by HTML, or with its fields wrongly
/// typed by the vendor's `wrong_types`; any other fault leaves it alone.
pub(crate) fn shape_body(
    fault: Option<&Fault>,
    bytes: axum::body::Bytes,
    wrong_types: impl Fn(&mut serde_json::Value),
) -> axum::body::Bytes {
    match fault {
        Some(Fault::Truncated) => bytes.slice(..bytes.len() / 2),
        Some(Fault::Malformed) => axum::body::Bytes::from_static(MALFORMED_BODY.as_bytes()),
        Some(Fault::WrongTypes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(mut value) => {
                wrong_types(&mut value);
                axum::body::Bytes::from(value.to_string())
            }
            Err(_) => bytes,
        },
        _ => bytes,
    }
}

/// Holds the response as a hanging `fault` asks: for its duration, or until the server stops.
pub(crate) async fn hang(fault: Option<&Fault>, stopping: &tokio::sync::watch::Receiver<bool>) {
    let mut stopping = stopping.clone();
    match fault {
        Some(Fault::Hang(duration)) => {
            tokio::select! {
                () = tokio::time::sleep(*duration) => {}
                _ = stopping.wait_for(|stop| *stop) => {}
            }
        }
        Some(Fault::HangUntilStopped) => {
            // An error means the stop signal is gone, which also means stopping.
            let _ = stopping.wait_for(|stop| *stop).await;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_count_down_and_match_paths() {
        let faults = Faults::default();
        faults.push(PathMatch::exact("/incidents"), Fault::Status(500), Some(2));
        faults.push(PathMatch::prefix("/incidents/"), Fault::Malformed, None);
        faults.push(PathMatch::Any, Fault::Truncated, Some(0));
        assert_eq!(faults.pending(), 2);
        assert_eq!(faults.take("/oncalls"), None);
        assert_eq!(faults.take("/incidents"), Some(Fault::Status(500)));
        assert_eq!(faults.take("/incidents"), Some(Fault::Status(500)));
        assert_eq!(faults.take("/incidents"), None);
        assert_eq!(faults.take("/incidents/Q1"), Some(Fault::Malformed));
        assert_eq!(faults.take("/incidents/Q1"), Some(Fault::Malformed));
        faults.clear();
        assert_eq!(faults.take("/incidents/Q1"), None);
    }
}
