//! GitHub's primary rate limit: 5,000 requests an hour per token (the simulator treats every
//! token as its own user), announced on every response with `x-ratelimit-limit`,
//! `-remaining`, `-used`, `-reset` and `-resource`. The hour starts with a token's first
//! request, as GitHub's does.
//!
//! Like the real service (and PagerDuty's simulated limit) it runs on real time, not the
//! simulated clock: the window ends an hour of wall-clock time after it started, and `reset`
//! is that instant in Unix seconds, so a client computing `reset - now` from its own clock
//! waits the right time at any simulated speed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue};

pub(crate) const PER_HOUR: u32 = 5000;
/// What GitHub allows a request without a token.
const ANONYMOUS_PER_HOUR: u32 = 60;
const WINDOW: Duration = Duration::from_secs(3600);

/// What is left of a token's hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Budget {
    pub limit: u32,
    pub used: u32,
    pub remaining: u32,
    /// When the hour ends, in Unix seconds.
    pub reset: u64,
}

impl Budget {
    pub(crate) fn write(&self, headers: &mut HeaderMap) {
        headers.insert("x-ratelimit-limit", HeaderValue::from(self.limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(self.remaining));
        headers.insert("x-ratelimit-used", HeaderValue::from(self.used));
        headers.insert("x-ratelimit-reset", HeaderValue::from(self.reset));
        headers.insert("x-ratelimit-resource", HeaderValue::from_static("core"));
    }

    /// A budget for a request without a token, which the simulator refuses before counting.
    pub(crate) fn anonymous() -> Budget {
        Budget {
            limit: ANONYMOUS_PER_HOUR,
            used: 0,
            remaining: ANONYMOUS_PER_HOUR,
            reset: epoch_seconds(SystemTime::now() + WINDOW),
        }
    }
}

#[derive(Debug)]
struct Window {
    started: Instant,
    reset: u64,
    used: u32,
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    limit: AtomicU32,
    windows: Mutex<HashMap<String, Window>>,
}

impl RateLimiter {
    pub(crate) fn new(limit: u32) -> RateLimiter {
        RateLimiter {
            limit: AtomicU32::new(limit),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Changes the hourly limit of every token; what they used this hour still counts.
    pub(crate) fn set_limit(&self, limit: u32) {
        self.limit.store(limit, Ordering::Relaxed);
    }

    /// Counts one request for `token`; `Err` (counting nothing) when its hour is used up.
    pub(crate) fn charge(&self, token: &str) -> Result<Budget, Budget> {
        self.with_window(token, |window, limit| {
            if window.used >= limit {
                return Err(budget(window, limit));
            }
            window.used += 1;
            Ok(budget(window, limit))
        })
    }

    /// Gives back a request counted by [`RateLimiter::charge`] (a 304 does not count).
    pub(crate) fn refund(&self, token: &str) -> Budget {
        self.with_window(token, |window, limit| {
            window.used = window.used.saturating_sub(1);
            budget(window, limit)
        })
    }

    /// The token's budget, counting nothing.
    pub(crate) fn peek(&self, token: &str) -> Budget {
        self.with_window(token, |window, limit| budget(window, limit))
    }

    fn with_window<T>(&self, token: &str, f: impl FnOnce(&mut Window, u32) -> T) -> T {
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let window = windows
            .entry(token.to_owned())
            .or_insert_with(|| fresh(now));
        if now.duration_since(window.started) >= WINDOW {
            *window = fresh(now);
        }
        f(window, self.limit.load(Ordering::Relaxed))
    }
}

fn fresh(now: Instant) -> Window {
    Window {
        started: now,
        reset: epoch_seconds(SystemTime::now() + WINDOW),
        used: 0,
    }
}

fn budget(window: &Window, limit: u32) -> Budget {
    Budget {
        limit,
        used: window.used,
        remaining: limit.saturating_sub(window.used),
        reset: window.reset,
    }
}

pub(crate) fn epoch_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_runs_out_per_token_and_refunds_give_back() {
        let limiter = RateLimiter::new(2);
        let first = limiter.charge("a").expect("within budget");
        assert_eq!((first.used, first.remaining), (1, 1));
        let now = epoch_seconds(SystemTime::now());
        assert!(
            (now + 3590..=now + 3600).contains(&first.reset),
            "{first:?}"
        );
        assert_eq!(limiter.refund("a").remaining, 2);
        assert!(limiter.charge("a").is_ok());
        assert!(limiter.charge("a").is_ok());
        let refused = limiter.charge("a").expect_err("third request in the hour");
        assert_eq!((refused.used, refused.remaining), (2, 0));
        assert_eq!(refused.reset, first.reset, "the same hour");
        assert!(limiter.charge("b").is_ok(), "tokens are separate");
        limiter.set_limit(3);
        assert_eq!(limiter.peek("a").remaining, 1);
    }
}
