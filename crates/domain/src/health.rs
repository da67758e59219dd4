//! Whether each configured source is fresh, stale or failing — the header's dots.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::labels::SourceKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    Ok,
    Stale,
    Error,
    Unknown,
}

/// One source's health as shown in the header and in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SourceHealth {
    /// The configured source name (several sources may share a kind, e.g. one per cluster).
    pub name: String,
    pub kind: SourceKind,
    pub state: HealthState,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The most recent error, kept after recovery so Settings can show what went wrong last.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// One line for the hover text: why the state is what it is, and the request budget.
    pub message: Option<String>,
    /// Requests sent to the vendor in the last minute (real time); `None` for a source that
    /// does not count them.
    pub requests_per_minute: Option<u32>,
    /// The most opsdeck lets itself send per minute (its share of the vendor's limit).
    pub allowed_per_minute: Option<u32>,
    /// What the vendor said is left of its own limit (its rate-limit headers), and that limit.
    pub vendor_remaining: Option<u32>,
    pub vendor_limit: Option<u32>,
}

/// A source's request budget as the header shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestBudget {
    pub requests_per_minute: u32,
    pub allowed_per_minute: Option<u32>,
    pub vendor_remaining: Option<u32>,
    pub vendor_limit: Option<u32>,
}

impl SourceHealth {
    /// Fills in the request budget and says it in the hover line, e.g. "PagerDuty ok · 34
    /// req/min of 96 allowed · 912/960 left at PagerDuty".
    pub fn with_budget(mut self, budget: RequestBudget) -> SourceHealth {
        self.requests_per_minute = Some(budget.requests_per_minute);
        self.allowed_per_minute = budget.allowed_per_minute;
        self.vendor_remaining = budget.vendor_remaining;
        self.vendor_limit = budget.vendor_limit;
        let vendor = self.kind.label();
        let mut parts = vec![match self.message.take() {
            Some(why) => why,
            None => format!("{vendor} {}", state_word(self.state)),
        }];
        parts.push(match budget.allowed_per_minute {
            Some(allowed) => format!(
                "{} req/min of {allowed} allowed",
                budget.requests_per_minute
            ),
            None => format!("{} req/min", budget.requests_per_minute),
        });
        if let Some(left) = budget.vendor_remaining {
            parts.push(match budget.vendor_limit {
                Some(limit) => format!("{left}/{limit} left at {vendor}"),
                None => format!("{left} left at {vendor}"),
            });
        }
        self.message = Some(parts.join(" · "));
        self
    }
}

fn state_word(state: HealthState) -> &'static str {
    match state {
        HealthState::Ok => "ok",
        HealthState::Stale => "stale",
        HealthState::Error => "error",
        HealthState::Unknown => "not synced yet",
    }
}

/// The state from the two timestamps a store keeps.
///
/// - `Unknown`: never attempted.
/// - `Error`: the latest attempt failed, i.e. the last error is not older than the last
///   success. Ties count as an error: a caller that knows the order better (a frozen simulated
///   clock makes ties common) passes `last_error_at = None` once a success followed it.
/// - `Stale`: the last success is older than `stale_after`.
/// - `Ok` otherwise.
pub fn health_state(
    last_success_at: Option<DateTime<Utc>>,
    last_error_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    stale_after: Duration,
) -> HealthState {
    match (last_success_at, last_error_at) {
        (None, None) => HealthState::Unknown,
        (None, Some(_)) => HealthState::Error,
        (Some(ok), Some(err)) if err >= ok => HealthState::Error,
        (Some(ok), _) if now - ok > stale_after => HealthState::Stale,
        (Some(_), _) => HealthState::Ok,
    }
}

/// What a store remembers about a source's sync attempts; [`HealthRecord::assess`] turns it
/// into what the user sees at a given `now`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthRecord {
    pub name: String,
    pub kind: SourceKind,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// Whether the most recent attempt failed, recorded in the order attempts happened, so
    /// that equal timestamps (a frozen clock) still resolve to the right state.
    pub last_attempt_failed: bool,
}

impl HealthRecord {
    pub fn assess(&self, now: DateTime<Utc>, stale_after: Duration) -> SourceHealth {
        let error_at = if self.last_attempt_failed {
            // A failure is always the latest attempt here, even if the clock went backwards.
            self.last_error_at.or(self.last_attempt_at)
        } else {
            None
        };
        let success_at = match (self.last_success_at, error_at) {
            (Some(ok), Some(err)) if ok > err => Some(err),
            (ok, _) => ok,
        };
        let state = health_state(success_at, error_at, now, stale_after);
        let message = match state {
            HealthState::Ok => None,
            HealthState::Unknown => Some("not synced yet".to_owned()),
            HealthState::Error => Some(
                self.last_error
                    .clone()
                    .unwrap_or_else(|| "the last sync failed".to_owned()),
            ),
            HealthState::Stale => self.last_success_at.map(|at| {
                format!(
                    "no successful sync for {} (since {})",
                    describe_age(now - at),
                    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                )
            }),
        };
        SourceHealth {
            name: self.name.clone(),
            kind: self.kind,
            state,
            last_attempt_at: self.last_attempt_at,
            last_success_at: self.last_success_at,
            last_error: self.last_error.clone(),
            last_error_at: self.last_error_at,
            message,
            requests_per_minute: None,
            allowed_per_minute: None,
            vendor_remaining: None,
            vendor_limit: None,
        }
    }
}

fn describe_age(age: Duration) -> String {
    let minutes = age.num_minutes();
    if minutes < 1 {
        format!("{} s", age.num_seconds().max(0))
    } else if minutes < 120 {
        format!("{minutes} min")
    } else {
        format!("{} h", age.num_hours())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 29, 8, minute, 0).unwrap()
    }

    #[test]
    fn health_state_table() {
        let stale_after = Duration::minutes(5);
        let now = t(30);
        let cases = [
            (None, None, HealthState::Unknown, "never attempted"),
            (None, Some(t(29)), HealthState::Error, "only failures"),
            (Some(t(29)), None, HealthState::Ok, "recent success"),
            (
                Some(t(25)),
                None,
                HealthState::Ok,
                "exactly stale_after old",
            ),
            (
                Some(t(24)),
                None,
                HealthState::Stale,
                "older than stale_after",
            ),
            (
                Some(t(28)),
                Some(t(29)),
                HealthState::Error,
                "failed after success",
            ),
            (Some(t(29)), Some(t(28)), HealthState::Ok, "recovered"),
            (
                Some(t(10)),
                Some(t(5)),
                HealthState::Stale,
                "recovered long ago",
            ),
            (
                Some(t(10)),
                Some(t(20)),
                HealthState::Error,
                "error beats stale",
            ),
            (
                Some(t(29)),
                Some(t(29)),
                HealthState::Error,
                "tie counts as error",
            ),
        ];
        for (success, error, expected, why) in cases {
            assert_eq!(
                health_state(success, error, now, stale_after),
                expected,
                "{why}"
            );
        }
    }

    fn record() -> HealthRecord {
        HealthRecord {
            name: "pd".into(),
            kind: SourceKind::Pagerduty,
            last_attempt_at: None,
            last_success_at: None,
            last_error: None,
            last_error_at: None,
            last_attempt_failed: false,
        }
    }

    #[test]
    fn assess_uses_attempt_order_when_the_clock_is_frozen() {
        let at = t(0);
        let failed_then_recovered = HealthRecord {
            last_attempt_at: Some(at),
            last_success_at: Some(at),
            last_error: Some("HTTP 503".into()),
            last_error_at: Some(at),
            last_attempt_failed: false,
            ..record()
        };
        let health = failed_then_recovered.assess(at, Duration::minutes(5));
        assert_eq!(health.state, HealthState::Ok);
        assert_eq!(health.message, None);
        assert_eq!(health.last_error.as_deref(), Some("HTTP 503"));

        let recovered_then_failed = HealthRecord {
            last_attempt_failed: true,
            ..failed_then_recovered
        };
        let health = recovered_then_failed.assess(at, Duration::minutes(5));
        assert_eq!(health.state, HealthState::Error);
        assert_eq!(health.message.as_deref(), Some("HTTP 503"));
    }

    #[test]
    fn assess_explains_stale_and_unknown() {
        let stale = HealthRecord {
            last_attempt_at: Some(t(0)),
            last_success_at: Some(t(0)),
            ..record()
        }
        .assess(t(45), Duration::minutes(5));
        assert_eq!(stale.state, HealthState::Stale);
        assert_eq!(
            stale.message.as_deref(),
            Some("no successful sync for 45 min (since 2026-03-29T08:00:00Z)")
        );
        let unknown = record().assess(t(45), Duration::minutes(5));
        assert_eq!(unknown.state, HealthState::Unknown);
        assert_eq!(unknown.message.as_deref(), Some("not synced yet"));
    }

    #[test]
    fn the_budget_joins_the_hover_line() {
        let at = t(0);
        let ok = HealthRecord {
            last_attempt_at: Some(at),
            last_success_at: Some(at),
            ..record()
        }
        .assess(at, Duration::minutes(5));
        let budget = RequestBudget {
            requests_per_minute: 34,
            allowed_per_minute: Some(96),
            vendor_remaining: Some(912),
            vendor_limit: Some(960),
        };
        let health = ok.clone().with_budget(budget);
        assert_eq!(
            health.message.as_deref(),
            Some("PagerDuty ok · 34 req/min of 96 allowed · 912/960 left at PagerDuty")
        );
        assert_eq!(
            (
                health.requests_per_minute,
                health.allowed_per_minute,
                health.vendor_remaining,
                health.vendor_limit
            ),
            (Some(34), Some(96), Some(912), Some(960))
        );
        // A reason stays first; what the vendor never said is left out.
        let failed = HealthRecord {
            last_error: Some("PagerDuty: HTTP 503".into()),
            last_error_at: Some(at),
            last_attempt_failed: true,
            ..record()
        }
        .assess(at, Duration::minutes(5))
        .with_budget(RequestBudget {
            requests_per_minute: 3,
            allowed_per_minute: None,
            ..RequestBudget::default()
        });
        assert_eq!(
            failed.message.as_deref(),
            Some("PagerDuty: HTTP 503 · 3 req/min")
        );
        let value = serde_json::to_value(&health).unwrap();
        assert_eq!(value["requests_per_minute"], 34);
        assert_eq!(value["vendor_remaining"], 912);
        assert!(serde_json::to_value(&ok).unwrap()["vendor_limit"].is_null());
    }

    #[test]
    fn health_json_shape() {
        let health = record().assess(t(0), Duration::minutes(5));
        let value = serde_json::to_value(&health).unwrap();
        assert_eq!(value["state"], "unknown");
        assert_eq!(value["kind"], "pagerduty");
        assert!(value["last_success_at"].is_null());
    }
}
