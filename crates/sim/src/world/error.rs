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
}
