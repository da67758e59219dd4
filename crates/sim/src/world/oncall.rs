//! PagerDuty on-call entries from the scenario's `oncall` list.

use chrono::{DateTime, NaiveDate, Utc};

use super::ids::Ids;
use super::pagerduty::{escalation_policy, user_id, EscalationPolicyRef, User};
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
