//! The scenario's GitHub: repositories (from `services[].github.repo` and the `ci` events'
//! `repo`, all there from the start of the day), their Actions workflow runs with jobs and
//! steps, and the deployments that successful runs with an `environment` make. Changed by `ci`
//! events, by opsdeck's actions (re-run, re-run failed jobs, cancel, review a pending
//! deployment; see `hooks`) and by test hooks (many runs, deletions, renames, a run waiting
//! for a review).
//!
//! Identities are deterministic: the scenario's `ci.id` is the run id (GitHub's run ids are
//! global, so runs are keyed by it alone and a repository only shows its own); repository,
//! user, workflow and environment ids depend on the scenario alone; deployment ids on what
//! made them (event or action), as every minted id does. A scenario commit such as `4f1c2ab`
//! becomes a 40-hex `head_sha` that starts with it.
//!
//! Runs take no time of their own while the script drives them: the script says when they
//! start and end. An attempt started from outside (a re-run, an approved deployment) has no
//! script, so it completes successfully [`ACTION_RUN_TAKES`] after it starts.

mod deployments;
mod error;
mod hooks;
mod runs;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};

pub use deployments::{Deployment, DeploymentState, DeploymentStatus};
pub use error::GitHubError;
pub use hooks::Review;
pub use runs::{
    is_deploy, Conclusion, Job, PendingDeployment, RunStatus, Step, WorkflowRun, MAX_ATTEMPTS,
};

use super::ids::{Ids, Origin};
use super::Outcome;
use crate::scenario::{CiConclusion, CiEvent, CiRun, CiRunUpdate, CiState, EventKind, Scenario};
use runs::NewRun;

/// How long an attempt started from outside runs before it completes successfully.
pub const ACTION_RUN_TAKES: TimeDelta = TimeDelta::minutes(2);

/// Every run is a push: the scenario has no pull requests or schedules.
pub const EVENT: &str = "push";

/// A GitHub account: the scenario's user, or an organization that owns repositories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub login: String,
    pub id: u64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub organization: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    pub id: u64,
    pub owner: User,
    pub name: String,
}

impl Repository {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner.login, self.name)
    }
}

/// A workflow file of a repository; its runs are numbered one up from a deterministic start,
/// as if the repository had a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workflow {
    pub id: u64,
    pub repo_id: u64,
    pub name: String,
    next_run_number: u64,
}

/// An attempt started from outside, due to complete.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Timer {
    at: DateTime<Utc>,
    run_id: u64,
    attempt: u32,
    origin: Origin,
}

#[derive(Debug, Clone)]
pub struct GitHub {
    ids: Ids,
    /// Whoever pushes, re-runs and reviews: the scenario's `me` (any token is theirs).
    actor: User,
    repos: Vec<Repository>,
    /// Old full names (lowercase) → the repository now answering to another name.
    renamed: BTreeMap<String, u64>,
    /// Full names (lowercase) of deleted repositories, for the skip reasons.
    deleted_repos: BTreeSet<String>,
    workflows: Vec<Workflow>,
    runs: BTreeMap<u64, WorkflowRun>,
    deleted_runs: BTreeSet<u64>,
    /// Every run id the scenario creates, so runs added by tests never take one.
    scripted_runs: BTreeSet<u64>,
    deployments: BTreeMap<u64, Deployment>,
    timers: Vec<Timer>,
}

/// A GitHub login from an email: its local part with anything but letters and digits as `-`
/// (GitHub logins have no dots).
pub fn login_from_email(email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    let login: String = local
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let login = login.trim_matches('-');
    if login.is_empty() {
        "opsdeck".to_owned()
    } else {
        login.to_owned()
    }
}

/// A 40-hex commit id that starts with the scenario's short one (when it is hex), the rest a
/// digest of the repository and the short id, so the same commit always gets the same sha.
pub fn head_sha(repo_id: u64, commit: &str) -> String {
    let short = commit.trim().to_ascii_lowercase();
    let digest = hex::encode(Sha256::digest(format!("commit\0{repo_id}\0{short}")));
    if !short.is_empty() && short.len() <= 40 && short.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("{short}{}", &digest[..40 - short.len()])
    } else {
        digest[..40].to_owned()
    }
}

/// The tree of a commit, for `head_commit.tree_id`.
pub fn tree_sha(head_sha: &str) -> String {
    hex::encode(Sha256::digest(format!("tree\0{head_sha}")))[..40].to_owned()
}

impl GitHub {
    pub(crate) fn new(scenario: &Scenario, ids: Ids) -> GitHub {
        let login = login_from_email(&scenario.me.email);
        let actor = User {
            id: ids.stable_number(&["github-user", &login.to_lowercase()]),
            login,
            name: Some(scenario.me.name.clone()),
            email: Some(scenario.me.email.clone()),
            organization: false,
        };
        let mut github = GitHub {
            ids,
            actor,
            repos: Vec::new(),
            renamed: BTreeMap::new(),
            deleted_repos: BTreeSet::new(),
            workflows: Vec::new(),
            runs: BTreeMap::new(),
            deleted_runs: BTreeSet::new(),
            scripted_runs: BTreeSet::new(),
            deployments: BTreeMap::new(),
            timers: Vec::new(),
        };
        let service_repos = scenario
            .services
            .iter()
            .filter_map(|s| s.github.as_ref().map(|g| g.repo.as_str()));
        let mut ci_repos = Vec::new();
        for event in &scenario.events {
            if let EventKind::Ci(ci) = &event.kind {
                github.scripted_runs.insert(ci.id());
                if let CiEvent::Start(run) = ci {
                    ci_repos.push(run.repo.as_str());
                }
            }
        }
        for full_name in service_repos.chain(ci_repos) {
            if github.repository(full_name).is_none() {
                github.add_repository(full_name);
            }
        }
        github
    }

    fn add_repository(&mut self, full_name: &str) -> u64 {
        let (owner, name) = self.split_name(full_name);
        let mut id = self
            .ids
            .stable_number(&["github-repository", &full_name.to_lowercase()]);
        while self.repos.iter().any(|r| r.id == id) {
            id += 1;
        }
        let owner = self.user(&owner);
        self.repos.push(Repository { id, owner, name });
        id
    }

    /// `owner/name`; a bare name belongs to the scenario's user.
    fn split_name(&self, full_name: &str) -> (String, String) {
        match full_name.split_once('/') {
            Some((owner, name)) => (owner.to_owned(), name.to_owned()),
            None => (self.actor.login.clone(), full_name.to_owned()),
        }
    }

    /// The account `login`: the scenario's user, or an organization.
    fn user(&self, login: &str) -> User {
        if login.eq_ignore_ascii_case(&self.actor.login) {
            return self.actor.clone();
        }
        User {
            login: login.to_owned(),
            id: self
                .ids
                .stable_number(&["github-user", &login.to_lowercase()]),
            name: None,
            email: None,
            organization: true,
        }
    }

    /// The scenario's user, whom every token stands for.
    pub fn actor(&self) -> &User {
        &self.actor
    }

    /// Every repository, in the order they appeared.
    pub fn repositories(&self) -> &[Repository] {
        &self.repos
    }

    /// The repository now called `full_name` (GitHub's names are case-insensitive).
    pub fn repository(&self, full_name: &str) -> Option<&Repository> {
        self.repos
            .iter()
            .find(|r| r.full_name().eq_ignore_ascii_case(full_name))
    }

    pub fn repository_by_id(&self, id: u64) -> Option<&Repository> {
        self.repos.iter().find(|r| r.id == id)
    }

    /// The repository that used to be called `full_name` and was renamed, if no repository
    /// has that name now.
    pub fn renamed_from(&self, full_name: &str) -> Option<&Repository> {
        if self.repository(full_name).is_some() {
            return None;
        }
        let id = self.renamed.get(&full_name.to_lowercase())?;
        self.repository_by_id(*id)
    }

    /// The repository a scripted event's `repo` names, under its current or a former name.
    fn resolve(&self, full_name: &str) -> Option<u64> {
        self.repository(full_name)
            .or_else(|| self.renamed_from(full_name))
            .map(|r| r.id)
    }

    fn repo_id(&self, full_name: &str) -> Result<u64, GitHubError> {
        self.repository(full_name)
            .map(|r| r.id)
            .ok_or_else(|| GitHubError::UnknownRepository(full_name.to_owned()))
    }

    /// A repository's runs, in run id order.
    pub fn runs(&self, repo_id: u64) -> impl Iterator<Item = &WorkflowRun> {
        self.runs.values().filter(move |r| r.repo_id == repo_id)
    }

    pub fn run(&self, repo_id: u64, run_id: u64) -> Option<&WorkflowRun> {
        self.runs.get(&run_id).filter(|r| r.repo_id == repo_id)
    }

    pub fn workflow(&self, id: u64) -> Option<&Workflow> {
        self.workflows.iter().find(|w| w.id == id)
    }

    /// A repository's deployments, in id order.
    pub fn deployments(&self, repo_id: u64) -> impl Iterator<Item = &Deployment> {
        self.deployments
            .values()
            .filter(move |d| d.repo_id == repo_id)
    }

    pub fn deployment(&self, repo_id: u64, id: u64) -> Option<&Deployment> {
        self.deployments.get(&id).filter(|d| d.repo_id == repo_id)
    }

    /// An environment's id, stable per repository and name.
    pub fn environment_id(&self, repo_id: u64, environment: &str) -> u64 {
        self.ids.stable_number(&[
            "github-environment",
            &repo_id.to_string(),
            &environment.to_lowercase(),
        ])
    }

    /// A check suite per run, as GitHub makes one for each.
    pub fn check_suite_id(&self, run_id: u64) -> u64 {
        self.ids
            .stable_number(&["github-check-suite", &run_id.to_string()])
    }

    fn run_mut(&mut self, repo: &str, run_id: u64) -> Result<&mut WorkflowRun, GitHubError> {
        let repo_id = self.repo_id(repo)?;
        self.runs
            .get_mut(&run_id)
            .filter(|r| r.repo_id == repo_id)
            .ok_or_else(|| GitHubError::UnknownRun {
                repo: repo.to_owned(),
                run_id,
            })
    }

    /// Applies a scripted `ci` event.
    pub(crate) fn ci(&mut self, event: &CiEvent, origin: Origin, at: DateTime<Utc>) -> Outcome {
        match event {
            CiEvent::Start(run) => match self.start(run, origin, at) {
                Ok(()) => Outcome::Applied,
                Err(reason) => Outcome::Skipped(reason),
            },
            CiEvent::Update(update) => self.update(update, origin, at),
        }
    }

    /// Creates a run as `run` describes it, or says why it cannot.
    fn start(&mut self, run: &CiRun, origin: Origin, at: DateTime<Utc>) -> Result<(), String> {
        let Some(repo_id) = self.resolve(&run.repo) else {
            return Err(if self.deleted_repos.contains(&run.repo.to_lowercase()) {
                format!("repository {} was deleted", run.repo)
            } else {
                format!("no repository {}", run.repo)
            });
        };
        if self.deleted_runs.contains(&run.id) {
            return Err(format!("workflow run {} was deleted", run.id));
        }
        if self.runs.contains_key(&run.id) {
            return Err(format!("workflow run {} already exists", run.id));
        }
        self.create_run(repo_id, run, at);
        self.enter(run.id, Some(run.state), run.conclusion, origin, at);
        Ok(())
    }

    fn create_run(&mut self, repo_id: u64, run: &CiRun, at: DateTime<Utc>) {
        let (workflow_id, run_number) = self.next_run_number(repo_id, &run.workflow);
        let new = NewRun {
            id: run.id,
            repo_id,
            workflow_id,
            workflow: run.workflow.clone(),
            run_number,
            head_branch: run.branch.clone(),
            head_sha: head_sha(repo_id, &run.commit),
            title: run.title.clone(),
            environment: run.environment.clone(),
        };
        self.runs.insert(run.id, WorkflowRun::new(new, at));
    }

    /// The workflow's id and the number of its next run.
    fn next_run_number(&mut self, repo_id: u64, name: &str) -> (u64, u64) {
        let index = match self
            .workflows
            .iter()
            .position(|w| w.repo_id == repo_id && w.name == name)
        {
            Some(index) => index,
            None => {
                let repo = repo_id.to_string();
                let mut id = self.ids.stable_number(&["github-workflow", &repo, name]);
                while self.workflows.iter().any(|w| w.id == id) {
                    id += 1;
                }
                let first = self.ids.stable_number(&["github-run-number", &repo, name]) % 900 + 100;
                self.workflows.push(Workflow {
                    id,
                    repo_id,
                    name: name.to_owned(),
                    next_run_number: first,
                });
                self.workflows.len() - 1
            }
        };
        let workflow = &mut self.workflows[index];
        let number = workflow.next_run_number;
        workflow.next_run_number += 1;
        (workflow.id, number)
    }

    /// Moves a run to a scripted state (a conclusion alone means completed); `true` when that
    /// changed it. A completed run that the script runs again starts a new attempt, as a
    /// re-run does on GitHub.
    fn enter(
        &mut self,
        run_id: u64,
        state: Option<CiState>,
        conclusion: Option<CiConclusion>,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> bool {
        let target = state.or(conclusion.map(|_| CiState::Completed));
        let Some(run) = self.runs.get_mut(&run_id) else {
            return false;
        };
        let completed = run.status == RunStatus::Completed;
        let again = completed
            && match target {
                Some(CiState::Completed) => run.conclusion != conclusion.map(Conclusion::from),
                Some(_) => true,
                None => false,
            };
        if again {
            run.queue_attempt(at, |_| true);
        }
        match (target, conclusion) {
            (Some(CiState::Queued), _) | (None, _) => again,
            (Some(CiState::InProgress), _) => {
                let changed = again || run.status != RunStatus::InProgress;
                run.begin(at);
                changed
            }
            (Some(CiState::Completed), conclusion) => {
                if !again && completed {
                    return false;
                }
                // The loader requires a conclusion with `completed`.
                let conclusion = conclusion.map_or(Conclusion::Success, Conclusion::from);
                run.begin(at);
                run.complete(conclusion, at);
                self.after_completion(run_id, origin, at);
                true
            }
        }
    }

    fn update(&mut self, update: &CiRunUpdate, origin: Origin, at: DateTime<Utc>) -> Outcome {
        let id = update.id;
        let Some(run) = self.runs.get_mut(&id) else {
            let reason = if self.deleted_runs.contains(&id) {
                format!("workflow run {id} was deleted")
            } else {
                format!("no workflow run {id}")
            };
            return Outcome::Skipped(reason);
        };
        if let Some(what) = run.changed_from_outside {
            return if matches(run, update) {
                Outcome::AlreadyDone
            } else {
                Outcome::Skipped(format!("workflow run {id} was {what} from outside"))
            };
        }
        let target = update
            .state
            .or(update.conclusion.map(|_| CiState::Completed));
        // GitHub never queues a started run again; a completed one is re-run.
        if target == Some(CiState::Queued)
            && !matches!(run.status, RunStatus::Queued | RunStatus::Completed)
        {
            return Outcome::Skipped(format!(
                "workflow run {id} is already {}",
                run.status.as_str()
            ));
        }
        let mut changed = false;
        if let Some(title) = update.title.as_ref().filter(|t| **t != run.display_title) {
            run.display_title = title.clone();
            run.updated_at = at;
            changed = true;
        }
        if let Some(env) = update.environment.as_ref() {
            if run.environment.as_ref() != Some(env) {
                run.environment = Some(env.clone());
                run.updated_at = at;
                changed = true;
            }
        }
        changed |= self.enter(id, update.state, update.conclusion, origin, at);
        if changed {
            Outcome::Applied
        } else {
            Outcome::AlreadyDone
        }
    }

    /// After a run completed: its deployment reports how it ended, and a successful run with
    /// an environment that made none yet deploys now (from the attempt's start).
    fn after_completion(&mut self, run_id: u64, origin: Origin, at: DateTime<Utc>) {
        let Some(run) = self.runs.get(&run_id) else {
            return;
        };
        let state = match run.conclusion {
            Some(Conclusion::Success) => DeploymentState::Success,
            Some(Conclusion::Failure) => DeploymentState::Failure,
            Some(Conclusion::Cancelled | Conclusion::Skipped) => DeploymentState::Error,
            None => return,
        };
        let deployment = match run.deployment {
            Some(id) => id,
            None if state == DeploymentState::Success && run.environment.is_some() => {
                let started = run.run_started_at;
                match self.open_deployment(run_id, origin, started) {
                    Some(id) => id,
                    None => return,
                }
            }
            None => return,
        };
        self.finish_deployment(deployment, state, at);
    }

    /// A deployment of the run's current attempt to its environment, in progress from `at`.
    fn open_deployment(&mut self, run_id: u64, origin: Origin, at: DateTime<Utc>) -> Option<u64> {
        let run = self.runs.get(&run_id)?;
        let environment = run.environment.clone()?;
        let mut id = self.ids.dated_number(
            origin,
            &[
                "github-deployment",
                &run_id.to_string(),
                &run.attempt.to_string(),
            ],
        );
        while self.deployments.contains_key(&id) {
            id += 1;
        }
        let mut deployment = Deployment {
            id,
            repo_id: run.repo_id,
            run_id,
            run_attempt: run.attempt,
            sha: run.head_sha.clone(),
            git_ref: run.head_branch.clone(),
            environment,
            created_at: at,
            updated_at: at,
            statuses: Vec::new(),
        };
        deployment.report(DeploymentState::InProgress, at);
        self.deployments.insert(id, deployment);
        if let Some(run) = self.runs.get_mut(&run_id) {
            run.deployment = Some(id);
        }
        Some(id)
    }

    /// The deployment ends as `state`; a successful one retires the environment's previous
    /// successful deployment.
    fn finish_deployment(&mut self, id: u64, state: DeploymentState, at: DateTime<Utc>) {
        let Some(deployment) = self.deployments.get_mut(&id) else {
            return;
        };
        deployment.report(state, at);
        if state != DeploymentState::Success {
            return;
        }
        let (repo_id, environment) = (deployment.repo_id, deployment.environment.clone());
        for other in self.deployments.values_mut() {
            if other.id != id
                && other.repo_id == repo_id
                && other.environment == environment
                && other.latest_state() == Some(DeploymentState::Success)
            {
                other.report(DeploymentState::Inactive, at);
            }
        }
    }

    /// When the next attempt started from outside is due to complete.
    pub(crate) fn next_timer(&self) -> Option<DateTime<Utc>> {
        self.timers.iter().map(|t| t.at).min()
    }

    /// Completes, successfully, every attempt started from outside that is due by `now` and
    /// still running (one cancelled, re-run again or waiting meanwhile is left alone).
    pub(crate) fn fire_timers(&mut self, now: DateTime<Utc>) {
        let mut due: Vec<Timer> = Vec::new();
        self.timers.retain(|t| {
            if t.at <= now {
                due.push(t.clone());
                false
            } else {
                true
            }
        });
        due.sort_by_key(|t| (t.at, t.run_id));
        for timer in due {
            let Some(run) = self.runs.get_mut(&timer.run_id) else {
                continue;
            };
            if run.attempt != timer.attempt || run.status != RunStatus::InProgress {
                continue;
            }
            run.complete(Conclusion::Success, timer.at);
            self.after_completion(timer.run_id, timer.origin, timer.at);
        }
    }

    fn schedule(&mut self, run_id: u64, origin: Origin, at: DateTime<Utc>) {
        if let Some(run) = self.runs.get(&run_id) {
            self.timers.push(Timer {
                at: at + ACTION_RUN_TAKES,
                run_id,
                attempt: run.attempt,
                origin,
            });
        }
    }
}

/// Whether a scripted update asks for what the run already is.
fn matches(run: &WorkflowRun, update: &CiRunUpdate) -> bool {
    let title = update
        .title
        .as_ref()
        .is_none_or(|t| *t == run.display_title);
    let environment = update
        .environment
        .as_ref()
        .is_none_or(|e| run.environment.as_ref() == Some(e));
    let target = update
        .state
        .or(update.conclusion.map(|_| CiState::Completed));
    let state = match target {
        None => true,
        Some(CiState::Queued) => run.status == RunStatus::Queued,
        Some(CiState::InProgress) => run.status == RunStatus::InProgress,
        Some(CiState::Completed) => {
            run.status == RunStatus::Completed
                && run.conclusion == update.conclusion.map(Conclusion::from)
        }
    };
    title && environment && state
}

#[cfg(test)]
mod tests;
