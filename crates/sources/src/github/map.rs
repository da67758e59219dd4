//! GitHub's runs and deployments as timeline entries: pure, so every rule (status words,
//! failures first, the flaky hint, production deploys as changes) is tested without HTTP.

use std::collections::HashMap;

use opsdeck_domain::{EntryKind, NewEntry, Severity, SourceKind, Status};
use serde_json::{json, Value};

use super::wire::{Deployment, DeploymentStatus, Job, Run};

/// A failed job of a run and the steps that failed in it.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedJob {
    pub name: String,
    pub url: Option<String>,
    pub steps: Vec<String>,
}

/// The jobs of a run that failed (or timed out), each with its failed steps.
pub fn failed_jobs(jobs: &[Job]) -> Vec<FailedJob> {
    jobs.iter()
        .filter(|j| failed(j.conclusion.as_deref()))
        .map(|j| FailedJob {
            name: j.name.clone(),
            url: j.html_url.clone(),
            steps: j
                .steps
                .iter()
                .filter(|s| failed(s.conclusion.as_deref()))
                .map(|s| s.name.clone())
                .collect(),
        })
        .collect()
}

fn failed(conclusion: Option<&str>) -> bool {
    matches!(
        conclusion,
        Some("failure" | "timed_out" | "startup_failure")
    )
}

/// A run's status on the timeline: waiting runs are queued; a completed run is its
/// conclusion, a timeout a failure, a skipped or neutral run nothing that failed.
pub fn run_status(run: &Run) -> Status {
    match run.status.as_deref() {
        Some("in_progress") => Status::InProgress,
        Some("completed") => match run.conclusion.as_deref() {
            Some("success" | "neutral") => Status::Success,
            Some("cancelled" | "skipped" | "stale") => Status::Cancelled,
            Some("action_required") => Status::Queued,
            // failure, timed_out, startup_failure, and whatever GitHub adds: look at it.
            _ => Status::Failure,
        },
        _ => Status::Queued,
    }
}

/// Whether a run failed: what needs looking at, and what a re-run of failed jobs can fix.
pub fn run_failed(run: &Run) -> bool {
    run_status(run) == Status::Failure
}

/// Why a run looks flaky: the same commit's run of the same workflow failed, then this passed
/// (or an earlier attempt of this very run failed).
#[derive(Debug, Clone, PartialEq)]
pub struct Flaky {
    pub failed_run: u64,
    pub failed_attempt: Option<u32>,
}

/// Flaky hints by run id, from the runs in view (any order) and the runs seen failing before
/// (id → attempt) that have since passed on a re-run.
pub fn flaky_runs(runs: &[Run], failed_before: &HashMap<u64, u32>) -> HashMap<u64, Flaky> {
    let mut by_commit: HashMap<(String, &str), Vec<&Run>> = HashMap::new();
    for run in runs {
        let workflow = run
            .workflow_id
            .map(|w| w.to_string())
            .or_else(|| run.path.clone())
            .or_else(|| run.name.clone())
            .unwrap_or_default();
        by_commit
            .entry((workflow, run.head_sha.as_str()))
            .or_default()
            .push(run);
    }
    let mut hints = HashMap::new();
    for runs in by_commit.values_mut() {
        runs.sort_by_key(|r| (r.created_at, r.id));
        for (i, run) in runs.iter().enumerate() {
            if run_status(run) != Status::Success {
                continue;
            }
            if let Some(attempt) = failed_before
                .get(&run.id)
                .filter(|a| Some(**a) < run.run_attempt)
            {
                hints.insert(
                    run.id,
                    Flaky {
                        failed_run: run.id,
                        failed_attempt: Some(*attempt),
                    },
                );
            } else if let Some(earlier) = runs[..i].iter().rev().find(|r| run_failed(r)) {
                hints.insert(
                    run.id,
                    Flaky {
                        failed_run: earlier.id,
                        failed_attempt: None,
                    },
                );
            }
        }
    }
    hints
}

/// The short form of a commit, as GitHub shows it.
pub fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// What a run entry needs besides the run itself.
pub struct RunContext<'a> {
    pub repo: &'a str,
    pub service: Option<&'a str>,
    /// `None`: not read (the run did not fail, or its jobs could not be read).
    pub failed_jobs: Option<&'a [FailedJob]>,
    pub flaky: Option<&'a Flaky>,
    /// The environment a deployment of this run's commit went to while it ran.
    pub environment: Option<&'a str>,
}

pub fn run_entry(run: &Run, raw: Value, ctx: &RunContext<'_>) -> NewEntry {
    let status = run_status(run);
    let workflow = run.name.clone().unwrap_or_else(|| {
        run.path
            .as_deref()
            .and_then(|p| p.rsplit('/').next())
            .unwrap_or("workflow")
            .to_string()
    });
    let number = run.run_number.unwrap_or(run.id);
    let branch = run.head_branch.as_deref().unwrap_or("(no branch)");
    let what = run
        .display_title
        .clone()
        .or_else(|| {
            run.head_commit
                .as_ref()
                .and_then(|c| c.message.as_deref())
                .and_then(|m| m.lines().next())
                .map(str::to_string)
        })
        .unwrap_or_else(|| short_sha(&run.head_sha).to_string());
    let mut title = format!("{workflow} #{number} ({branch}): {what}");
    if let Some(first) = ctx.failed_jobs.and_then(|jobs| jobs.first()) {
        match first.steps.first() {
            Some(step) => title.push_str(&format!(" — {} failed at “{step}”", first.name)),
            None => title.push_str(&format!(" — {} failed", first.name)),
        }
    }
    if ctx.flaky.is_some() {
        title.push_str(" — flaky?");
    }
    let started_at = run.run_started_at.unwrap_or(run.created_at);
    let ended_at = (run.status.as_deref() == Some("completed"))
        .then(|| run.updated_at.unwrap_or(started_at))
        .map(|t| t.max(started_at));
    let severity = if status == Status::Failure {
        Severity::Warning
    } else {
        Severity::Info
    };
    NewEntry {
        source: SourceKind::Github,
        kind: EntryKind::CiRun,
        severity,
        status: Some(status),
        title,
        service: ctx.service.map(str::to_string),
        url: run.html_url.clone(),
        started_at,
        ended_at,
        external_id: run.id.to_string(),
        details: json!({
            "repo": ctx.repo,
            "workflow": workflow,
            "workflow_path": run.path,
            "run_id": run.id,
            "run_number": run.run_number,
            "run_attempt": run.run_attempt,
            "branch": run.head_branch,
            "commit": run.head_sha,
            "commit_short": short_sha(&run.head_sha),
            "title": run.display_title,
            "event": run.event,
            "actor": run.actor.as_ref().or(run.triggering_actor.as_ref()).map(|u| &u.login),
            "status": run.status,
            "conclusion": run.conclusion,
            "duration_seconds": ended_at.map(|end| (end - started_at).num_seconds()),
            "environment": ctx.environment,
            "failed_jobs": ctx.failed_jobs.map(|jobs| jobs.iter().map(|j| json!({
                "name": j.name, "url": j.url, "failed_steps": j.steps,
            })).collect::<Vec<_>>()),
            "flaky": ctx.flaky.map(|f| json!({
                "failed_run": f.failed_run,
                "failed_attempt": f.failed_attempt,
                "hint": match f.failed_attempt {
                    Some(a) => format!("attempt {a} of this run failed, a re-run passed"),
                    None => format!("run {} of the same commit failed, this one passed", f.failed_run),
                },
            })),
        }),
        raw,
    }
}

/// Whether an environment is production: GitHub's own flag when sent, else its name.
pub fn is_production(d: &Deployment) -> bool {
    d.production_environment.unwrap_or_else(|| {
        let name = d.environment.to_ascii_lowercase();
        name == "production"
            || name == "prod"
            || name.starts_with("prod-")
            || name.ends_with("-prod")
    })
}

/// A terminal deployment state: its statuses will not change any more.
pub fn deployment_settled(statuses: &[DeploymentStatus]) -> bool {
    latest(statuses).is_some_and(|s| {
        matches!(
            s.state.as_str(),
            "success" | "failure" | "error" | "inactive"
        )
    })
}

fn latest(statuses: &[DeploymentStatus]) -> Option<&DeploymentStatus> {
    statuses.iter().max_by_key(|s| (s.created_at, s.id))
}

pub fn deployment_entry(
    d: &Deployment,
    statuses: &[DeploymentStatus],
    raw: Value,
    repo: &str,
    service: Option<&str>,
) -> NewEntry {
    let state = latest(statuses).map_or("pending", |s| s.state.as_str());
    let production = is_production(d);
    let sha = short_sha(&d.sha);
    let title = match state {
        "success" => format!("{repo} deployed {} ({sha}) to {}", d.git_ref, d.environment),
        "failure" | "error" => format!(
            "{repo} deploy of {} ({sha}) to {} failed",
            d.git_ref, d.environment
        ),
        "inactive" => format!(
            "{repo} deploy of {} ({sha}) to {} (since replaced)",
            d.git_ref, d.environment
        ),
        other => format!(
            "{repo} deploying {} ({sha}) to {} ({})",
            d.git_ref,
            d.environment,
            other.replace('_', " ")
        ),
    };
    let severity = if matches!(state, "failure" | "error") {
        Severity::Warning
    } else {
        Severity::Info
    };
    // It ended when it succeeded or failed; a later `inactive` (replaced by a newer deploy)
    // does not move that.
    let ended_at = deployment_settled(statuses)
        .then(|| {
            statuses
                .iter()
                .filter(|s| matches!(s.state.as_str(), "success" | "failure" | "error"))
                .max_by_key(|s| (s.created_at, s.id))
                .or(latest(statuses))
                .map(|s| s.created_at)
        })
        .flatten()
        .map(|t| t.max(d.created_at));
    let url = latest(statuses).and_then(|s| {
        s.log_url
            .clone()
            .or_else(|| s.target_url.clone().filter(|u| !u.is_empty()))
            .or_else(|| s.environment_url.clone())
    });
    let mut history: Vec<&DeploymentStatus> = statuses.iter().collect();
    history.sort_by_key(|s| (s.created_at, s.id));
    NewEntry {
        source: SourceKind::Github,
        kind: EntryKind::Deployment,
        severity,
        // The timeline contract gives deployments no status: the state is in the title and
        // the details.
        status: None,
        title,
        service: service.map(str::to_string),
        url,
        started_at: d.created_at,
        ended_at,
        external_id: d.id.to_string(),
        details: json!({
            "repo": repo,
            "environment": d.environment,
            "production": production,
            "ref": d.git_ref,
            "commit": d.sha,
            "commit_short": sha,
            "task": d.task,
            "description": d.description,
            "creator": d.creator.as_ref().map(|u| &u.login),
            "state": state,
            "statuses": history.iter().map(|s| json!({
                "state": s.state, "at": s.created_at, "description": s.description,
            })).collect::<Vec<_>>(),
        }),
        raw,
    }
}
