//! Who is on call: my current and next shift, and who holds my escalation policies right now,
//! from the on-call entries PagerDuty lists (`GET /oncalls`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One on-call entry: a user on a schedule (or directly on a policy level) for a span of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OnCallShift {
    pub user_name: String,
    pub user_email: Option<String>,
    pub schedule: Option<String>,
    pub escalation_policy: Option<String>,
    pub escalation_level: Option<u32>,
    /// `None`: on call since before anyone can remember (PagerDuty leaves it empty for
    /// permanent assignments).
    pub start: Option<DateTime<Utc>>,
    /// `None`: no end in sight (a permanent assignment).
    pub end: Option<DateTime<Utc>>,
}

impl OnCallShift {
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| s <= at) && self.end.is_none_or(|e| at < e)
    }

    fn is_mine(&self, me: Option<&str>) -> bool {
        match (me, &self.user_email) {
            (Some(me), Some(email)) => email.eq_ignore_ascii_case(me),
            _ => false,
        }
    }
}

/// What the header shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct OnCallSummary {
    /// My shift covering now.
    pub current: Option<OnCallShift>,
    /// My next shift that starts after now (after the current one, if any).
    pub next: Option<OnCallShift>,
    /// Who is on call now on the escalation policies I am part of (every level), by policy and
    /// level; when I am on none, everyone on call now.
    pub now: Vec<OnCallShift>,
    /// When these entries were fetched (data time), or null if never.
    pub fetched_at: Option<DateTime<Utc>>,
}

pub fn oncall_summary(
    shifts: &[OnCallShift],
    me: Option<&str>,
    now: DateTime<Utc>,
    fetched_at: Option<DateTime<Utc>>,
) -> OnCallSummary {
    let mut mine: Vec<&OnCallShift> = shifts.iter().filter(|s| s.is_mine(me)).collect();
    mine.sort_by_key(|s| s.start);
    let current = mine
        .iter()
        .filter(|s| s.covers(now))
        // Of overlapping shifts, the one that lasts longest says "until" truthfully.
        .max_by_key(|s| s.end.map_or(i64::MAX, |e| e.timestamp()))
        .map(|s| (*s).clone());
    let after = current.as_ref().and_then(|c| c.end).unwrap_or(now);
    let next = mine
        .iter()
        .find(|s| s.start.is_some_and(|start| start >= after && start > now))
        .map(|s| (*s).clone());
    let my_policies: Vec<&str> = mine
        .iter()
        .filter_map(|s| s.escalation_policy.as_deref())
        .collect();
    let mut on_now: Vec<OnCallShift> = shifts
        .iter()
        .filter(|s| s.covers(now))
        .filter(|s| {
            my_policies.is_empty()
                || s.escalation_policy
                    .as_deref()
                    .is_some_and(|p| my_policies.contains(&p))
        })
        .cloned()
        .collect();
    on_now.sort_by(|a, b| {
        (&a.escalation_policy, a.escalation_level, &a.user_name).cmp(&(
            &b.escalation_policy,
            b.escalation_level,
            &b.user_name,
        ))
    });
    on_now.dedup();
    OnCallSummary {
        current,
        next,
        now: on_now,
        fetched_at,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 0, 0, 0).unwrap() + chrono::Duration::hours(i64::from(h))
    }

    fn shift(name: &str, policy: &str, level: u32, from: u32, to: u32) -> OnCallShift {
        OnCallShift {
            user_name: name.into(),
            user_email: Some(format!("{}@example.test", name.to_lowercase())),
            schedule: Some(format!("{policy} schedule")),
            escalation_policy: Some(policy.into()),
            escalation_level: Some(level),
            start: Some(t(from)),
            end: Some(t(to)),
        }
    }

    #[test]
    fn current_next_and_who_else() {
        let shifts = vec![
            shift("Sam", "Payments", 1, 5, 33),
            shift("Sam", "Payments", 1, 53, 81),
            shift("Priya", "Payments", 2, 5, 33),
            shift("Lee", "Search", 1, 0, 48),
        ];
        let cases = [
            // (now, current end, next start, who is on now)
            (6, Some(33), Some(53), vec!["Sam", "Priya"]),
            // Between my shifts Payments is still my policy, and nobody holds it then; Lee's
            // Search is not mine, so it is not shown.
            (40, None, Some(53), vec![]),
            (60, Some(81), None, vec!["Sam"]),
            (90, None, None, vec![]),
        ];
        for (now, current_end, next_start, on) in cases {
            let s = oncall_summary(&shifts, Some("sam@example.test"), t(now), None);
            assert_eq!(
                s.current.as_ref().and_then(|c| c.end),
                current_end.map(t),
                "at {now}"
            );
            assert_eq!(
                s.next.as_ref().and_then(|c| c.start),
                next_start.map(t),
                "at {now}"
            );
            let names: Vec<&str> = s.now.iter().map(|x| x.user_name.as_str()).collect();
            assert_eq!(names, on, "at {now}");
        }
    }

    #[test]
    fn without_shifts_of_mine_everyone_on_call_now_is_shown() {
        let shifts = vec![
            shift("Lee", "Search", 1, 0, 48),
            shift("Priya", "Payments", 1, 0, 10),
        ];
        let s = oncall_summary(&shifts, Some("nobody@example.test"), t(20), None);
        assert_eq!(s.current, None);
        assert_eq!(s.next, None);
        let names: Vec<&str> = s.now.iter().map(|x| x.user_name.as_str()).collect();
        assert_eq!(names, ["Lee"]);
        let unknown_me = oncall_summary(&shifts, None, t(5), None);
        assert_eq!(unknown_me.now.len(), 2);
    }

    #[test]
    fn permanent_assignments_have_open_ends() {
        let mut forever = shift("Sam", "Payments", 1, 0, 1);
        forever.start = None;
        forever.end = None;
        let s = oncall_summary(&[forever.clone()], Some("SAM@example.test"), t(1000), None);
        assert_eq!(s.current, Some(forever));
    }
}
