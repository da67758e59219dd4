//! PagerDuty on-call entries from the scenario's `oncall` list.

use chrono::{DateTime, NaiveDate, Utc};

use super::ids::Ids;
use super::pagerduty::{escalation_policy, user_id, EscalationPolicyRef, User};
use super::WorldError;
use crate::scenario::Scenario;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnCall {
    pub schedule: ScheduleRef,
    pub escalation_policy: EscalationPolicyRef,
    /// Every scenario schedule is the first level of its policy.
    pub escalation_level: u32,
    pub user: User,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// The schedule's name doubles as its escalation policy's name. A policy a service names gets
/// the same stable id from that name, so an incident's policy and the on-call entry match the
/// way they do in a real account; a schedule no service names still has its own stable policy.
pub(crate) fn oncalls(scenario: &Scenario, ids: &Ids, date: NaiveDate) -> Vec<OnCall> {
    scenario
        .oncall
        .iter()
        .filter_map(|shift| {
            let person = scenario.person(&shift.user)?.clone();
            Some(OnCall {
                schedule: ScheduleRef {
                    id: ids.stable('P', 7, &["pagerduty", "schedule", &shift.schedule]),
                    name: shift.schedule.clone(),
                },
                escalation_policy: escalation_policy(ids, &shift.schedule),
                escalation_level: 1,
                user: User {
                    id: user_id(ids, &person.email),
                    person,
                },
                start: scenario.instant(date, shift.from),
                end: scenario.instant(date, shift.to),
            })
        })
        .collect()
}

/// Who level `level` of the escalation policy named `policy` reaches at `at`.
///
/// The scenario format has no escalation rules, so its schedules stand in for them: level 1 is
/// the schedule named like the policy, and levels 2, 3… are the scenario's other schedules in
/// the order they first appear (on the shared day, "Payments Primary" escalates to "Payments
/// Secondary"). The level's user is whoever is on call on that schedule at `at`.
pub(crate) fn escalation_target(
    scenario: &Scenario,
    ids: &Ids,
    date: NaiveDate,
    policy: &str,
    level: u32,
    at: DateTime<Utc>,
) -> Result<User, WorldError> {
    let mut levels: Vec<&str> = vec![policy];
    for shift in &scenario.oncall {
        if !levels.contains(&shift.schedule.as_str()) {
            levels.push(&shift.schedule);
        }
    }
    let schedule = usize::try_from(level)
        .ok()
        .and_then(|level| level.checked_sub(1))
        .and_then(|index| levels.get(index))
        .ok_or_else(|| WorldError::NoSuchLevel {
            policy: policy.to_owned(),
            level,
            levels: u32::try_from(levels.len()).unwrap_or(u32::MAX),
        })?;
    oncalls(scenario, ids, date)
        .into_iter()
        .find(|o| o.schedule.name == *schedule && o.start <= at && at < o.end)
        .map(|o| o.user)
        .ok_or_else(|| WorldError::NobodyOnCall {
            policy: policy.to_owned(),
            level,
            schedule: (*schedule).to_owned(),
        })
}
