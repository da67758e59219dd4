//! Who is on call, from `GET /oncalls`: my shifts over the coming week, then who holds my
//! escalation policies now. Two requests, refreshed every few minutes rather than every poll:
//! on-call schedules change rarely, and the request budget is better spent on new pages.

use std::collections::BTreeSet;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::OnCallShift;

use super::source::{PagerDutySource, ACCEPT};
use super::wire::{OnCall, OnCallList};
use crate::SourceError;

/// How often the on-call entries are fetched again (real time).
pub(super) const ONCALL_REFRESH: StdDuration = StdDuration::from_secs(300);
/// How far ahead "my next shift" is looked for.
const LOOKAHEAD: Duration = Duration::days(7);
const PAGE_LIMIT: u64 = 100;
const MAX_PAGES: u64 = 20;

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn shift(o: &OnCall) -> OnCallShift {
    let name = |r: &super::wire::Reference| {
        r.summary
            .clone()
            .or_else(|| r.name.clone())
            .unwrap_or_else(|| r.id.clone())
    };
    OnCallShift {
        user_name: name(&o.user),
        user_email: o.user.email.clone(),
        schedule: o.schedule.as_ref().map(name),
        escalation_policy: o.escalation_policy.as_ref().map(name),
        escalation_level: o.escalation_level,
        start: o.start,
        end: o.end,
    }
}

impl PagerDutySource {
    /// True when the on-call entries are due again.
    pub(super) fn oncall_due(&self) -> bool {
        self.oncall_fetched
            .lock()
            .map(|t| t.is_none_or(|at| at.elapsed() >= ONCALL_REFRESH))
            .unwrap_or(true)
    }

    pub(super) fn oncall_fetched_now(&self) {
        if let Ok(mut t) = self.oncall_fetched.lock() {
            *t = Some(Instant::now());
        }
    }

    async fn oncalls(&self, query: &[(&str, String)]) -> Result<Vec<OnCall>, SourceError> {
        let mut out = Vec::new();
        for page in 0..MAX_PAGES {
            let mut q = query.to_vec();
            q.push(("limit", PAGE_LIMIT.to_string()));
            q.push(("offset", (page * PAGE_LIMIT).to_string()));
            // Full user objects, so "mine" can be told by email.
            q.push(("include[]", "users".to_string()));
            q.push(("time_zone", "UTC".to_string()));
            let body = self
                .client
                .get_json::<OnCallList>("oncalls", &q, ACCEPT)
                .await?;
            let more = body.value.more.unwrap_or(false) && !body.value.oncalls.is_empty();
            out.extend(body.value.oncalls);
            if !more {
                return Ok(out);
            }
        }
        Err(SourceError::Decode {
            vendor: "PagerDuty",
            path: "/oncalls".into(),
            detail: format!("still `more: true` after {MAX_PAGES} pages"),
        })
    }

    /// My shifts from now over the next week, and everyone on call now on those shifts'
    /// escalation policies.
    pub(super) async fn fetch_oncall(
        &self,
        me_id: &str,
        me_email: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<OnCallShift>, SourceError> {
        let mine = self
            .oncalls(&[
                ("user_ids[]", me_id.to_string()),
                ("since", rfc3339(now)),
                ("until", rfc3339(now + LOOKAHEAD)),
            ])
            .await?;
        let policies: BTreeSet<String> = mine
            .iter()
            .filter_map(|o| o.escalation_policy.as_ref().map(|p| p.id.clone()))
            .collect();
        let mut shifts: Vec<OnCallShift> = mine.iter().map(shift).collect();
        // References carry no email unless users are included; the token's user is me.
        for (s, o) in shifts.iter_mut().zip(&mine) {
            if s.user_email.is_none() && o.user.id == me_id {
                s.user_email = Some(me_email.to_string());
            }
        }
        if !policies.is_empty() {
            let mut q: Vec<(&str, String)> = policies
                .iter()
                .map(|p| ("escalation_policy_ids[]", p.clone()))
                .collect();
            q.push(("since", rfc3339(now)));
            q.push(("until", rfc3339(now)));
            for o in self.oncalls(&q).await? {
                let mut s = shift(&o);
                if s.user_email.is_none() && o.user.id == me_id {
                    s.user_email = Some(me_email.to_string());
                }
                if !shifts.contains(&s) {
                    shifts.push(s);
                }
            }
        }
        Ok(shifts)
    }
}
