//! "Now" for data. The engine never reads the wall clock directly: under the simulator every
//! process computes the same simulated now from the config the simulator wrote.

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that was at `simulated_at` when the wall clock read `real_at`, and runs at `speed`×
/// real time (0 = frozen). The wall clock (not a monotonic one) anchors it because other
/// processes — the CLI, the desktop app — must agree on the same now from the config alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScaledClock {
    pub simulated_at: DateTime<Utc>,
    pub real_at: DateTime<Utc>,
    pub speed: f64,
}

impl ScaledClock {
    pub fn at(&self, wall: DateTime<Utc>) -> DateTime<Utc> {
        let elapsed_ms = (wall - self.real_at).num_milliseconds() as f64;
        let scaled = chrono::Duration::milliseconds((elapsed_ms * self.speed).round() as i64);
        self.simulated_at + scaled
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        self.at(Utc::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn scaled_clock_runs_at_its_speed_and_frozen_stays_put() {
        let sim = Utc.with_ymd_and_hms(2026, 11, 22, 5, 40, 0).unwrap();
        let real = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let fast = ScaledClock {
            simulated_at: sim,
            real_at: real,
            speed: 30.0,
        };
        assert_eq!(
            fast.at(real + chrono::Duration::seconds(10)),
            sim + chrono::Duration::minutes(5)
        );
        let frozen = ScaledClock { speed: 0.0, ..fast };
        assert_eq!(frozen.at(real + chrono::Duration::hours(3)), sim);
    }
}
