//! PagerDuty's REST rate limit: 960 requests per minute per API token, announced on every
//! response with `ratelimit-limit`, `ratelimit-remaining` and `ratelimit-reset` (seconds).
//! Runs on the real monotonic clock, like the real service, whatever the simulated speed.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};

pub(crate) const PER_MINUTE: u32 = 960;
const WINDOW: Duration = Duration::from_secs(60);

/// What is left of a token's budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    pub limit: u32,
    pub remaining: u32,
    pub reset_s: u64,
}

impl Budget {
    pub(crate) fn write(&self, headers: &mut HeaderMap) {
        headers.insert("ratelimit-limit", HeaderValue::from(self.limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(self.remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(self.reset_s));
    }
}

#[derive(Debug)]
struct Window {
    started: Instant,
    used: u32,
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: u32,
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32) -> RateLimiter {
        RateLimiter {
            limit,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request for `token`; `Err` when the token's minute is used up.
    pub(crate) fn charge(&self, token: &str) -> Result<Budget, Budget> {
        self.charge_at(token, Instant::now())
    }

    fn charge_at(&self, token: &str, now: Instant) -> Result<Budget, Budget> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows.entry(token.to_owned()).or_insert(Window {
            started: now,
            used: 0,
        });
        if now.duration_since(window.started) >= WINDOW {
            *window = Window {
                started: now,
                used: 0,
            };
        }
        let left = WINDOW.saturating_sub(now.duration_since(window.started));
        // Round up so a client that waits `reset` seconds is always past the window.
        let reset_s = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        if window.used >= self.limit {
            return Err(Budget {
                limit: self.limit,
                remaining: 0,
                reset_s,
            });
        }
        window.used += 1;
        Ok(Budget {
            limit: self.limit,
            remaining: self.limit - window.used,
            reset_s,
        })
    }

    /// The full budget, for responses that charge nothing (no token).
    pub(crate) fn untouched(&self) -> Budget {
        Budget {
            limit: self.limit,
            remaining: self.limit,
            reset_s: WINDOW.as_secs(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_runs_out_per_token_and_resets_after_a_minute() {
        let limiter = RateLimiter::new(2);
        let t0 = Instant::now();
        let first = limiter.charge_at("a", t0).expect("within budget");
        assert_eq!((first.remaining, first.reset_s), (1, 60));
        assert!(limiter.charge_at("a", t0).is_ok());
        let refused = limiter
            .charge_at("a", t0 + Duration::from_millis(20_500))
            .expect_err("third request in the minute");
        assert_eq!((refused.remaining, refused.reset_s), (0, 40));
        assert!(limiter.charge_at("b", t0).is_ok(), "tokens are separate");
        let later = limiter.charge_at("a", t0 + WINDOW).expect("a new minute");
        assert_eq!(later.remaining, 1);
    }
}
