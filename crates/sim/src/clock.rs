//! The simulated clock. Every process of a simulated run (the simulator, `opsdeck` commands, the
//! desktop app) computes "now" from these three numbers and its own wall clock, so they agree
//! without talking to each other; the `opsdeck sim` config carries them verbatim.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// `now() = simulated_at + (wall clock - real_at) * speed`; speed 0 freezes the simulated time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SimClock {
    /// The simulated instant at `real_at`.
    pub simulated_at: DateTime<Utc>,
    /// The wall-clock instant at which the simulated time was `simulated_at`.
    pub real_at: DateTime<Utc>,
    /// Simulated seconds per real second.
    pub speed: f64,
}

impl SimClock {
    /// A clock that reads `simulated_at` right now and moves at `speed`.
    pub fn starting_now(simulated_at: DateTime<Utc>, speed: f64) -> SimClock {
        SimClock {
            simulated_at,
            real_at: Utc::now(),
            speed,
        }
    }

    /// A clock stopped at `simulated_at`.
    pub fn frozen(simulated_at: DateTime<Utc>) -> SimClock {
        SimClock::starting_now(simulated_at, 0.0)
    }

    /// The simulated now, from the wall clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.at_real(Utc::now())
    }

    /// The simulated instant when the wall clock reads `real`. Saturates instead of overflowing,
    /// and a non-finite speed counts as frozen, so a hand-edited config cannot make it panic.
    pub fn at_real(&self, real: DateTime<Utc>) -> DateTime<Utc> {
        if self.speed == 0.0 || !self.speed.is_finite() {
            return self.simulated_at;
        }
        let elapsed = real - self.real_at;
        let nanos = elapsed
            .num_nanoseconds()
            .map_or_else(|| elapsed.num_milliseconds() as f64 * 1e6, |n| n as f64);
        let scaled = nanos * self.speed;
        let saturated = if scaled > 0.0 {
            DateTime::<Utc>::MAX_UTC
        } else {
            DateTime::<Utc>::MIN_UTC
        };
        // Beyond ±292 years nanoseconds overflow i64; seconds still fit (or saturate).
        let delta = if scaled.abs() < i64::MAX as f64 {
            Some(TimeDelta::nanoseconds(scaled as i64))
        } else {
            TimeDelta::try_seconds((scaled / 1e9) as i64)
        };
        delta
            .and_then(|d| self.simulated_at.checked_add_signed(d))
            .unwrap_or(saturated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, s)
            .single()
            .expect("valid test instant")
    }

    #[test]
    fn now_follows_the_formula() {
        let clock = SimClock {
            simulated_at: t(6, 0, 0),
            real_at: t(12, 0, 0),
            speed: 30.0,
        };
        assert_eq!(clock.at_real(t(12, 0, 0)), t(6, 0, 0));
        assert_eq!(clock.at_real(t(12, 0, 2)), t(6, 1, 0));
        assert_eq!(clock.at_real(t(11, 59, 58)), t(5, 59, 0));
        let half = SimClock {
            speed: 0.5,
            ..clock
        };
        assert_eq!(half.at_real(t(12, 0, 4)), t(6, 0, 2));
    }

    #[test]
    fn speed_zero_and_nonsense_speeds_freeze() {
        for speed in [0.0, f64::NAN, f64::INFINITY] {
            let clock = SimClock {
                simulated_at: t(6, 0, 0),
                real_at: t(12, 0, 0),
                speed,
            };
            assert_eq!(clock.at_real(t(18, 0, 0)), t(6, 0, 0), "{speed}");
        }
    }

    #[test]
    fn huge_speeds_saturate() {
        let clock = SimClock {
            simulated_at: t(6, 0, 0),
            real_at: t(12, 0, 0),
            speed: 1e300,
        };
        assert_eq!(clock.at_real(t(12, 0, 1)), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn starting_now_reads_its_start_and_moves() {
        let clock = SimClock::starting_now(t(6, 0, 0), 1000.0);
        let now = clock.now();
        assert!(now >= t(6, 0, 0), "{now}");
        assert!(now < t(7, 0, 0), "{now}");
        assert_eq!(SimClock::frozen(t(6, 0, 0)).now(), t(6, 0, 0));
    }

    #[test]
    fn serializes_as_three_plain_fields() {
        let clock = SimClock {
            simulated_at: t(6, 0, 0),
            real_at: t(12, 0, 0),
            speed: 30.0,
        };
        let json = serde_json::to_value(clock).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({
                "simulated_at": "2026-05-04T06:00:00Z",
                "real_at": "2026-05-04T12:00:00Z",
                "speed": 30.0
            })
        );
        let back: SimClock = serde_json::from_value(json).expect("deserializes");
        assert_eq!(back, clock);
    }
}
