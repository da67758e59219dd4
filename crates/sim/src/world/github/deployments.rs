//! Deployments that Actions runs make: a run with an `environment` deploys its commit there
//! when its deploy job starts (`in_progress`) and reports how it ended (`success`, `failure`,
//! `error` when cancelled). A new successful deployment makes the environment's previous one
//! `inactive`, as GitHub does with `auto_inactive` (its default).

use chrono::{DateTime, Utc};

/// How many statuses one deployment can take before status ids would clash with the next
/// deployment's; a run's deployment takes at most three.
const STATUS_IDS_PER_DEPLOYMENT: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentState {
    InProgress,
    Success,
    Failure,
    Error,
    Inactive,
}

impl DeploymentState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeploymentState::InProgress => "in_progress",
            DeploymentState::Success => "success",
            DeploymentState::Failure => "failure",
            DeploymentState::Error => "error",
            DeploymentState::Inactive => "inactive",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentStatus {
    pub id: u64,
    pub state: DeploymentState,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub id: u64,
    pub repo_id: u64,
    /// The run (and its attempt) that deploys.
    pub run_id: u64,
    pub run_attempt: u32,
    pub sha: String,
    /// The run's branch.
    pub git_ref: String,
    pub environment: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Oldest first.
    pub statuses: Vec<DeploymentStatus>,
}

impl Deployment {
    /// GitHub Actions deploys; every deployment here is a `deploy` task.
    pub const TASK: &'static str = "deploy";

    pub fn latest_state(&self) -> Option<DeploymentState> {
        self.statuses.last().map(|s| s.state)
    }

    /// Adds a status at `at`.
    pub fn report(&mut self, state: DeploymentState, at: DateTime<Utc>) {
        let id = self
            .id
            .saturating_mul(STATUS_IDS_PER_DEPLOYMENT)
            .saturating_add(self.statuses.len() as u64 + 1);
        self.statuses.push(DeploymentStatus {
            id,
            state,
            created_at: at,
        });
        self.updated_at = at;
    }

    /// Whether GitHub treats the environment as production (its name says so).
    pub fn production(&self) -> bool {
        self.environment.eq_ignore_ascii_case("production")
    }
}
