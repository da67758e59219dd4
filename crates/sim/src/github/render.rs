//! The simulated GitHub as REST API JSON, complete to the spec's required fields
//! (`workflow-run`, `job`, `deployment`, `deployment-status`, `pending-deployment`, and the
//! `simple-user` and `minimal-repository` they embed). API links point at the simulator;
//! `html_url`s at a web app on `github.example.test`, which does not exist, as PagerDuty's
//! simulated links do. Timestamps are RFC 3339 UTC with `Z`, whole seconds, as GitHub's.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::ratelimit::Budget;
use crate::world::github::{
    tree_sha, Deployment, DeploymentStatus, GitHub, Job, PendingDeployment, Repository, User,
    WorkflowRun, EVENT,
};

pub(crate) const WEB: &str = "https://github.example.test";
const AVATARS: &str = "https://avatars.github.example.test";

/// The labels of the hosted runner every job runs on.
const RUNNER_LABEL: &str = "ubuntu-latest";
const RUNNER_GROUP: (u64, &str) = (2, "GitHub Actions");

pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A GraphQL-style node id: a type prefix and the numeric id.
fn node_id(prefix: &str, id: u64) -> String {
    format!("{prefix}_kwDO{id:X}")
}

fn encode(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}

pub(crate) struct Render<'a> {
    /// The simulator's base URL.
    pub api: &'a str,
    pub github: &'a GitHub,
}

impl Render<'_> {
    fn repo_url(&self, repo: &Repository) -> String {
        format!("{}/repos/{}", self.api, repo.full_name())
    }

    pub(crate) fn user(&self, user: &User) -> Value {
        let url = format!("{}/users/{}", self.api, user.login);
        json!({
            "login": user.login,
            "id": user.id,
            "node_id": node_id(if user.organization { "O" } else { "U" }, user.id),
            "avatar_url": format!("{AVATARS}/u/{}?v=4", user.id),
            "gravatar_id": "",
            "url": url,
            "html_url": format!("{WEB}/{}", user.login),
            "followers_url": format!("{url}/followers"),
            "following_url": format!("{url}/following{{/other_user}}"),
            "gists_url": format!("{url}/gists{{/gist_id}}"),
            "starred_url": format!("{url}/starred{{/owner}}{{/repo}}"),
            "subscriptions_url": format!("{url}/subscriptions"),
            "organizations_url": format!("{url}/orgs"),
            "repos_url": format!("{url}/repos"),
            "events_url": format!("{url}/events{{/privacy}}"),
            "received_events_url": format!("{url}/received_events"),
            "type": if user.organization { "Organization" } else { "User" },
            "user_view_type": "public",
            "site_admin": false,
        })
    }

    pub(crate) fn repository(&self, repo: &Repository) -> Value {
        let url = self.repo_url(repo);
        let mut map = Map::new();
        let mut put = |k: &str, v: Value| {
            map.insert(k.to_owned(), v);
        };
        put("id", json!(repo.id));
        put("node_id", json!(node_id("R", repo.id)));
        put("name", json!(repo.name));
        put("full_name", json!(repo.full_name()));
        put("owner", self.user(&repo.owner));
        put("private", json!(true));
        put("html_url", json!(format!("{WEB}/{}", repo.full_name())));
        put("description", Value::Null);
        put("fork", json!(false));
        put("url", json!(url));
        // Every URL (template) a minimal repository carries, after the repository's own.
        const LINKS: &[(&str, &str)] = &[
            ("archive_url", "/{archive_format}{/ref}"),
            ("assignees_url", "/assignees{/user}"),
            ("blobs_url", "/git/blobs{/sha}"),
            ("branches_url", "/branches{/branch}"),
            ("collaborators_url", "/collaborators{/collaborator}"),
            ("comments_url", "/comments{/number}"),
            ("commits_url", "/commits{/sha}"),
            ("compare_url", "/compare/{base}...{head}"),
            ("contents_url", "/contents/{+path}"),
            ("contributors_url", "/contributors"),
            ("deployments_url", "/deployments"),
            ("downloads_url", "/downloads"),
            ("events_url", "/events"),
            ("forks_url", "/forks"),
            ("git_commits_url", "/git/commits{/sha}"),
            ("git_refs_url", "/git/refs{/sha}"),
            ("git_tags_url", "/git/tags{/sha}"),
            ("hooks_url", "/hooks"),
            ("issue_comment_url", "/issues/comments{/number}"),
            ("issue_events_url", "/issues/events{/number}"),
            ("issues_url", "/issues{/number}"),
            ("keys_url", "/keys{/key_id}"),
            ("labels_url", "/labels{/name}"),
            ("languages_url", "/languages"),
            ("merges_url", "/merges"),
            ("milestones_url", "/milestones{/number}"),
            (
                "notifications_url",
                "/notifications{?since,all,participating}",
            ),
            ("pulls_url", "/pulls{/number}"),
            ("releases_url", "/releases{/id}"),
            ("stargazers_url", "/stargazers"),
            ("statuses_url", "/statuses/{sha}"),
            ("subscribers_url", "/subscribers"),
            ("subscription_url", "/subscription"),
            ("tags_url", "/tags"),
            ("teams_url", "/teams"),
            ("trees_url", "/git/trees{/sha}"),
        ];
        for (key, suffix) in LINKS {
            put(key, json!(format!("{url}{suffix}")));
        }
        put("default_branch", json!("main"));
        put("visibility", json!("private"));
        Value::Object(map)
    }

    pub(crate) fn run(&self, run: &WorkflowRun, repo: &Repository) -> Value {
        let repo_url = self.repo_url(repo);
        let url = format!("{repo_url}/actions/runs/{}", run.id);
        let check_suite = self.github.check_suite_id(run.id);
        let actor = self.github.actor();
        let previous = (run.attempt > 1).then(|| format!("{url}/attempts/{}", run.attempt - 1));
        let repository = self.repository(repo);
        json!({
            "id": run.id,
            "name": run.workflow,
            "node_id": node_id("WFR", run.id),
            "check_suite_id": check_suite,
            "check_suite_node_id": node_id("CS", check_suite),
            "head_branch": run.head_branch,
            "head_sha": run.head_sha,
            "path": run.path,
            "display_title": run.display_title,
            "run_number": run.run_number,
            "event": EVENT,
            "status": run.status.as_str(),
            "conclusion": run.conclusion.map(|c| c.as_str()),
            "workflow_id": run.workflow_id,
            "url": url,
            "html_url": format!("{WEB}/{}/actions/runs/{}", repo.full_name(), run.id),
            "pull_requests": [],
            "created_at": time(run.created_at),
            "updated_at": time(run.updated_at),
            "actor": self.user(actor),
            "triggering_actor": self.user(actor),
            "run_attempt": run.attempt,
            "referenced_workflows": [],
            "run_started_at": time(run.run_started_at),
            "jobs_url": format!("{url}/jobs"),
            "logs_url": format!("{url}/logs"),
            "check_suite_url": format!("{repo_url}/check-suites/{check_suite}"),
            "artifacts_url": format!("{url}/artifacts"),
            "cancel_url": format!("{url}/cancel"),
            "rerun_url": format!("{url}/rerun"),
            "previous_attempt_url": previous,
            "workflow_url": format!("{repo_url}/actions/workflows/{}", run.workflow_id),
            "head_commit": {
                "id": run.head_sha,
                "tree_id": tree_sha(&run.head_sha),
                "message": run.commit_message,
                "timestamp": time(run.created_at),
                "author": {
                    "name": actor.name.as_deref().unwrap_or(&actor.login),
                    "email": actor.email.clone().unwrap_or_else(|| format!("{}@users.noreply.github.com", actor.login)),
                },
                "committer": {"name": "GitHub", "email": "noreply@github.com"},
            },
            "repository": repository.clone(),
            "head_repository": repository,
            "head_repository_id": repo.id,
        })
    }

    pub(crate) fn job(&self, job: &Job, run: &WorkflowRun, repo: &Repository) -> Value {
        let repo_url = self.repo_url(repo);
        let steps: Vec<Value> = job
            .steps
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "status": s.status.as_str(),
                    "conclusion": s.conclusion.map(|c| c.as_str()),
                    "number": s.number,
                    "started_at": s.started_at.map(time),
                    "completed_at": s.completed_at.map(time),
                })
            })
            .collect();
        let group = job.runner.map(|_| RUNNER_GROUP);
        json!({
            "id": job.id,
            "run_id": run.id,
            "workflow_name": run.workflow,
            "head_branch": run.head_branch,
            "run_url": format!("{repo_url}/actions/runs/{}", run.id),
            "run_attempt": job.attempt,
            "node_id": node_id("CR", job.id),
            "head_sha": run.head_sha,
            "url": format!("{repo_url}/actions/jobs/{}", job.id),
            "html_url": format!("{WEB}/{}/actions/runs/{}/job/{}", repo.full_name(), run.id, job.id),
            "status": job.status.as_str(),
            "conclusion": job.conclusion.map(|c| c.as_str()),
            "created_at": time(job.created_at),
            "started_at": time(job.started_at),
            "completed_at": job.completed_at.map(time),
            "name": job.name,
            "steps": steps,
            "check_run_url": format!("{repo_url}/check-runs/{}", job.id),
            "labels": [RUNNER_LABEL],
            "runner_id": job.runner,
            "runner_name": job.runner.map(|n| format!("GitHub Actions {n}")),
            "runner_group_id": group.map(|g| g.0),
            "runner_group_name": group.map(|g| g.1),
        })
    }

    pub(crate) fn deployment(&self, d: &Deployment, repo: &Repository) -> Value {
        let repo_url = self.repo_url(repo);
        let url = format!("{repo_url}/deployments/{}", d.id);
        json!({
            "url": url,
            "id": d.id,
            "node_id": node_id("DE", d.id),
            "sha": d.sha,
            "ref": d.git_ref,
            "task": Deployment::TASK,
            "payload": {},
            "original_environment": d.environment,
            "environment": d.environment,
            "description": null,
            "creator": self.user(self.github.actor()),
            "created_at": time(d.created_at),
            "updated_at": time(d.updated_at),
            "statuses_url": format!("{url}/statuses"),
            "repository_url": repo_url,
            "transient_environment": false,
            "production_environment": d.production(),
        })
    }

    pub(crate) fn deployment_status(
        &self,
        s: &DeploymentStatus,
        d: &Deployment,
        repo: &Repository,
    ) -> Value {
        let repo_url = self.repo_url(repo);
        let deployment_url = format!("{repo_url}/deployments/{}", d.id);
        let run_page = format!("{WEB}/{}/actions/runs/{}", repo.full_name(), d.run_id);
        json!({
            "url": format!("{deployment_url}/statuses/{}", s.id),
            "id": s.id,
            "node_id": node_id("DES", s.id),
            "state": s.state.as_str(),
            "creator": self.user(self.github.actor()),
            "description": "",
            "environment": d.environment,
            "target_url": run_page,
            "log_url": run_page,
            "created_at": time(s.created_at),
            "updated_at": time(s.created_at),
            "deployment_url": deployment_url,
            "repository_url": repo_url,
        })
    }

    /// A run's pending deployment: the scenario's user is the required reviewer, and may
    /// approve.
    pub(crate) fn pending(&self, p: &PendingDeployment, repo: &Repository) -> Value {
        let name = encode(&p.environment);
        json!({
            "environment": {
                "id": p.environment_id,
                "node_id": node_id("EN", p.environment_id),
                "name": p.environment,
                "url": format!("{}/environments/{name}", self.repo_url(repo)),
                "html_url": format!("{WEB}/{}/deployments/activity_log?environments_filter={name}", repo.full_name()),
            },
            "wait_timer": 0,
            "wait_timer_started_at": time(p.since),
            "current_user_can_approve": true,
            "reviewers": [{"type": "User", "reviewer": self.user(self.github.actor())}],
        })
    }
}

/// `GET /rate_limit`: the token's core budget, and fresh budgets for the other resources
/// (nothing here spends them).
pub(crate) fn rate_limit(core: Budget) -> Value {
    let fresh = |limit: u32, resource: &str| json!({"limit": limit, "used": 0, "remaining": limit, "reset": core.reset, "resource": resource});
    let core = json!({
        "limit": core.limit,
        "used": core.used,
        "remaining": core.remaining,
        "reset": core.reset,
        "resource": "core",
    });
    json!({
        "resources": {
            "core": core,
            "search": fresh(30, "search"),
            "graphql": fresh(5000, "graphql"),
            "code_search": fresh(10, "code_search"),
        },
        "rate": core,
    })
}
