//! Changes to the simulated GitHub from outside: opsdeck's actions (through the HTTP API) and
//! the test hooks for bad-input tests. On [`World`] so that, like every action, each first
//! applies the scripted events due by its instant and mints its ids from its own origin.
//!
//! A run an action changed is the action's from then on: later scripted changes to it no
//! longer apply (they are skipped, or no-ops when they ask for what it already is).

use chrono::{DateTime, TimeDelta, Utc};

use super::runs::NewRun;
use super::{head_sha, Conclusion, GitHub, GitHubError, PendingDeployment, RunStatus, WorkflowRun};
use super::{Origin, MAX_ATTEMPTS};
use crate::scenario::CiRun;
use crate::world::World;

/// A reviewer's answer to a pending deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Review {
    /// The run goes on and deploys.
    Approved,
    /// The run fails (GitHub concludes a rejected run `failure`).
    Rejected,
}

/// What a re-run runs again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rerun {
    All,
    Failed,
}

impl GitHub {
    fn rerun(
        &mut self,
        repo: &str,
        run_id: u64,
        which: Rerun,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<(), GitHubError> {
        let run = self.run_mut(repo, run_id)?;
        if run.status != RunStatus::Completed {
            return Err(GitHubError::AlreadyRunning);
        }
        if run.attempt >= MAX_ATTEMPTS {
            return Err(GitHubError::TooManyAttempts);
        }
        match which {
            Rerun::All => run.queue_attempt(at, |_| true),
            Rerun::Failed => {
                let again = run.failed_and_dependent_jobs();
                if again.is_empty() {
                    return Err(GitHubError::NothingToRerun);
                }
                run.queue_attempt(at, |name| again.iter().any(|n| n == name));
            }
        }
        run.begin(at);
        run.changed_from_outside = Some("re-run");
        self.schedule(run_id, origin, at);
        Ok(())
    }

    fn cancel(
        &mut self,
        repo: &str,
        run_id: u64,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<(), GitHubError> {
        let run = self.run_mut(repo, run_id)?;
        if run.status == RunStatus::Completed {
            return Err(GitHubError::CannotCancel);
        }
        run.complete(Conclusion::Cancelled, at);
        run.changed_from_outside = Some("cancelled");
        self.after_completion(run_id, origin, at);
        Ok(())
    }

    fn review(
        &mut self,
        repo: &str,
        run_id: u64,
        environment_ids: &[u64],
        review: Review,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<Vec<u64>, GitHubError> {
        let run = self.run_mut(repo, run_id)?;
        let waits_for_them = run
            .pending
            .as_ref()
            .is_some_and(|p| environment_ids.contains(&p.environment_id));
        if !waits_for_them {
            return Err(GitHubError::NoPendingDeployment);
        }
        match review {
            Review::Rejected => {
                run.reject(at);
                run.changed_from_outside = Some("rejected");
                Ok(Vec::new())
            }
            Review::Approved => {
                run.begin(at);
                run.changed_from_outside = Some("approved");
                let deployment = self.open_deployment(run_id, origin, at);
                self.schedule(run_id, origin, at);
                Ok(deployment.into_iter().collect())
            }
        }
    }

    fn add_run(
        &mut self,
        run: &CiRun,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Result<(), GitHubError> {
        let repo_id = self.repo_id(&run.repo)?;
        if self.runs.contains_key(&run.id) || self.scripted_runs.contains(&run.id) {
            return Err(GitHubError::RunExists(run.id));
        }
        self.deleted_runs.remove(&run.id);
        self.create_run(repo_id, run, at);
        self.enter(run.id, Some(run.state), run.conclusion, origin, at);
        Ok(())
    }

    /// `n` completed `ci` runs on `main`, one a minute, the last a minute before `at`; every
    /// seventh fails. Ids follow every run id the world has or the scenario will create.
    fn add_runs(
        &mut self,
        repo: &str,
        n: usize,
        at: DateTime<Utc>,
    ) -> Result<Vec<u64>, GitHubError> {
        let repo_id = self.repo_id(repo)?;
        let highest = [
            self.runs.keys().next_back(),
            self.deleted_runs.iter().next_back(),
            self.scripted_runs.iter().next_back(),
        ]
        .into_iter()
        .flatten()
        .max()
        .copied()
        .unwrap_or(0);
        let mut ids = Vec::with_capacity(n);
        for k in 0..n {
            let id = highest + 1 + k as u64;
            let ago = i64::try_from(n - k).unwrap_or(i64::MAX);
            let created = at - TimeDelta::minutes(ago);
            let (workflow_id, run_number) = self.next_run_number(repo_id, "ci");
            let commit = head_sha(repo_id, &format!("synthetic-{id}"));
            let mut run = WorkflowRun::new(
                NewRun {
                    id,
                    repo_id,
                    workflow_id,
                    workflow: "ci".to_owned(),
                    run_number,
                    head_branch: "main".to_owned(),
                    head_sha: commit,
                    title: format!("Synthetic change {}", k + 1),
                    environment: None,
                },
                created,
            );
            let conclusion = if (k + 1) % 7 == 0 {
                Conclusion::Failure
            } else {
                Conclusion::Success
            };
            run.complete(conclusion, created);
            self.runs.insert(id, run);
            ids.push(id);
        }
        Ok(ids)
    }

    fn delete_run(&mut self, repo: &str, run_id: u64) -> Result<(), GitHubError> {
        self.run_mut(repo, run_id)?;
        self.runs.remove(&run_id);
        self.deleted_runs.insert(run_id);
        self.timers.retain(|t| t.run_id != run_id);
        Ok(())
    }

    fn rename(&mut self, from: &str, to: &str) -> Result<(), GitHubError> {
        let id = self.repo_id(from)?;
        let (owner, name) = to
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| GitHubError::BadRepositoryName(to.to_owned()))?;
        if self.repository(to).is_some_and(|r| r.id != id) {
            return Err(GitHubError::RepositoryExists(to.to_owned()));
        }
        let owner = self.user(owner);
        let old = from.to_lowercase();
        // A repository now called `to` takes that name back from any redirect.
        self.renamed.remove(&to.to_lowercase());
        if let Some(repo) = self.repos.iter_mut().find(|r| r.id == id) {
            repo.owner = owner;
            repo.name = name.to_owned();
        }
        if !old.eq_ignore_ascii_case(to) {
            self.renamed.insert(old, id);
        }
        Ok(())
    }

    fn delete_repository(&mut self, full_name: &str) -> Result<(), GitHubError> {
        let id = self.repo_id(full_name)?;
        self.repos.retain(|r| r.id != id);
        self.renamed.retain(|_, to| *to != id);
        self.deleted_repos.insert(full_name.to_lowercase());
        self.workflows.retain(|w| w.repo_id != id);
        let gone: Vec<u64> = self.runs(id).map(|r| r.id).collect();
        for run_id in gone {
            self.runs.remove(&run_id);
            self.deleted_runs.insert(run_id);
        }
        self.deployments.retain(|_, d| d.repo_id != id);
        let runs = &self.runs;
        self.timers.retain(|t| runs.contains_key(&t.run_id));
        Ok(())
    }

    fn hold_for_review(
        &mut self,
        repo: &str,
        run_id: u64,
        environment: &str,
        at: DateTime<Utc>,
    ) -> Result<(), GitHubError> {
        let repo_id = self.repo_id(repo)?;
        let environment_id = self.environment_id(repo_id, environment);
        let run = self.run_mut(repo, run_id)?;
        if run.status == RunStatus::Completed {
            return Err(GitHubError::NotWaitable(run_id));
        }
        run.environment = Some(environment.to_owned());
        run.wait_for(PendingDeployment {
            environment: environment.to_owned(),
            environment_id,
            since: at,
        });
        run.changed_from_outside = Some("held for a deployment review");
        Ok(())
    }
}

impl World {
    /// The simulated GitHub as it stands.
    pub fn github(&self) -> &GitHub {
        &self.github
    }

    /// Re-runs every job of a completed run (`POST …/rerun`): a new attempt starts at once and
    /// completes successfully [`super::ACTION_RUN_TAKES`] later.
    pub fn rerun_workflow_run(
        &mut self,
        repo: &str,
        run_id: u64,
        at: DateTime<Utc>,
    ) -> Result<(), GitHubError> {
        let origin = self.next_action(at);
        self.github.rerun(repo, run_id, Rerun::All, origin, at)
    }

    /// Re-runs the failed (or cancelled) jobs of a completed run and the jobs after them
    /// (`POST …/rerun-failed-jobs`); the jobs that succeeded stay the latest of their name.
    pub fn rerun_failed_jobs(
        &mut self,
        repo: &str,
        run_id: u64,
        at: DateTime<Utc>,
    ) -> Result<(), GitHubError> {
        let origin = self.next_action(at);
        self.github.rerun(repo, run_id, Rerun::Failed, origin, at)
    }

    /// Cancels a run that has not completed (`POST …/cancel`), at once.
    pub fn cancel_workflow_run(
        &mut self,
        repo: &str,
        run_id: u64,
        at: DateTime<Utc>,
    ) -> Result<(), GitHubError> {
        let origin = self.next_action(at);
        self.github.cancel(repo, run_id, origin, at)
    }

    /// Reviews the run's pending deployment (`POST …/pending_deployments`); `environment_ids`
    /// must include the one it waits for. Approved, the run goes on and deploys: the ids of the
    /// deployments made (one). Rejected, it fails and nothing deploys.
    pub fn review_pending_deployments(
        &mut self,
        repo: &str,
        run_id: u64,
        environment_ids: &[u64],
        review: Review,
        at: DateTime<Utc>,
    ) -> Result<Vec<u64>, GitHubError> {
        let origin = self.next_action(at);
        self.github
            .review(repo, run_id, environment_ids, review, origin, at)
    }

    /// Test hook: a run made as a scripted `ci` event that creates one would make it, at `at`;
    /// refused for an id the world or the scenario already uses.
    pub fn add_workflow_run(&mut self, run: &CiRun, at: DateTime<Utc>) -> Result<(), GitHubError> {
        let origin = self.next_action(at);
        self.github.add_run(run, origin, at)
    }

    /// Test hook: `n` completed runs of the repository's `ci` workflow on `main`, one a minute
    /// up to a minute before `at` (every seventh failed); their ids, oldest first.
    pub fn add_workflow_runs(
        &mut self,
        repo: &str,
        n: usize,
        at: DateTime<Utc>,
    ) -> Result<Vec<u64>, GitHubError> {
        self.next_action(at);
        self.github.add_runs(repo, n, at)
    }

    /// Test hook: deletes a run (its deployments stay, as on GitHub).
    pub fn delete_workflow_run(&mut self, repo: &str, run_id: u64) -> Result<(), GitHubError> {
        self.github.delete_run(repo, run_id)
    }

    /// Test hook: renames (or transfers) a repository to `to` (`owner/name`); the old name
    /// keeps redirecting to it until another repository takes it.
    pub fn rename_repository(&mut self, from: &str, to: &str) -> Result<(), GitHubError> {
        self.github.rename(from, to)
    }

    /// Test hook: deletes a repository with its runs and deployments.
    pub fn delete_repository(&mut self, repo: &str) -> Result<(), GitHubError> {
        self.github.delete_repository(repo)
    }

    /// Test hook: the queued or running run stops at `environment`'s protection rules from
    /// `at`, waiting for a review (the scenario cannot express this).
    pub fn wait_for_approval(
        &mut self,
        repo: &str,
        run_id: u64,
        environment: &str,
        at: DateTime<Utc>,
    ) -> Result<(), GitHubError> {
        self.next_action(at);
        self.github.hold_for_review(repo, run_id, environment, at)
    }
}
