//! Why an action or a test hook could not change the simulated GitHub. The messages of the
//! refusals a client can meet are GitHub's own, so the HTTP layer sends them as they are.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitHubError {
    #[error("no repository {0}")]
    UnknownRepository(String),
    #[error("no workflow run {run_id} in {repo}")]
    UnknownRun { repo: String, run_id: u64 },
    #[error("{0:?} is not a repository name of the form owner/name")]
    BadRepositoryName(String),
    #[error("repository {0} already exists")]
    RepositoryExists(String),
    #[error("workflow run {0} already exists")]
    RunExists(u64),
    /// Cancelling a run that already completed (409 on GitHub).
    #[error("Cannot cancel a workflow run that is completed.")]
    CannotCancel,
    /// Re-running a run that has not completed (403 on GitHub).
    #[error("This workflow is already running")]
    AlreadyRunning,
    /// Re-running the failed jobs of a run whose jobs all succeeded (403).
    #[error("This workflow run cannot be retried: no job failed")]
    NothingToRerun,
    /// GitHub keeps at most 50 attempts of a run (403).
    #[error("This workflow run has reached the maximum number of attempts (50)")]
    TooManyAttempts,
    /// Reviewing a run that waits for none of the given environments (422).
    #[error("No pending deployment requests to approve or reject")]
    NoPendingDeployment,
    /// Only a queued or running run can stop at an environment's protection rules.
    #[error("workflow run {0} has completed; only a queued or running run can wait for a review")]
    NotWaitable(u64),
}
