//! Scenario times: local wall-clock times on the replayed date (or the morning after), and their
//! mapping to absolute instants in the scenario's time zone.

use std::fmt;

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// A time of the simulated day: `time` on the replayed date plus `day_offset` days.
///
/// Ordering is wall-clock order, which is also instant order except inside a DST gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScenarioTime {
    pub day_offset: u32,
    pub time: NaiveTime,
}

/// Why a scenario time string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("expected \"HH:MM\" or \"+1 HH:MM\"")]
    Format,
    #[error("no such time of day")]
    OutOfRange,
    #[error("only \"+1\" is allowed: a scenario covers one day and the morning after")]
    DayOffset,
}

impl ScenarioTime {
    /// Parses `"HH:MM"` or `"+1 HH:MM"`; a plain time before `day_starts` belongs to the next day.
    pub fn parse(text: &str, day_starts: NaiveTime) -> Result<ScenarioTime, TimeError> {
        let (explicit_next_day, clock) = match text.strip_prefix('+') {
            Some(rest) => {
                let (days, clock) = rest.split_once(' ').ok_or(TimeError::Format)?;
                if days.is_empty() || !days.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(TimeError::Format);
                }
                if days != "1" {
                    return Err(TimeError::DayOffset);
                }
                (true, clock.trim_start())
            }
            None => (false, text),
        };
        let time = parse_clock(clock)?;
        let day_offset = u32::from(explicit_next_day || time < day_starts);
        Ok(ScenarioTime { day_offset, time })
    }

    /// Midnight-relative minutes, handy for comparisons in tests and logs.
    pub fn minutes(&self) -> u32 {
        self.day_offset * 24 * 60 + self.time.hour() * 60 + self.time.minute()
    }
}

impl fmt::Display for ScenarioTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.day_offset > 0 {
            write!(f, "+{} ", self.day_offset)?;
        }
        write!(f, "{}", self.time.format("%H:%M"))
    }
}

/// Parses a plain `"HH:MM"` (also `"H:MM"`), as used by `clock.day_starts`.
pub fn parse_clock(text: &str) -> Result<NaiveTime, TimeError> {
    let (hours, minutes) = text.split_once(':').ok_or(TimeError::Format)?;
    let digits = |s: &str, max_len: usize| {
        !s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(hours, 2) || minutes.len() != 2 || !digits(minutes, 2) {
        return Err(TimeError::Format);
    }
    let hours: u32 = hours.parse().map_err(|_| TimeError::Format)?;
    let minutes: u32 = minutes.parse().map_err(|_| TimeError::Format)?;
    NaiveTime::from_hms_opt(hours, minutes, 0).ok_or(TimeError::OutOfRange)
}

/// The instant of scenario time `t` on `date` in `tz`.
pub fn instant_in(tz: Tz, date: NaiveDate, t: ScenarioTime) -> DateTime<Utc> {
    let day = date
        .checked_add_days(Days::new(u64::from(t.day_offset)))
        .unwrap_or(date);
    resolve_local(tz, day.and_time(t.time))
}

/// Maps a local wall-clock time to an instant: a time inside a DST gap moves forward by the gap,
/// an ambiguous one takes its first occurrence.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => {
            // Reading the skipped time with the offset in force before the gap lands exactly
            // "gap" later on the wall clock, which is what the design asks for.
            let offset_before = (1..=48).find_map(|hours| {
                match tz.offset_from_local_datetime(&(local - TimeDelta::hours(hours))) {
                    LocalResult::Single(o) => Some(o.fix()),
                    LocalResult::Ambiguous(_, later) => Some(later.fix()),
                    LocalResult::None => None,
                }
            });
            let seconds = offset_before.map_or(0, |o| o.local_minus_utc());
            Utc.from_utc_datetime(&(local - TimeDelta::seconds(i64::from(seconds))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid test time")
    }

    #[test]
    fn plain_times_before_day_start_roll_over() {
        let starts = hm(8, 0);
        let at = |s| ScenarioTime::parse(s, starts);
        assert_eq!(
            at("08:00"),
            Ok(ScenarioTime {
                day_offset: 0,
                time: hm(8, 0)
            })
        );
        assert_eq!(
            at("23:59"),
            Ok(ScenarioTime {
                day_offset: 0,
                time: hm(23, 59)
            })
        );
        assert_eq!(
            at("03:21"),
            Ok(ScenarioTime {
                day_offset: 1,
                time: hm(3, 21)
            })
        );
        assert_eq!(at("03:21"), at("+1 03:21"));
        assert_eq!(
            at("+1 09:00"),
            Ok(ScenarioTime {
                day_offset: 1,
                time: hm(9, 0)
            })
        );
        assert_eq!(
            at("7:59"),
            Ok(ScenarioTime {
                day_offset: 1,
                time: hm(7, 59)
            })
        );
    }

    #[test]
    fn malformed_times_are_refused() {
        let starts = hm(5, 0);
        for (text, expected) in [
            ("25:00", TimeError::OutOfRange),
            ("12:60", TimeError::OutOfRange),
            ("+2 05:00", TimeError::DayOffset),
            ("+0 05:00", TimeError::DayOffset),
            ("+x 05:00", TimeError::Format),
            ("+1", TimeError::Format),
            ("12", TimeError::Format),
            ("12:5", TimeError::Format),
            ("12:05:00", TimeError::Format),
            ("noon", TimeError::Format),
            ("", TimeError::Format),
            ("-1 05:00", TimeError::Format),
        ] {
            assert_eq!(ScenarioTime::parse(text, starts), Err(expected), "{text}");
        }
    }

    #[test]
    fn display_round_trips() {
        let starts = hm(5, 0);
        for text in ["05:00", "23:58", "+1 04:00", "+1 09:00"] {
            let t = ScenarioTime::parse(text, starts).expect("valid");
            assert_eq!(t.to_string(), text);
            assert_eq!(ScenarioTime::parse(&t.to_string(), starts), Ok(t));
        }
    }

    #[test]
    fn wall_clock_order_is_by_day_then_time() {
        let starts = hm(5, 0);
        let late = ScenarioTime::parse("23:58", starts).expect("valid");
        let early_next = ScenarioTime::parse("04:00", starts).expect("valid");
        assert!(late < early_next);
        assert_eq!(early_next.minutes(), 24 * 60 + 4 * 60);
    }
}
