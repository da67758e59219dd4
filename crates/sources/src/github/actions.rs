//! GitHub Actions: re-run a run's failed jobs, re-run all of it, cancel it, approve a
//! deployment waiting for review. TARGET is `owner/repo/run_id`. Planning reads the run as it
//! is now, so the confirmation says what will re-run (the failed jobs by name) and refuses what
//! GitHub would refuse (re-running a run still going, cancelling a finished one).

use opsdeck_domain::{ActionKind, ActionRequest, Effect, Risk};
use reqwest::Method;
use serde_json::{json, Value};

use super::map::{self, short_sha};
use super::source::{GithubSource, ACCEPT};
use super::wire::{JobList, PendingDeployment, Run};
use crate::action::Params;
use crate::{ActionContext, ActionError, SourceError};

fn allowed(kind: ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::GithubApproveDeployment => &["environment", "comment"],
        _ => &[],
    }
}

/// `owner/repo/run_id`, the repository one the source polls.
fn target(
    source: &GithubSource,
    kind: ActionKind,
    target: &str,
) -> Result<(String, u64), ActionError> {
    let bad = || {
        ActionError::Invalid(format!(
            "{kind}: target {target:?} is not owner/repo/run_id (for example acme/payments-api/9011)"
        ))
    };
    let (repo, id) = target.trim().rsplit_once('/').ok_or_else(bad)?;
    let id: u64 = id.parse().map_err(|_| bad())?;
    if repo.split('/').count() != 2 || repo.split('/').any(str::is_empty) {
        return Err(bad());
    }
    // The configured spelling: GitHub's names are case-insensitive.
    let repo = source
        .repos
        .iter()
        .find(|r| r.eq_ignore_ascii_case(repo))
        .cloned()
        .ok_or_else(|| {
            ActionError::Invalid(format!(
                "{kind}: {repo} is not a repository this source watches ({})",
                source.repos.join(", ")
            ))
        })?;
    Ok((repo, id))
}

async fn run(source: &GithubSource, repo: &str, id: u64) -> Result<Run, ActionError> {
    match source
        .client
        .get_json::<Run>(&format!("repos/{repo}/actions/runs/{id}"), &[], ACCEPT)
        .await
    {
        Ok(run) => Ok(run.value),
        Err(SourceError::NotFound { .. }) => Err(ActionError::Invalid(format!(
            "{repo} has no workflow run {id} (deleted, or the token cannot see it)"
        ))),
        Err(e) => Err(e.into()),
    }
}

fn describe(run: &Run) -> String {
    format!(
        "{} #{} on {} ({})",
        run.name.as_deref().unwrap_or("workflow"),
        run.run_number.unwrap_or(run.id),
        run.head_branch.as_deref().unwrap_or("(no branch)"),
        short_sha(&run.head_sha)
    )
}

fn state_words(run: &Run) -> String {
    match (run.status.as_deref(), run.conclusion.as_deref()) {
        (Some("completed"), Some(c)) => format!("completed: {c}"),
        (Some(s), _) => s.replace('_', " "),
        (None, _) => "in an unknown state".into(),
    }
}

/// A deploy workflow re-runs its deployment: that is what makes a re-run risky.
fn deploys(run: &Run) -> bool {
    let name = format!(
        "{} {}",
        run.name.as_deref().unwrap_or_default(),
        run.path.as_deref().unwrap_or_default()
    )
    .to_ascii_lowercase();
    name.contains("deploy") || name.contains("release")
}

async fn pending(
    source: &GithubSource,
    repo: &str,
    id: u64,
) -> Result<Vec<PendingDeployment>, ActionError> {
    Ok(source
        .client
        .get_json::<Vec<PendingDeployment>>(
            &format!("repos/{repo}/actions/runs/{id}/pending_deployments"),
            &[],
            ACCEPT,
        )
        .await?
        .value)
}

/// The environment to approve: the one named, else the only one waiting.
fn chosen<'a>(
    waiting: &'a [PendingDeployment],
    named: Option<&str>,
    what: &str,
) -> Result<&'a PendingDeployment, ActionError> {
    let names: Vec<&str> = waiting
        .iter()
        .filter_map(|p| p.environment.name.as_deref())
        .collect();
    match named {
        Some(name) => waiting
            .iter()
            .find(|p| p.environment.name.as_deref() == Some(name))
            .ok_or_else(|| {
                ActionError::Invalid(format!(
                    "{what} waits for no environment {name:?} (waiting: {})",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ))
            }),
        None => match waiting {
            [] => Err(ActionError::Invalid(format!(
                "{what} has no deployment waiting for approval"
            ))),
            [one] => Ok(one),
            _ => Err(ActionError::Invalid(format!(
                "{what} waits for several environments ({}): name one with environment=NAME",
                names.join(", ")
            ))),
        },
    }
}

pub async fn plan(
    source: &GithubSource,
    request: &ActionRequest,
    _ctx: &ActionContext,
) -> Result<Effect, ActionError> {
    let kind = request.kind;
    let params = Params::new(request, allowed(kind))?;
    let (repo, id) = target(source, kind, &request.target)?;
    let run = run(source, &repo, id).await?;
    let what = describe(&run);
    let mut effect = Effect {
        summary: String::new(),
        target: format!("{repo}/{id}"),
        // Under type-to-confirm the repository is typed: which code is affected.
        target_name: repo.clone(),
        environment: format!("GitHub repository {repo}"),
        service: source.service_of(&repo).map(str::to_string),
        risk: Risk::Low,
        undo: None,
        details: vec![format!("now: {}", state_words(&run))],
    };
    if let Some(title) = &run.display_title {
        effect.details.push(format!("title: {title}"));
    }
    let completed = run.status.as_deref() == Some("completed");
    match kind {
        ActionKind::GithubRerunFailed | ActionKind::GithubRerun => {
            if !completed {
                return Err(ActionError::Invalid(format!(
                    "{kind}: {what} is still {}; cancel it first or wait for it to finish",
                    state_words(&run)
                )));
            }
            if kind == ActionKind::GithubRerunFailed {
                if !matches!(
                    run.conclusion.as_deref(),
                    Some("failure" | "timed_out" | "cancelled" | "startup_failure")
                ) {
                    return Err(ActionError::Invalid(format!(
                        "{kind}: {what} has no failed jobs to re-run ({})",
                        state_words(&run)
                    )));
                }
                let jobs = source
                    .client
                    .get_json::<JobList>(
                        &format!("repos/{repo}/actions/runs/{id}/jobs"),
                        &[
                            ("filter", "latest".to_string()),
                            ("per_page", "100".to_string()),
                        ],
                        ACCEPT,
                    )
                    .await?
                    .value
                    .jobs;
                let failed = map::failed_jobs(&jobs);
                effect.summary = format!(
                    "Re-run the failed jobs of {what} in {repo} ({} job{})",
                    failed.len(),
                    if failed.len() == 1 { "" } else { "s" }
                );
                for job in &failed {
                    effect.details.push(if job.steps.is_empty() {
                        format!("re-runs {} (and the jobs that depend on it)", job.name)
                    } else {
                        format!(
                            "re-runs {} (failed at {}) and the jobs that depend on it",
                            job.name,
                            job.steps.join(", ")
                        )
                    });
                }
            } else {
                effect.summary = format!("Re-run every job of {what} in {repo}");
            }
            effect.risk = if deploys(&run) { Risk::High } else { Risk::Low };
            if deploys(&run) {
                effect
                    .details
                    .push("this workflow deploys: a re-run deploys again".into());
            }
            effect.undo = Some(format!("cancel it: github.cancel {repo}/{id}"));
        }
        ActionKind::GithubCancel => {
            if completed {
                return Err(ActionError::Invalid(format!(
                    "{kind}: {what} already {}; nothing to cancel",
                    state_words(&run)
                )));
            }
            effect.summary = format!("Cancel {what} in {repo}");
            effect.risk = if deploys(&run) {
                Risk::High
            } else {
                Risk::Medium
            };
            if deploys(&run) {
                effect.details.push(
                    "this workflow deploys: cancelling may leave a deployment half done".into(),
                );
            }
            effect.undo = Some(format!("re-run it: github.rerun {repo}/{id}"));
        }
        ActionKind::GithubApproveDeployment => {
            let waiting = pending(source, &repo, id).await?;
            let one = chosen(&waiting, params.get("environment"), &what)?;
            let env = one.environment.name.clone().unwrap_or_default();
            if !one.current_user_can_approve {
                return Err(ActionError::Invalid(format!(
                    "{kind}: this token's user is not a required reviewer of {env:?} for {what}"
                )));
            }
            effect.summary = format!("Approve the deployment of {what} to {env}");
            effect.environment = format!("GitHub repository {repo}, environment {env}");
            effect.risk = Risk::High;
            effect.details.push(format!(
                "lets the run's {env} jobs go ahead; an approval cannot be withdrawn"
            ));
            if let Some(comment) = params.get("comment") {
                effect.details.push(format!("comment: {comment}"));
            }
            effect.undo = Some(format!(
                "cancel the run before it deploys: github.cancel {repo}/{id}"
            ));
        }
        other => {
            return Err(ActionError::Unsupported {
                source_name: source.name_of().to_string(),
                kind: other,
            })
        }
    }
    Ok(effect)
}

pub async fn execute(
    source: &GithubSource,
    request: &ActionRequest,
    ctx: &ActionContext,
) -> Result<String, ActionError> {
    let kind = request.kind;
    let params = Params::new(request, allowed(kind))?;
    let (repo, id) = target(source, kind, &request.target)?;
    let base = format!("repos/{repo}/actions/runs/{id}");
    let post = |path: String, body: Value| async move {
        source
            .client
            .send_json::<Value>(Method::POST, &path, &[], &body, ACCEPT)
            .await
    };
    match kind {
        ActionKind::GithubRerunFailed => {
            post(format!("{base}/rerun-failed-jobs"), json!({})).await?;
            Ok(format!(
                "GitHub re-runs the failed jobs of run {id} in {repo}"
            ))
        }
        ActionKind::GithubRerun => {
            post(format!("{base}/rerun"), json!({})).await?;
            Ok(format!("GitHub re-runs run {id} in {repo}"))
        }
        ActionKind::GithubCancel => match post(format!("{base}/cancel"), Value::Null).await {
            Ok(_) => Ok(format!("GitHub is cancelling run {id} in {repo}")),
            // 409: it finished between the plan and the confirmation.
            Err(SourceError::Status {
                status: 409,
                message,
                ..
            }) => Err(ActionError::Invalid(format!(
                "GitHub cannot cancel run {id} in {repo}: {message}"
            ))),
            Err(e) => Err(e.into()),
        },
        ActionKind::GithubApproveDeployment => {
            let waiting = pending(source, &repo, id).await?;
            let what = format!("run {id} in {repo}");
            let one = chosen(&waiting, params.get("environment"), &what)?;
            let env_id = one.environment.id.ok_or_else(|| {
                ActionError::Invalid(format!("GitHub sent no id for the environment of {what}"))
            })?;
            let comment = params
                .get("comment")
                .map(str::to_string)
                .unwrap_or_else(|| {
                    format!(
                        "Approved from opsdeck{}",
                        ctx.me
                            .as_deref()
                            .map(|m| format!(" by {m}"))
                            .unwrap_or_default()
                    )
                });
            let body =
                json!({"environment_ids": [env_id], "state": "approved", "comment": comment});
            post(format!("{base}/pending_deployments"), body).await?;
            Ok(format!(
                "GitHub approved the deployment of {what} to {}",
                one.environment.name.as_deref().unwrap_or("its environment")
            ))
        }
        other => Err(ActionError::Unsupported {
            source_name: source.name_of().to_string(),
            kind: other,
        }),
    }
}
