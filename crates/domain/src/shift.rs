//! Shifts: the spans I was on call, from PagerDuty's on-call entries for me or started and
//! stopped by hand, and which one "the shift" means at a given moment.

use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::oncall::OnCallShift;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ShiftOrigin {
    /// A PagerDuty on-call entry for me.
    Schedule,
    /// Started (and stopped) by hand, for teams without a schedule.
    Manual,
}

impl ShiftOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ShiftOrigin::Schedule => "schedule",
            ShiftOrigin::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<ShiftOrigin> {
        match s {
            "schedule" => Some(ShiftOrigin::Schedule),
            "manual" => Some(ShiftOrigin::Manual),
            _ => None,
        }
    }
}

/// One shift, with what the engineer wrote for its handoff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Shift {
    pub id: String,
    pub origin: ShiftOrigin,
    pub user_name: String,
    pub user_email: Option<String>,
    pub schedule: Option<String>,
    pub escalation_policy: Option<String>,
    pub start: DateTime<Utc>,
    /// `None`: a manual shift still running.
    pub end: Option<DateTime<Utc>>,
    /// The handoff's one-line summary, as edited.
    pub summary: Option<String>,
    /// The handoff's "watch next" items, as edited.
    pub watch_next: Vec<String>,
    pub edited_at: Option<DateTime<Utc>>,
}

impl Shift {
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && self.end.is_none_or(|e| at < e)
    }

    /// The shift's window as far as it has happened by `now`: `[start, min(end, now)]`.
    pub fn window_until(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = self.end.map_or(now, |e| e.min(now)).max(self.start);
        (self.start, end)
    }

    pub fn in_progress(&self, now: DateTime<Utc>) -> bool {
        self.covers(now)
    }
}

/// A schedule shift's id: the same on-call entry seen again (every fetch lists it) is the same
/// shift. Keyed by whose it is, which schedule (or policy, for direct assignments) and when it
/// starts; several escalation levels of one schedule span are one shift.
pub fn shift_id(email: &str, schedule_or_policy: &str, start: DateTime<Utc>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(email.to_ascii_lowercase().as_bytes());
    hasher.update([0u8]);
    hasher.update(schedule_or_policy.as_bytes());
    hasher.update([0u8]);
    hasher.update(start.timestamp_millis().to_be_bytes());
    format!("s-{}", hex::encode(&hasher.finalize()[..8]))
}

/// A manual shift's id.
pub fn manual_shift_id(start: DateTime<Utc>) -> String {
    format!("manual-{}", start.timestamp_millis())
}

/// My shifts among on-call entries: one per (schedule or policy, start). Entries without a
/// start or an end (permanent assignments) are not shifts: they have no span to review.
pub fn shifts_from_oncall(entries: &[OnCallShift], me: &str) -> Vec<Shift> {
    let mut out: Vec<Shift> = Vec::new();
    for e in entries {
        let mine = e
            .user_email
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case(me));
        let (Some(start), Some(end)) = (e.start, e.end) else {
            continue;
        };
        let Some(key) = e.schedule.as_deref().or(e.escalation_policy.as_deref()) else {
            continue;
        };
        if !mine || end <= start {
            continue;
        }
        let id = shift_id(me, key, start);
        if let Some(existing) = out.iter_mut().find(|s| s.id == id) {
            // Several levels of one span: the longest end is the truthful one.
            existing.end = existing.end.max(Some(end));
            continue;
        }
        out.push(Shift {
            id,
            origin: ShiftOrigin::Schedule,
            user_name: e.user_name.clone(),
            user_email: e.user_email.clone(),
            schedule: e.schedule.clone(),
            escalation_policy: e.escalation_policy.clone(),
            start,
            end: Some(end),
            summary: None,
            watch_next: Vec::new(),
            edited_at: None,
        });
    }
    out.sort_by_key(|s| s.start);
    out
}

/// "The shift" at `now`: the one covering now (the latest-starting, if several do), else the
/// one that ended last. `shifts` in any order.
pub fn current_or_last(shifts: &[Shift], now: DateTime<Utc>) -> Option<&Shift> {
    shifts
        .iter()
        .filter(|s| s.covers(now))
        .max_by_key(|s| (s.start, s.id.clone()))
        .or_else(|| {
            shifts
                .iter()
                .filter(|s| s.start <= now && s.end.is_some_and(|e| e <= now))
                .max_by_key(|s| (s.end, s.start))
        })
}

/// Office hours, for telling which pages came out of hours: a daily span on working days, in
/// the user's timezone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub days: Vec<Weekday>,
}

impl Default for WorkingHours {
    fn default() -> Self {
        WorkingHours {
            start: NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
            end: NaiveTime::from_hms_opt(18, 0, 0).expect("valid time"),
            days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
        }
    }
}

impl WorkingHours {
    pub fn is_out_of_hours(&self, at: DateTime<Utc>, tz: &Tz) -> bool {
        let local = at.with_timezone(tz);
        let time = local.time();
        !(self.days.contains(&local.weekday()) && self.start <= time && time < self.end)
    }
}

/// The latest moment a handoff is offered before the shift ends.
pub const HANDOFF_OFFER_MINUTES: i64 = 60;

/// Whether to offer the handoff report now: within the last hour of a shift that has an end.
pub fn handoff_due(shift: &Shift, now: DateTime<Utc>) -> bool {
    shift.covers(now)
        && shift
            .end
            .is_some_and(|e| e - now <= chrono::Duration::minutes(HANDOFF_OFFER_MINUTES))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn oncall(email: &str, schedule: &str, level: u32, from: &str, to: &str) -> OnCallShift {
        OnCallShift {
            user_name: "Sam".into(),
            user_email: Some(email.into()),
            schedule: Some(schedule.into()),
            escalation_policy: Some("Payments".into()),
            escalation_level: Some(level),
            start: Some(utc(from)),
            end: Some(utc(to)),
        }
    }

    #[test]
    fn my_entries_become_shifts_once_per_span() {
        let entries = [
            oncall(
                "SAM@x.test",
                "Primary",
                1,
                "2026-05-04T05:00:00Z",
                "2026-05-05T09:00:00Z",
            ),
            oncall(
                "sam@x.test",
                "Primary",
                2,
                "2026-05-04T05:00:00Z",
                "2026-05-05T09:00:00Z",
            ),
            oncall(
                "lee@x.test",
                "Primary",
                1,
                "2026-05-05T09:00:00Z",
                "2026-05-06T09:00:00Z",
            ),
            oncall(
                "sam@x.test",
                "Primary",
                1,
                "2026-05-06T09:00:00Z",
                "2026-05-07T09:00:00Z",
            ),
            OnCallShift {
                start: None,
                end: None,
                ..oncall(
                    "sam@x.test",
                    "Forever",
                    1,
                    "2026-05-04T05:00:00Z",
                    "2026-05-05T09:00:00Z",
                )
            },
        ];
        let shifts = shifts_from_oncall(&entries, "sam@x.test");
        assert_eq!(shifts.len(), 2);
        assert_eq!(shifts[0].start, utc("2026-05-04T05:00:00Z"));
        assert_eq!(shifts[1].start, utc("2026-05-06T09:00:00Z"));
        // Seen again on a later fetch: the same ids.
        assert_eq!(
            shifts_from_oncall(&entries, "sam@x.test")[0].id,
            shifts[0].id
        );
        assert_ne!(shifts[0].id, shifts[1].id);
    }

    #[test]
    fn the_shift_is_the_current_one_else_the_last_ended() {
        let entries = [
            oncall(
                "sam@x.test",
                "Primary",
                1,
                "2026-05-04T05:00:00Z",
                "2026-05-05T09:00:00Z",
            ),
            oncall(
                "sam@x.test",
                "Primary",
                1,
                "2026-05-06T09:00:00Z",
                "2026-05-07T09:00:00Z",
            ),
        ];
        let shifts = shifts_from_oncall(&entries, "sam@x.test");
        let during = current_or_last(&shifts, utc("2026-05-04T12:00:00Z")).unwrap();
        assert_eq!(during.id, shifts[0].id);
        let between = current_or_last(&shifts, utc("2026-05-05T12:00:00Z")).unwrap();
        assert_eq!(between.id, shifts[0].id);
        assert!(current_or_last(&shifts, utc("2026-05-01T00:00:00Z")).is_none());
        assert!(!handoff_due(&shifts[0], utc("2026-05-05T07:59:00Z")));
        assert!(handoff_due(&shifts[0], utc("2026-05-05T08:00:00Z")));
        assert!(!handoff_due(&shifts[0], utc("2026-05-05T09:00:00Z")));
    }

    #[test]
    fn out_of_hours_is_local() {
        let hours = WorkingHours::default();
        let berlin: Tz = chrono_tz::Europe::Berlin;
        // Monday 08:30 UTC is 10:30 in Berlin (summer time): in hours.
        assert!(
            !hours.is_out_of_hours(Utc.with_ymd_and_hms(2026, 5, 4, 8, 30, 0).unwrap(), &berlin)
        );
        // Monday 06:30 UTC is 08:30 in Berlin: before hours.
        assert!(hours.is_out_of_hours(Utc.with_ymd_and_hms(2026, 5, 4, 6, 30, 0).unwrap(), &berlin));
        // Saturday noon: a weekend.
        assert!(hours.is_out_of_hours(Utc.with_ymd_and_hms(2026, 5, 9, 12, 0, 0).unwrap(), &berlin));
    }
}
