//! The endpoints. Refusals answer as Alertmanager does: 400 with a JSON string saying why,
//! 404 with an empty body for a silence that does not exist (with a JSON string when updating
//! one), 500 with a JSON string for a silence that already expired.

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use opsdeck_domain::matchers::{LabelSet, MatchOp, Matcher};
use serde::Deserialize;
use serde_json::{json, Value};

use super::query::{BadRequest, Params};
use super::render::{self, time};
use super::{AlertmanagerServer, RECEIVER};
use crate::observe::Exchange;
use crate::scenario::AlertVia;
use crate::world::{PostedSilence, SilenceError, World};

/// Alertmanager's own bodies are small; a silence is a few hundred bytes.
const MAX_REQUEST_BODY: usize = 1024 * 1024;

pub(crate) fn router(server: AlertmanagerServer) -> Router {
    Router::new()
        .route("/api/v2/alerts", get(list_alerts))
        .route("/api/v2/silences", get(list_silences).post(post_silence))
        .route(
            "/api/v2/silence/{id}",
            get(get_silence).delete(delete_silence),
        )
        .route("/api/v2/status", get(status))
        .route("/api/v2/receivers", get(receivers))
        .route("/-/healthy", get(|| async { "OK" }))
        .route("/-/ready", get(|| async { "OK" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, "404 page not found\n") })
        .layer(from_fn_with_state(server.clone(), observe))
        .with_state(server)
}

/// A refusal with Alertmanager's body: a JSON string, or nothing.
enum Refusal {
    BadRequest(String),
    NotFound(Option<String>),
    Internal(String),
}

impl From<BadRequest> for Refusal {
    fn from(e: BadRequest) -> Refusal {
        Refusal::BadRequest(e.0)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::BadRequest(message) => {
                (StatusCode::BAD_REQUEST, Json(message)).into_response()
            }
            Refusal::NotFound(None) => StatusCode::NOT_FOUND.into_response(),
            Refusal::NotFound(Some(message)) => {
                (StatusCode::NOT_FOUND, Json(message)).into_response()
            }
            Refusal::Internal(message) => {
                (StatusCode::INTERNAL_SERVER_ERROR, Json(message)).into_response()
            }
        }
    }
}

type Reply = Result<Json<Value>, Refusal>;

async fn list_alerts(State(server): State<AlertmanagerServer>, RawQuery(raw): RawQuery) -> Reply {
    let params = Params::parse(raw.as_deref());
    let active = params.flag("active", true)?;
    let silenced = params.flag("silenced", true)?;
    // Nothing is inhibited and every alert is processed as soon as it exists, so these two
    // select nothing; they are read so that a bad value is refused as Alertmanager does.
    params.flag("inhibited", true)?;
    params.flag("unprocessed", true)?;
    let filter = params.filter()?;
    let receiver = params.receiver()?;
    if receiver.as_ref().is_some_and(|r| !r.is_match(RECEIVER)) {
        return Ok(Json(json!([])));
    }
    let world = server.inner.live.advance();
    let now = world_now(&server, &world);
    let silences = world.alertmanager_silences();
    let mut alerts: Vec<(&str, Value)> = world
        .alerts()
        .firing(AlertVia::Prometheus)
        .filter(|a| filter.iter().all(|m| m.matches(&a.labels)))
        .filter_map(|a| {
            let silenced_by = silences.silencing(&a.labels, now);
            let shown = if silenced_by.is_empty() {
                active
            } else {
                silenced
            };
            shown.then(|| (a.fingerprint.as_str(), render::alert(a, &silenced_by, now)))
        })
        .collect();
    alerts.sort_by(|a, b| a.0.cmp(b.0));
    Ok(Json(Value::Array(
        alerts.into_iter().map(|(_, alert)| alert).collect(),
    )))
}

async fn list_silences(State(server): State<AlertmanagerServer>, RawQuery(raw): RawQuery) -> Reply {
    let params = Params::parse(raw.as_deref());
    let filter = params.filter()?;
    let world = server.inner.live.advance();
    let now = world_now(&server, &world);
    let silences = render::sorted(world.alertmanager_silences(), now)
        .into_iter()
        .filter(|s| {
            // As Alertmanager does: the silence's matchers, read as labels, meet the filter.
            let labels: LabelSet = s
                .matchers
                .iter()
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect();
            filter.iter().all(|m| m.matches(&labels))
        })
        .map(|s| render::silence(s, now))
        .collect();
    Ok(Json(Value::Array(silences)))
}

async fn get_silence(State(server): State<AlertmanagerServer>, Path(id): Path<String>) -> Reply {
    let world = server.inner.live.advance();
    let now = world_now(&server, &world);
    let silence = world
        .alertmanager_silences()
        .get(&id)
        .ok_or(Refusal::NotFound(None))?;
    Ok(Json(render::silence(silence, now)))
}

async fn delete_silence(
    State(server): State<AlertmanagerServer>,
    Path(id): Path<String>,
) -> Result<StatusCode, Refusal> {
    let mut world = server.inner.live.advance();
    let at = world_now(&server, &world);
    match world.expire_alertmanager_silence(&id, at) {
        Ok(()) => Ok(StatusCode::OK),
        Err(SilenceError::NotFound) => Err(Refusal::NotFound(None)),
        Err(e) => Err(Refusal::Internal(e.to_string())),
    }
}

/// The spec's `postableSilence`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Posted {
    id: Option<String>,
    matchers: Vec<PostedMatcher>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    created_by: String,
    comment: String,
    #[serde(default)]
    annotations: LabelSet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostedMatcher {
    name: String,
    value: String,
    is_regex: bool,
    #[serde(default = "yes")]
    is_equal: bool,
}

fn yes() -> bool {
    true
}

async fn post_silence(State(server): State<AlertmanagerServer>, body: Bytes) -> Reply {
    let posted: Posted = serde_json::from_slice(&body)
        .map_err(|e| Refusal::BadRequest(format!("parsing silence body failed: {e}")))?;
    let mut matchers = Vec::with_capacity(posted.matchers.len());
    for (index, m) in posted.matchers.iter().enumerate() {
        let op = MatchOp::from_flags(m.is_regex, m.is_equal);
        let matcher = Matcher::new(&m.name, op, &m.value).map_err(|e| {
            Refusal::BadRequest(format!(
                "silence invalid: invalid label matcher {index}: {e}"
            ))
        })?;
        matchers.push(matcher);
    }
    let mut world = server.inner.live.advance();
    let at = world_now(&server, &world);
    let silence = PostedSilence {
        id: posted.id.filter(|id| !id.is_empty()),
        matchers,
        starts_at: posted.starts_at,
        ends_at: posted.ends_at,
        created_by: posted.created_by,
        comment: posted.comment,
        annotations: posted.annotations,
    };
    match world.post_alertmanager_silence(silence, at) {
        Ok(id) => Ok(Json(json!({ "silenceID": id }))),
        Err(SilenceError::NotFound) => {
            Err(Refusal::NotFound(Some(SilenceError::NotFound.to_string())))
        }
        Err(e) => Err(Refusal::BadRequest(e.to_string())),
    }
}

/// Now for the world: the clock's, unless a test has moved the world further on, so that
/// states and actions are never earlier than what the world has already seen.
fn world_now(server: &AlertmanagerServer, world: &World) -> DateTime<Utc> {
    let now = server.inner.live.now();
    world.advanced_to().map_or(now, |t| t.max(now))
}

async fn status(State(server): State<AlertmanagerServer>) -> Json<Value> {
    Json(json!({
        "cluster": {"status": "disabled", "peers": []},
        "versionInfo": {
            "version": "0.34.0",
            "revision": "opsdeck-sim",
            "branch": "opsdeck-sim",
            "buildUser": "opsdeck",
            "buildDate": "",
            "goVersion": "none (simulated)",
        },
        "config": {"original": format!(
            "route:\n  receiver: {RECEIVER}\nreceivers:\n  - name: {RECEIVER}\n"
        )},
        "uptime": time(server.inner.started),
    }))
}

async fn receivers() -> Json<Value> {
    Json(json!([{ "name": RECEIVER }]))
}

/// Shows observers each request and its answer; inert (no body copies) when none watch.
async fn observe(
    State(server): State<AlertmanagerServer>,
    request: Request,
    next: Next,
) -> Response {
    if server.inner.observers.is_empty() {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let path_and_query = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |pq| pq.as_str().to_owned(),
    );
    let (parts, body) = request.into_parts();
    let request_bytes = to_bytes(body, MAX_REQUEST_BODY).await.unwrap_or_default();
    let request_body = serde_json::from_slice::<Value>(&request_bytes).ok();
    let response = next
        .run(Request::from_parts(parts, Body::from(request_bytes)))
        .await;
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    // An empty body is JSON's null here, so a bodiless answer the spec allows validates.
    let body = if bytes.is_empty() {
        Some(Value::Null)
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    server.inner.observers.notify(&Exchange {
        method,
        path_and_query,
        request_body,
        status: parts.status.as_u16(),
        body,
        fault: None,
    });
    Response::from_parts(parts, Body::from(bytes))
}
