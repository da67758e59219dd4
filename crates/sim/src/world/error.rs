//! Why an action from outside could not change the simulated world.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    #[error("no incident {0}")]
    UnknownIncident(String),
    #[error("{0} is not a person of this scenario")]
    UnknownPerson(String),
    #[error("cannot {action} incident {incident}: {reason}")]
    NotApplicable {
        incident: String,
        action: &'static str,
        reason: &'static str,
    },
    /// Levels count from 1; `levels` is how many the policy has.
    #[error("escalation policy {policy} has no level {level} (it has levels 1 to {levels})")]
    NoSuchLevel {
        policy: String,
        level: u32,
        levels: u32,
    },
    #[error(
        "level {level} of escalation policy {policy} (schedule {schedule}) has nobody on call"
    )]
    NobodyOnCall {
        policy: String,
        level: u32,
        schedule: String,
    },
    /// PagerDuty snoozes for 1 second to 7 days.
    #[error("a snooze lasts more than 0 seconds and at most 7 days (604800 s), not {seconds} s")]
    SnoozeOutOfRange { seconds: i64 },
}
