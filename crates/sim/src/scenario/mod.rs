//! The scenario loader: one simulated on-call day described in YAML (DESIGN.md, "Scenario
//! format"), read into typed, validated structures.

mod bundled;
mod declared;
mod error;
mod event;
mod events;
mod fields;
mod model;
mod parse;
mod time;

use std::path::Path;

pub use bundled::{bundled_day, BUNDLED_DAY_YAML};
pub use error::{ErrorKind, Location, ScenarioError};
pub use event::{
    runbook_url, AlertEvent, AlertFiring, AlertIdentity, AlertResolve, AlertState, AlertUpdate,
    AlertVia, Annotation, CiConclusion, CiEvent, CiRun, CiRunUpdate, CiState, Deploy, Event,
    EventKind, EventKindName, K8sEvent, K8sEventType, NodeChange, NodeState, ObjectRef, PageEvent,
    PageOpen, PageState, PageUpdate, Scale, Urgency,
};
pub use model::{
    Clock, Cluster, GitHubRepo, KubernetesWorkload, OnCallShift, PagerDutyService, Person,
    Scenario, Service,
};
pub use time::{resolve_local, ScenarioTime, TimeError};

/// Reads and validates a scenario file; errors name the file by `path` as given.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    let label = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioError::new(&label, Location::File, None, ErrorKind::Io(e.to_string()))
    })?;
    parse_str(&text, &label)
}

/// Validates scenario YAML; `file_label` names the source in errors.
pub fn parse_str(text: &str, file_label: &str) -> Result<Scenario, ScenarioError> {
    parse::parse_str(text, file_label)
}

#[cfg(test)]
mod tests;
