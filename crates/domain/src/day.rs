//! Local days ("Today" in the user's or the scenario's timezone) as UTC ranges.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// `[start, end)` of the local calendar day `date` in `tz`, as UTC instants.
///
/// Days are not always 24 hours: DST makes 23- and 25-hour days, and where a transition happens
/// at midnight the local midnight may not exist (the day then starts at the first instant after
/// the gap) or occur twice (the day starts at the first occurrence). A day skipped entirely
/// (Samoa, 2011-12-30) comes out empty: `start == end`.
pub fn local_day_bounds(date: NaiveDate, tz: &Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = first_instant_at_or_after(date.and_time(chrono::NaiveTime::MIN), tz);
    let end = match date.succ_opt() {
        Some(next) => first_instant_at_or_after(next.and_time(chrono::NaiveTime::MIN), tz),
        // Only NaiveDate::MAX has no successor; its day ends where chrono's range does.
        None => DateTime::<Utc>::MAX_UTC,
    };
    (start, end)
}

/// The local calendar date of `instant` in `tz`.
pub fn local_date_of(instant: DateTime<Utc>, tz: &Tz) -> NaiveDate {
    instant.with_timezone(tz).date_naive()
}

/// The earliest instant whose local time in `tz` is at or after `local`.
fn first_instant_at_or_after(local: NaiveDateTime, tz: &Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
        LocalResult::None => gap_end(local, tz),
    }
}

/// The transition instant that ends the DST gap containing `local`.
///
/// With the offsets before and after the gap, `local - after <= transition <= local - before`;
/// within that window local time only jumps forward once, so "local time >= `local`" is
/// monotonic and a binary search over whole seconds (tz data transitions are whole seconds)
/// finds the first instant past the gap.
fn gap_end(local: NaiveDateTime, tz: &Tz) -> DateTime<Utc> {
    // Two days either side is well clear of any single gap (the longest, Samoa's, is 24 h).
    let margin = Duration::days(2);
    // Probing with the wall time read as UTC is off by at most a day, well inside the margin.
    let offset_secs =
        |probe: NaiveDateTime| tz.offset_from_utc_datetime(&probe).fix().local_minus_utc();
    let before = i64::from(offset_secs(local - margin));
    let after = i64::from(offset_secs(local + margin));
    let local_secs = local.and_utc().timestamp();
    let is_past_gap = |secs: i64| {
        DateTime::from_timestamp(secs, 0)
            .is_some_and(|at| at.with_timezone(tz).naive_local() >= local)
    };

    let (mut lo, mut hi) = (local_secs - after, local_secs - before);
    if lo > hi || !is_past_gap(hi) {
        // Not the shape of a forward jump; fall back to walking forward minute by minute.
        return walk_forward(local, tz);
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if is_past_gap(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    DateTime::from_timestamp(lo, 0).unwrap_or_else(|| walk_forward(local, tz))
}

fn walk_forward(local: NaiveDateTime, tz: &Tz) -> DateTime<Utc> {
    let mut probe = local;
    // Bounded: no zone has a gap longer than a day.
    for _ in 0..(3 * 24 * 60) {
        probe += Duration::minutes(1);
        match tz.from_local_datetime(&probe) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => return a.min(b).with_timezone(&Utc),
            LocalResult::None => {}
        }
    }
    // Unreachable with real tz data; reading the wall time as UTC keeps the result ordered.
    local.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America, Europe, Pacific};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn ordinary_day_is_24_hours() {
        let (start, end) = local_day_bounds(date(2026, 6, 1), &Europe::Berlin);
        assert_eq!(start, utc("2026-05-31T22:00:00Z"));
        assert_eq!(end, utc("2026-06-01T22:00:00Z"));
    }

    #[test]
    fn berlin_spring_forward_is_23_hours() {
        let (start, end) = local_day_bounds(date(2026, 3, 29), &Europe::Berlin);
        assert_eq!(start, utc("2026-03-28T23:00:00Z"));
        assert_eq!(end, utc("2026-03-29T22:00:00Z"));
        assert_eq!(end - start, Duration::hours(23));
    }

    #[test]
    fn berlin_fall_back_is_25_hours() {
        let (start, end) = local_day_bounds(date(2026, 10, 25), &Europe::Berlin);
        assert_eq!(start, utc("2026-10-24T22:00:00Z"));
        assert_eq!(end, utc("2026-10-25T23:00:00Z"));
        assert_eq!(end - start, Duration::hours(25));
    }

    #[test]
    fn missing_midnight_starts_the_day_after_the_gap() {
        // São Paulo's DST began at 00:00 -> 01:00 on 2018-11-04.
        let tz = America::Sao_Paulo;
        let (start, end) = local_day_bounds(date(2018, 11, 4), &tz);
        assert_eq!(start, utc("2018-11-04T03:00:00Z"));
        assert_eq!(
            start.with_timezone(&tz).to_rfc3339(),
            "2018-11-04T01:00:00-02:00"
        );
        assert_eq!(end - start, Duration::hours(23));
        // The day before ends exactly where this one starts: no instant is lost or shared.
        let (prev_start, prev_end) = local_day_bounds(date(2018, 11, 3), &tz);
        assert_eq!(prev_end, start);
        assert_eq!(prev_end - prev_start, Duration::hours(24));
    }

    #[test]
    fn ambiguous_midnight_takes_the_first_occurrence() {
        // Havana fell back 01:00 -> 00:00 on 2026-11-01, so that midnight happens twice.
        let tz = America::Havana;
        let (start, _) = local_day_bounds(date(2026, 11, 1), &tz);
        assert_eq!(start, utc("2026-11-01T04:00:00Z"));
        let (_, prev_end) = local_day_bounds(date(2026, 10, 31), &tz);
        assert_eq!(prev_end, start);
    }

    #[test]
    fn skipped_day_is_empty() {
        let tz = Pacific::Apia;
        let (start, end) = local_day_bounds(date(2011, 12, 30), &tz);
        assert_eq!(start, end);
        assert_eq!(start, utc("2011-12-30T10:00:00Z"));
    }

    #[test]
    fn local_date_of_matches_the_bounds() {
        let tz = Europe::Berlin;
        for d in [date(2026, 3, 29), date(2026, 10, 25), date(2026, 1, 1)] {
            let (start, end) = local_day_bounds(d, &tz);
            assert_eq!(local_date_of(start, &tz), d);
            assert_eq!(local_date_of(end - Duration::milliseconds(1), &tz), d);
            assert_eq!(local_date_of(end, &tz), d.succ_opt().unwrap());
        }
    }
}
