//! A workflow run and its jobs and steps, with the transitions the scenario, opsdeck's actions
//! and the test hooks drive: queue an attempt, start it, wait for a deployment review, and
//! complete it with a conclusion.
//!
//! Jobs follow a fixed plan per workflow, so a run's jobs are deterministic: a workflow whose
//! name contains "deploy" has one job, `deploy`; any other has `build` then `test`. The last
//! job of the plan is the one a failed run fails in (its third step), and later steps are
//! skipped. Job and step times are spread over the attempt's lifetime in whole seconds, so
//! they always lie between the attempt's start and its completion.

use chrono::{DateTime, TimeDelta, Utc};

use crate::scenario::CiConclusion;

/// GitHub keeps at most this many attempts of a run ("You can re-run a workflow run up to 50
/// times"); job ids rely on it too.
pub const MAX_ATTEMPTS: u32 = 50;

/// Job ids: the run id times this, plus the attempt times 10, plus the job's index in the plan
/// (at most 10 jobs, 50 attempts), so they are unique without a registry.
const JOB_IDS_PER_RUN: u64 = 1000;

/// A run's or a job's status, as GitHub spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Queued,
    InProgress,
    /// Waiting for a deployment review (runs), or for its environment (jobs).
    Waiting,
    Completed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::InProgress => "in_progress",
            RunStatus::Waiting => "waiting",
            RunStatus::Completed => "completed",
        }
    }
}

/// A completed run's, job's or step's conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    Success,
    Failure,
    Cancelled,
    Skipped,
}

impl Conclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Success => "success",
            Conclusion::Failure => "failure",
            Conclusion::Cancelled => "cancelled",
            Conclusion::Skipped => "skipped",
        }
    }
}

impl From<CiConclusion> for Conclusion {
    fn from(c: CiConclusion) -> Self {
        match c {
            CiConclusion::Success => Conclusion::Success,
            CiConclusion::Failure => Conclusion::Failure,
            CiConclusion::Cancelled => Conclusion::Cancelled,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// From 1, as GitHub numbers them.
    pub number: u32,
    pub name: String,
    /// Queued, in progress or completed (steps never wait).
    pub status: RunStatus,
    pub conclusion: Option<Conclusion>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: u64,
    pub attempt: u32,
    pub name: String,
    pub status: RunStatus,
    pub conclusion: Option<Conclusion>,
    pub created_at: DateTime<Utc>,
    /// GitHub never leaves it null: a job that has not started shows when it was queued.
    pub started_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Empty until the job starts, as on GitHub.
    pub steps: Vec<Step>,
    /// The hosted runner that took it (1-based), once it started.
    pub runner: Option<u32>,
}

/// A run stopped at an environment's protection rules, waiting for a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDeployment {
    pub environment: String,
    pub environment_id: u64,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRun {
    pub id: u64,
    pub repo_id: u64,
    pub workflow_id: u64,
    pub workflow: String,
    /// `.github/workflows/<workflow>.yml`.
    pub path: String,
    pub run_number: u64,
    /// From 1; each re-run adds one.
    pub attempt: u32,
    pub head_branch: String,
    /// 40 hex digits.
    pub head_sha: String,
    /// The head commit's message: the scenario's title when the run was created.
    pub commit_message: String,
    pub display_title: String,
    pub status: RunStatus,
    pub conclusion: Option<Conclusion>,
    pub created_at: DateTime<Utc>,
    /// When the current attempt started.
    pub run_started_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub environment: Option<String>,
    /// Every attempt's jobs, oldest attempt first, each attempt in plan order.
    pub jobs: Vec<Job>,
    pub pending: Option<PendingDeployment>,
    /// The deployment the current attempt made, once it made one.
    pub deployment: Option<u64>,
    /// What opsdeck (or a test) last did to the run from outside, such as "cancelled": later
    /// scripted changes no longer apply to it.
    pub changed_from_outside: Option<&'static str>,
}

/// The fields a new run starts with; jobs and times come from [`WorkflowRun::new`].
#[derive(Debug, Clone)]
pub struct NewRun {
    pub id: u64,
    pub repo_id: u64,
    pub workflow_id: u64,
    pub workflow: String,
    pub run_number: u64,
    pub head_branch: String,
    pub head_sha: String,
    pub title: String,
    pub environment: Option<String>,
}

/// Whether a workflow deploys (its plan is the one `deploy` job).
pub fn is_deploy(workflow: &str) -> bool {
    workflow.to_lowercase().contains("deploy")
}

/// The jobs of a workflow, in order, each with its steps.
fn plan(workflow: &str, environment: Option<&str>) -> Vec<(&'static str, [String; 4])> {
    let steps = |work: String| {
        [
            "Set up job".to_owned(),
            "Checkout".to_owned(),
            work,
            "Complete job".to_owned(),
        ]
    };
    if is_deploy(workflow) {
        let target = environment.map_or_else(|| "Deploy".to_owned(), |e| format!("Deploy to {e}"));
        vec![("deploy", steps(target))]
    } else {
        vec![
            ("build", steps("Build".to_owned())),
            ("test", steps("Run tests".to_owned())),
        ]
    }
}

/// The index in the plan of the step a failed job fails at (the job's own work).
const FAILING_STEP: usize = 2;

impl WorkflowRun {
    /// A run queued at `at`, as attempt 1.
    pub fn new(new: NewRun, at: DateTime<Utc>) -> WorkflowRun {
        let mut run = WorkflowRun {
            id: new.id,
            repo_id: new.repo_id,
            workflow_id: new.workflow_id,
            path: format!(".github/workflows/{}.yml", new.workflow),
            workflow: new.workflow,
            run_number: new.run_number,
            attempt: 0,
            head_branch: new.head_branch,
            head_sha: new.head_sha,
            commit_message: new.title.clone(),
            display_title: new.title,
            status: RunStatus::Queued,
            conclusion: None,
            created_at: at,
            run_started_at: at,
            updated_at: at,
            environment: new.environment,
            jobs: Vec::new(),
            pending: None,
            deployment: None,
            changed_from_outside: None,
        };
        run.queue_attempt(at, |_| true);
        run
    }

    fn plan(&self) -> Vec<(&'static str, [String; 4])> {
        plan(&self.workflow, self.environment.as_deref())
    }

    /// The current attempt's jobs that have not completed.
    fn unfinished(&self) -> impl Iterator<Item = usize> + '_ {
        self.jobs
            .iter()
            .enumerate()
            .filter(|(_, j)| j.attempt == self.attempt && j.status != RunStatus::Completed)
            .map(|(i, _)| i)
    }

    /// The latest job of each name in plan order: what GitHub's `filter=latest` lists (a
    /// re-run of failed jobs keeps the earlier attempt's successful jobs).
    pub fn latest_jobs(&self) -> Vec<&Job> {
        self.plan()
            .iter()
            .filter_map(|(name, _)| {
                self.jobs
                    .iter()
                    .filter(|j| j.name == *name)
                    .max_by_key(|j| j.attempt)
            })
            .collect()
    }

    /// Starts a new attempt at `at` with the jobs of the plan `rerun` picks (by name), queued.
    pub fn queue_attempt(&mut self, at: DateTime<Utc>, rerun: impl Fn(&str) -> bool) {
        self.attempt += 1;
        self.status = RunStatus::Queued;
        self.conclusion = None;
        self.run_started_at = at;
        self.updated_at = at;
        self.pending = None;
        self.deployment = None;
        let attempt = self.attempt;
        let run_id = self.id;
        for (index, (name, _)) in self.plan().iter().enumerate() {
            if !rerun(name) {
                continue;
            }
            self.jobs.push(Job {
                id: job_id(run_id, attempt, index),
                attempt,
                name: (*name).to_owned(),
                status: RunStatus::Queued,
                conclusion: None,
                created_at: at,
                started_at: at,
                completed_at: None,
                steps: Vec::new(),
                runner: None,
            });
        }
    }

    /// The attempt starts running at `at`: its first unfinished job takes a runner and starts
    /// its first step. Nothing happens to a run that is already running or completed.
    pub fn begin(&mut self, at: DateTime<Utc>) {
        if matches!(self.status, RunStatus::InProgress | RunStatus::Completed) {
            return;
        }
        self.status = RunStatus::InProgress;
        self.pending = None;
        self.updated_at = at;
        let steps = self.plan();
        let Some(index) = self.unfinished().next() else {
            return;
        };
        let plan_steps = steps
            .iter()
            .find(|(name, _)| *name == self.jobs[index].name)
            .map(|(_, s)| s.clone());
        let job = &mut self.jobs[index];
        job.status = RunStatus::InProgress;
        job.started_at = at;
        job.runner = Some(runner_for(job));
        job.steps = plan_steps
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, name)| Step {
                number: i as u32 + 1,
                name,
                status: if i == 0 {
                    RunStatus::InProgress
                } else {
                    RunStatus::Queued
                },
                conclusion: None,
                started_at: (i == 0).then_some(at),
                completed_at: None,
            })
            .collect();
    }

    /// The attempt stops at an environment's protection rules: its first unfinished job waits.
    pub fn wait_for(&mut self, pending: PendingDeployment) {
        self.status = RunStatus::Waiting;
        self.updated_at = pending.since;
        let first = self.unfinished().next();
        if let Some(index) = first {
            let job = &mut self.jobs[index];
            job.status = RunStatus::Waiting;
            job.steps.clear();
            job.runner = None;
        }
        self.pending = Some(pending);
    }

    /// The attempt ends at `at` with `conclusion` (success, failure or cancelled): unfinished
    /// jobs run in turn over the time left (success), up to the failing job (failure), or stop
    /// where they are (cancelled).
    pub fn complete(&mut self, conclusion: Conclusion, at: DateTime<Utc>) {
        if self.status == RunStatus::Completed {
            return;
        }
        let unfinished: Vec<usize> = self.unfinished().collect();
        match conclusion {
            Conclusion::Cancelled | Conclusion::Skipped => {
                for &index in &unfinished {
                    stop(&mut self.jobs[index], conclusion, at);
                }
            }
            Conclusion::Success | Conclusion::Failure => {
                let from = unfinished
                    .first()
                    .map(|&i| &self.jobs[i])
                    .filter(|j| j.status == RunStatus::InProgress)
                    .map_or(self.run_started_at, |j| j.started_at);
                // Failing, the plan's last unfinished job fails and nothing runs after it.
                let failing = (conclusion == Conclusion::Failure)
                    .then(|| unfinished.last().copied())
                    .flatten();
                let plan = self.plan();
                let slices = split(from, at, unfinished.len());
                for (&index, (start, end)) in unfinished.iter().zip(slices) {
                    let steps = plan
                        .iter()
                        .find(|(name, _)| *name == self.jobs[index].name)
                        .map(|(_, s)| s.clone())
                        .unwrap_or_default();
                    let fails = failing == Some(index);
                    run_job(&mut self.jobs[index], &steps, fails, start, end);
                }
            }
        }
        self.status = RunStatus::Completed;
        self.conclusion = Some(conclusion);
        self.pending = None;
        self.updated_at = at;
    }

    /// A reviewer rejected the pending deployment at `at`: the waiting job fails without
    /// running and the run completes with `failure`, as on GitHub.
    pub fn reject(&mut self, at: DateTime<Utc>) {
        let unfinished: Vec<usize> = self.unfinished().collect();
        for (n, &index) in unfinished.iter().enumerate() {
            let conclusion = if n == 0 {
                Conclusion::Failure
            } else {
                Conclusion::Skipped
            };
            stop(&mut self.jobs[index], conclusion, at);
        }
        self.status = RunStatus::Completed;
        self.conclusion = Some(Conclusion::Failure);
        self.pending = None;
        self.updated_at = at;
    }

    /// The jobs a re-run of failed jobs runs again: the first failed, cancelled or skipped job
    /// (of each job's latest attempt) and the jobs after it in the plan, which need it; empty
    /// when every job succeeded.
    pub fn failed_and_dependent_jobs(&self) -> Vec<String> {
        let latest = self.latest_jobs();
        let first_failed = latest.iter().position(|j| {
            matches!(
                j.conclusion,
                Some(Conclusion::Failure | Conclusion::Cancelled | Conclusion::Skipped)
            )
        });
        match first_failed {
            Some(i) => latest[i..].iter().map(|j| j.name.clone()).collect(),
            None => Vec::new(),
        }
    }
}

/// A job id: see [`JOB_IDS_PER_RUN`].
fn job_id(run_id: u64, attempt: u32, index: usize) -> u64 {
    run_id
        .saturating_mul(JOB_IDS_PER_RUN)
        .saturating_add(u64::from(attempt) * 10)
        .saturating_add(index as u64)
}

/// Hosted runners are numbered per job, which is all a client sees of them.
fn runner_for(job: &Job) -> u32 {
    (job.id % 20) as u32 + 1
}

/// A job that stops at `at` without running further: its running step ends with
/// `conclusion`, steps not reached are skipped.
fn stop(job: &mut Job, conclusion: Conclusion, at: DateTime<Utc>) {
    job.status = RunStatus::Completed;
    job.conclusion = Some(conclusion);
    job.completed_at = Some(at);
    for step in &mut job.steps {
        match step.status {
            RunStatus::InProgress => {
                step.conclusion = Some(conclusion);
                step.completed_at = Some(at);
            }
            RunStatus::Queued | RunStatus::Waiting => step.conclusion = Some(Conclusion::Skipped),
            RunStatus::Completed => continue,
        }
        step.status = RunStatus::Completed;
    }
}

/// A job that runs from `start` to `end`: each step in turn, or, failing, its steps up to the
/// failing one (which takes the rest of the time) and the later ones skipped at the end.
fn run_job(
    job: &mut Job,
    steps: &[String; 4],
    fails: bool,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) {
    if job.status != RunStatus::InProgress {
        job.started_at = start;
    }
    job.runner = Some(runner_for(job));
    job.status = RunStatus::Completed;
    job.completed_at = Some(end);
    let ran = if fails { FAILING_STEP + 1 } else { steps.len() };
    let slices = split(job.started_at, end, ran);
    job.steps = steps
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let (started_at, completed_at, conclusion) = match slices.get(i) {
                Some((s, e)) if fails && i == FAILING_STEP => (*s, *e, Conclusion::Failure),
                Some((s, e)) => (*s, *e, Conclusion::Success),
                None => (end, end, Conclusion::Skipped),
            };
            Step {
                number: i as u32 + 1,
                name: name.clone(),
                status: RunStatus::Completed,
                conclusion: Some(conclusion),
                started_at: Some(started_at),
                completed_at: Some(completed_at),
            }
        })
        .collect();
    job.conclusion = Some(if fails {
        Conclusion::Failure
    } else {
        Conclusion::Success
    });
}

/// `n` consecutive slices of `from..to`, on whole seconds from `from` (empty ones when the
/// interval is empty); the last ends at `to` exactly.
fn split(from: DateTime<Utc>, to: DateTime<Utc>, n: usize) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let to = to.max(from);
    let total = (to - from).num_seconds();
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let bound = |k: i64| from + TimeDelta::seconds(total.saturating_mul(k) / n);
    (0..n)
        .map(|k| (bound(k), if k + 1 == n { to } else { bound(k + 1) }))
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
    }

    fn run(workflow: &str, environment: Option<&str>) -> WorkflowRun {
        WorkflowRun::new(
            NewRun {
                id: 7,
                repo_id: 1,
                workflow_id: 2,
                workflow: workflow.to_owned(),
                run_number: 3,
                head_branch: "main".to_owned(),
                head_sha: "a".repeat(40),
                title: "t".to_owned(),
                environment: environment.map(str::to_owned),
            },
            at(10, 0),
        )
    }

    fn summary(run: &WorkflowRun) -> Vec<(u64, u32, &str, &str, Option<&str>)> {
        run.jobs
            .iter()
            .map(|j| {
                (
                    j.id,
                    j.attempt,
                    j.name.as_str(),
                    j.status.as_str(),
                    j.conclusion.map(Conclusion::as_str),
                )
            })
            .collect()
    }

    #[test]
    fn a_failed_ci_run_fails_in_its_tests_and_skips_the_rest() {
        let mut r = run("ci", None);
        r.begin(at(10, 1));
        r.complete(Conclusion::Failure, at(10, 9));
        assert_eq!(
            summary(&r),
            [
                (7010, 1, "build", "completed", Some("success")),
                (7011, 1, "test", "completed", Some("failure"))
            ]
        );
        let build = &r.jobs[0];
        assert_eq!(
            (build.started_at, build.completed_at),
            (at(10, 1), Some(at(10, 5)))
        );
        let test = &r.jobs[1];
        assert_eq!(
            (test.started_at, test.completed_at),
            (at(10, 5), Some(at(10, 9)))
        );
        let steps: Vec<(&str, Option<&str>)> = test
            .steps
            .iter()
            .map(|s| (s.name.as_str(), s.conclusion.map(Conclusion::as_str)))
            .collect();
        assert_eq!(
            steps,
            [
                ("Set up job", Some("success")),
                ("Checkout", Some("success")),
                ("Run tests", Some("failure")),
                ("Complete job", Some("skipped")),
            ]
        );
        for step in r.jobs.iter().flat_map(|j| &j.steps) {
            let (s, e) = (step.started_at.unwrap(), step.completed_at.unwrap());
            assert!(at(10, 1) <= s && s <= e && e <= at(10, 9), "{step:?}");
        }
        assert_eq!(r.failed_and_dependent_jobs(), ["test"]);
    }

    #[test]
    fn cancelling_stops_the_running_job_and_cancels_queued_ones() {
        let mut r = run("ci", None);
        r.begin(at(10, 1));
        r.complete(Conclusion::Cancelled, at(10, 2));
        assert_eq!(
            summary(&r),
            [
                (7010, 1, "build", "completed", Some("cancelled")),
                (7011, 1, "test", "completed", Some("cancelled"))
            ]
        );
        let statuses: Vec<Option<&str>> = r.jobs[0]
            .steps
            .iter()
            .map(|s| s.conclusion.map(Conclusion::as_str))
            .collect();
        assert_eq!(
            statuses,
            [
                Some("cancelled"),
                Some("skipped"),
                Some("skipped"),
                Some("skipped")
            ]
        );
        assert!(r.jobs[1].steps.is_empty());
        assert_eq!(r.failed_and_dependent_jobs(), ["build", "test"]);
    }

    #[test]
    fn rerunning_failed_jobs_keeps_the_successful_ones_as_latest() {
        let mut r = run("ci", None);
        r.complete(Conclusion::Failure, at(10, 4));
        let again = r.failed_and_dependent_jobs();
        r.queue_attempt(at(11, 0), |name| again.iter().any(|n| n == name));
        r.begin(at(11, 0));
        assert_eq!(r.attempt, 2);
        let latest: Vec<(u64, u32)> = r.latest_jobs().iter().map(|j| (j.id, j.attempt)).collect();
        assert_eq!(latest, [(7010, 1), (7021, 2)]);
        assert_eq!(r.jobs[2].status, RunStatus::InProgress);
        assert_eq!(r.jobs[2].started_at, at(11, 0));
        r.complete(Conclusion::Success, at(11, 2));
        assert!(r.failed_and_dependent_jobs().is_empty());
        assert_eq!(r.conclusion, Some(Conclusion::Success));
    }

    #[test]
    fn deploy_workflows_have_one_deploy_job_named_for_the_environment() {
        let mut r = run("deploy-production", Some("production"));
        r.wait_for(PendingDeployment {
            environment: "production".into(),
            environment_id: 5,
            since: at(10, 0),
        });
        assert_eq!(summary(&r), [(7010, 1, "deploy", "waiting", None)]);
        r.begin(at(10, 3));
        assert_eq!(r.jobs[0].steps[2].name, "Deploy to production");
        r.reject(at(10, 4));
        assert_eq!(r.conclusion, Some(Conclusion::Failure));
    }

    #[test]
    fn slices_cover_the_interval_in_order() {
        let s = split(at(10, 0), at(10, 0) + TimeDelta::seconds(10), 3);
        let secs: Vec<(i64, i64)> = s
            .iter()
            .map(|(a, b)| {
                (
                    (*a - at(10, 0)).num_seconds(),
                    (*b - at(10, 0)).num_seconds(),
                )
            })
            .collect();
        assert_eq!(secs, [(0, 3), (3, 6), (6, 10)]);
        assert_eq!(split(at(10, 0), at(10, 0), 2), [(at(10, 0), at(10, 0)); 2]);
    }
}
