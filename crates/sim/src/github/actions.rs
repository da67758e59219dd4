//! The writes opsdeck takes actions through: re-run a workflow run, re-run its failed jobs,
//! cancel it, and review its pending deployment.
//!
//! Each checks, in this order: the body is what the endpoint takes (400 when it is not JSON,
//! 422 naming the field otherwise, in GitHub's words), the repository and run exist (404).
//! Then it changes the shared world at once, as one action at the simulated now. An action
//! that no longer applies answers as GitHub does: 409 to cancel a completed run, 403 to re-run
//! a running one or one with no failed job, 422 to review a run that waits for none of the
//! given environments.

use std::sync::MutexGuard;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::error::ApiError;
use super::routes::{repository, run};
use super::GitHubServer;
use crate::world::{GitHubError, Review, World};

type Reply = Result<Response, ApiError>;
type RunPath = Path<(String, String, String)>;

/// The world at the simulated now, and the instant to stamp an action with: never before what
/// the world has already seen (a test may have moved it past a frozen clock).
fn world_at_now(server: &GitHubServer) -> (MutexGuard<'_, World>, DateTime<Utc>) {
    let now = server.inner.live.now();
    let world = server.inner.live.advance_to(now);
    let at = world.advanced_to().map_or(now, |seen| seen.max(now));
    (world, at)
}

/// The JSON body, or `None` when there is none (or it is `null`).
fn parse(bytes: &Bytes) -> Result<Option<Map<String, Value>>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Null) => Ok(None),
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(other) => Err(ApiError::Invalid(format!(
            "For 'links/0/schema', {other} is not an object."
        ))),
        Err(_) => Err(ApiError::ProblemsParsingJson),
    }
}

/// The optional body of both re-runs: `{"enable_debug_logging": bool}`. Debug logging changes
/// nothing the API shows, so it is only checked.
fn rerun_body(bytes: &Bytes) -> Result<(), ApiError> {
    if let Some(body) = parse(bytes)? {
        if let Some(value) = body.get("enable_debug_logging").filter(|v| !v.is_boolean()) {
            return Err(ApiError::Invalid(format!(
                "For 'properties/enable_debug_logging', {value} is not a boolean."
            )));
        }
    }
    Ok(())
}

/// The repository's full name and the run's id, once both are known to exist.
fn target(
    world: &World,
    (owner, repo, run_id): &(String, String, String),
) -> Result<(String, u64), ApiError> {
    let repo = repository(world, owner, repo)?;
    Ok((repo.full_name(), run(world, repo, run_id)?.id))
}

/// Runs `action` on the run the path names, after checking it exists.
fn act(
    server: &GitHubServer,
    path: &(String, String, String),
    action: impl FnOnce(&mut World, &str, u64, DateTime<Utc>) -> Result<(), GitHubError>,
) -> Result<(), ApiError> {
    let (mut world, at) = world_at_now(server);
    let (full_name, id) = target(&world, path)?;
    action(&mut world, &full_name, id, at)?;
    Ok(())
}

fn empty(status: StatusCode) -> Response {
    (status, Json(json!({}))).into_response()
}

/// `POST …/rerun`: every job again, in a new attempt (201).
pub(crate) async fn rerun(
    State(server): State<GitHubServer>,
    Path(path): RunPath,
    bytes: Bytes,
) -> Reply {
    rerun_body(&bytes)?;
    act(&server, &path, World::rerun_workflow_run)?;
    Ok(empty(StatusCode::CREATED))
}

/// `POST …/rerun-failed-jobs`: the failed jobs and those after them (201).
pub(crate) async fn rerun_failed_jobs(
    State(server): State<GitHubServer>,
    Path(path): RunPath,
    bytes: Bytes,
) -> Reply {
    rerun_body(&bytes)?;
    act(&server, &path, World::rerun_failed_jobs)?;
    Ok(empty(StatusCode::CREATED))
}

/// `POST …/cancel` (202); GitHub takes no body and ignores one.
pub(crate) async fn cancel(State(server): State<GitHubServer>, Path(path): RunPath) -> Reply {
    act(&server, &path, World::cancel_workflow_run)?;
    Ok(empty(StatusCode::ACCEPTED))
}

/// A review: `environment_ids` (integers), `state` (`approved` or `rejected`) and `comment`,
/// all required.
struct ReviewBody {
    environment_ids: Vec<u64>,
    review: Review,
}

impl ReviewBody {
    fn read(bytes: &Bytes) -> Result<ReviewBody, ApiError> {
        let body = parse(bytes)?.unwrap_or_default();
        let required = |key: &str| {
            body.get(key)
                .ok_or_else(|| ApiError::Invalid(format!("{key:?} wasn't supplied.")))
        };
        let ids = required("environment_ids")?;
        let Some(items) = ids.as_array() else {
            return Err(ApiError::Invalid(format!(
                "For 'properties/environment_ids', {ids} is not an array."
            )));
        };
        let environment_ids = items
            .iter()
            .map(|v| {
                v.as_u64().ok_or_else(|| {
                    ApiError::Invalid(format!("For 'items', {v} is not an integer."))
                })
            })
            .collect::<Result<Vec<u64>, ApiError>>()?;
        let state = required("state")?;
        let review = match state.as_str() {
            Some("approved") => Review::Approved,
            Some("rejected") => Review::Rejected,
            _ => {
                return Err(ApiError::Invalid(format!(
                    "For 'properties/state', {state} is not one of [\"approved\", \"rejected\"]."
                )))
            }
        };
        let comment = required("comment")?;
        if !comment.is_string() {
            return Err(ApiError::Invalid(format!(
                "For 'properties/comment', {comment} is not a string."
            )));
        }
        Ok(ReviewBody {
            environment_ids,
            review,
        })
    }
}

/// `POST …/pending_deployments`: approves or rejects; answers the deployments the approval
/// made (none for a rejection).
pub(crate) async fn review_pending_deployments(
    State(server): State<GitHubServer>,
    Path(path): RunPath,
    bytes: Bytes,
) -> Reply {
    let body = ReviewBody::read(&bytes)?;
    let (mut world, at) = world_at_now(&server);
    let (full_name, id) = target(&world, &path)?;
    let made =
        world.review_pending_deployments(&full_name, id, &body.environment_ids, body.review, at)?;
    let repo = repository(&world, &path.0, &path.1)?;
    let render = server.render(&world);
    let deployments: Vec<Value> = made
        .iter()
        .filter_map(|d| world.github().deployment(repo.id, *d))
        .map(|d| render.deployment(d, repo))
        .collect();
    Ok(Json(Value::Array(deployments)).into_response())
}
