//! The endpoints: a read parses its query (422 for a filter GitHub refuses), moves the world
//! to now, finds the repository (404 when it has no such name) and renders; the writes are in
//! `actions`. A renamed repository's old name is redirected before any handler runs.

use axum::extract::{Extension, Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::actions;
use super::error::ApiError;
use super::gate::{gate, Caller, RATE_LIMIT_PATH};
use super::query::{DeploymentFilter, Query, RunFilter};
use super::render::rate_limit as render_rate_limit;
use super::GitHubServer;
use crate::world::github::{Deployment, Repository, WorkflowRun, EVENT};
use crate::world::World;

const RUNS: &str = "/repos/{owner}/{repo}/actions/runs";
const DEPLOYMENTS: &str = "/repos/{owner}/{repo}/deployments";

type Reply = Result<Response, ApiError>;

pub(crate) fn router(server: GitHubServer) -> Router {
    Router::new()
        .route(RATE_LIMIT_PATH, get(rate_limit))
        .route(RUNS, get(list_runs))
        .route(&format!("{RUNS}/{{run_id}}"), get(get_run))
        .route(&format!("{RUNS}/{{run_id}}/jobs"), get(list_jobs))
        .route(&format!("{RUNS}/{{run_id}}/rerun"), post(actions::rerun))
        .route(
            &format!("{RUNS}/{{run_id}}/rerun-failed-jobs"),
            post(actions::rerun_failed_jobs),
        )
        .route(&format!("{RUNS}/{{run_id}}/cancel"), post(actions::cancel))
        .route(
            &format!("{RUNS}/{{run_id}}/pending_deployments"),
            get(pending_deployments).post(actions::review_pending_deployments),
        )
        .route(DEPLOYMENTS, get(list_deployments))
        .route(&format!("{DEPLOYMENTS}/{{id}}"), get(get_deployment))
        .route(
            &format!("{DEPLOYMENTS}/{{id}}/statuses"),
            get(list_statuses),
        )
        // GitHub answers an unknown path, or a method a path does not take, with 404.
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::NotFound })
        .layer(from_fn_with_state(server.clone(), follow_renames))
        .layer(from_fn_with_state(server.clone(), gate))
        .with_state(server)
}

/// A request under a renamed repository's old name goes to its new one: 301 for reads, 307
/// for writes (so clients repeat the method), the rest of the path and the query kept.
async fn follow_renames(
    State(server): State<GitHubServer>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let moved = path.strip_prefix("/repos/").and_then(|rest| {
        let mut segments = rest.splitn(3, '/');
        let (owner, name) = (segments.next()?, segments.next()?);
        let tail = segments.next();
        let world = server.inner.live.advance();
        let repo = world.github().renamed_from(&format!("{owner}/{name}"))?;
        let mut location = format!("{}/repos/{}", server.inner.api_base, repo.full_name());
        if let Some(tail) = tail {
            location.push('/');
            location.push_str(tail);
        }
        if let Some(query) = request.uri().query() {
            location.push('?');
            location.push_str(query);
        }
        Some(location)
    });
    match moved {
        Some(location) => ApiError::Moved {
            permanent: matches!(*request.method(), Method::GET | Method::HEAD),
            location,
        }
        .into_response(),
        None => next.run(request).await,
    }
}

/// The repository `owner/repo` names now.
pub(super) fn repository<'w>(
    world: &'w World,
    owner: &str,
    repo: &str,
) -> Result<&'w Repository, ApiError> {
    world
        .github()
        .repository(&format!("{owner}/{repo}"))
        .ok_or(ApiError::NotFound)
}

/// A numeric path id; anything else names nothing (404, as GitHub answers).
pub(super) fn number(text: &str) -> Result<u64, ApiError> {
    text.parse().map_err(|_| ApiError::NotFound)
}

pub(super) fn run<'w>(
    world: &'w World,
    repo: &Repository,
    run_id: &str,
) -> Result<&'w WorkflowRun, ApiError> {
    world
        .github()
        .run(repo.id, number(run_id)?)
        .ok_or(ApiError::NotFound)
}

/// A JSON body with a `Link` header when the list has more pages.
fn listed(body: Value, link: Option<String>) -> Response {
    let mut response = Json(body).into_response();
    if let Some(value) = link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

/// `<base URL><path>`, for pagination links (under the repository's own spelling).
fn here(server: &GitHubServer, path: &str) -> String {
    format!("{}{path}", server.inner.api_base)
}

async fn rate_limit(
    State(server): State<GitHubServer>,
    Extension(Caller(token)): Extension<Caller>,
) -> Json<Value> {
    Json(render_rate_limit(server.inner.limiter.peek(&token)))
}

async fn list_runs(
    State(server): State<GitHubServer>,
    Path((owner, repo)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let q = Query::parse(raw.as_deref());
    let filter = RunFilter::read(&q)?;
    let page = q.page();
    let world = server.inner.live.advance();
    let repo = repository(&world, &owner, &repo)?;
    let github = world.github();
    let actor = &github.actor().login;
    let mut runs: Vec<&WorkflowRun> = github
        .runs(repo.id)
        .filter(|r| filter.keeps(r, actor, EVENT, github.check_suite_id(r.id)))
        .collect();
    runs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    filter.cap(&mut runs);
    let render = server.render(&world);
    let items: Vec<Value> = page
        .slice(&runs)
        .iter()
        .map(|r| render.run(r, repo))
        .collect();
    let path = format!("/repos/{}/actions/runs", repo.full_name());
    let link = q.link(&here(&server, &path), page, runs.len());
    Ok(listed(
        json!({"total_count": runs.len(), "workflow_runs": items}),
        link,
    ))
}

async fn get_run(
    State(server): State<GitHubServer>,
    Path((owner, repo, run_id)): Path<(String, String, String)>,
) -> Reply {
    let world = server.inner.live.advance();
    let repo = repository(&world, &owner, &repo)?;
    let run = run(&world, repo, &run_id)?;
    Ok(Json(server.render(&world).run(run, repo)).into_response())
}

/// `filter=latest` (the default): the latest attempt of each job; `all`: every attempt's,
/// oldest attempt first.
async fn list_jobs(
    State(server): State<GitHubServer>,
    Path((owner, repo, run_id)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let q = Query::parse(raw.as_deref());
    let all = q.all_jobs()?;
    let page = q.page();
    let world = server.inner.live.advance();
    let repo = repository(&world, &owner, &repo)?;
    let run = run(&world, repo, &run_id)?;
    let jobs = if all {
        run.jobs.iter().collect()
    } else {
        run.latest_jobs()
    };
    let render = server.render(&world);
    let items: Vec<Value> = page
        .slice(&jobs)
        .iter()
        .map(|j| render.job(j, run, repo))
        .collect();
    let path = format!("/repos/{}/actions/runs/{run_id}/jobs", repo.full_name());
    let link = q.link(&here(&server, &path), page, jobs.len());
    Ok(listed(
        json!({"total_count": jobs.len(), "jobs": items}),
        link,
    ))
}

async fn pending_deployments(
    State(server): State<GitHubServer>,
    Path((owner, repo, run_id)): Path<(String, String, String)>,
) -> Reply {
    let world = server.inner.live.advance();
    let repo = repository(&world, &owner, &repo)?;
    let run = run(&world, repo, &run_id)?;
    let render = server.render(&world);
    let pending: Vec<Value> = run
        .pending
        .iter()
        .map(|p| render.pending(p, repo))
        .collect();
    Ok(Json(Value::Array(pending)).into_response())
}

/// Newest first.
async fn list_deployments(
    State(server): State<GitHubServer>,
    Path((owner, repo)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let q = Query::parse(raw.as_deref());
    let filter = DeploymentFilter::read(&q);
    let page = q.page();
    let world = server.inner.live.advance();
    let repo = repository(&world, &owner, &repo)?;
    let mut deployments: Vec<&Deployment> = world
        .github()
        .deployments(repo.id)
        .filter(|d| filter.keeps(d))
        .collect();
    deployments.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let render = server.render(&world);
    let items: Vec<Value> = page
        .slice(&deployments)
        .iter()
        .map(|d| render.deployment(d, repo))
        .collect();
    let path = format!("/repos/{}/deployments", repo.full_name());
    let link = q.link(&here(&server, &path), page, deployments.len());
    Ok(listed(Value::Array(items), link))
}

fn deployment<'w>(
    world: &'w World,
    repo: &Repository,
    id: &str,
) -> Result<&'w Deployment, ApiError> {
    world
        .github()
        .deployment(repo.id, number(id)?)
        .ok_or(ApiError::NotFound)
}

async fn get_deployment(
    State(server): State<GitHubServer>,
    Path((owner, repo, id)): Path<(String, String, String)>,
) -> Reply {
    let world = server.inner.live.advance();
    let repo = repository(&world, &owner, &repo)?;
    let d = deployment(&world, repo, &id)?;
    Ok(Json(server.render(&world).deployment(d, repo)).into_response())
}

/// Newest first.
async fn list_statuses(
    State(server): State<GitHubServer>,
    Path((owner, repo, id)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Reply {
    let q = Query::parse(raw.as_deref());
    let page = q.page();
    let world = server.inner.live.advance();
    let repo = repository(&world, &owner, &repo)?;
    let d = deployment(&world, repo, &id)?;
    let statuses: Vec<_> = d.statuses.iter().rev().collect();
    let render = server.render(&world);
    let items: Vec<Value> = page
        .slice(&statuses)
        .iter()
        .map(|s| render.deployment_status(s, d, repo))
        .collect();
    let path = format!("/repos/{}/deployments/{id}/statuses", repo.full_name());
    let link = q.link(&here(&server, &path), page, statuses.len());
    Ok(listed(Value::Array(items), link))
}
