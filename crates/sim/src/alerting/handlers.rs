//! The Alertmanager API v2 endpoints, generic over the vendor that serves them: alerts,
//! silences and status. Each server mounts them under its own paths.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use opsdeck_domain::matchers::{LabelSet, MatchOp, Matcher};
use serde::Deserialize;
use serde_json::Value;

use super::query::Params;
use super::{render, world_now, AlertmanagerApi, Refusal};
use crate::world::{PostedSilence, SilenceError};

/// What a handler answers before the vendor words it.
type Reply = Result<Response, Refusal>;

fn answer<A: AlertmanagerApi>(reply: Reply) -> Response {
    reply.unwrap_or_else(A::refuse)
}

/// `GET /alerts`: the vendor's firing alerts (Alertmanager forgets resolved ones), ordered by
/// fingerprint, with `active`, `silenced`, `inhibited`, `unprocessed`, `filter`, `receiver`.
pub(crate) async fn list_alerts<A: AlertmanagerApi>(
    State(api): State<A>,
    RawQuery(raw): RawQuery,
) -> Response {
    answer::<A>(alerts(&api, raw.as_deref()))
}

fn alerts<A: AlertmanagerApi>(api: &A, raw: Option<&str>) -> Reply {
    let params = Params::parse(raw);
    let active = A::flag(&params, "active", true)?;
    let silenced = A::flag(&params, "silenced", true)?;
    // Nothing is inhibited and every alert is processed as soon as it exists, so these two
    // select nothing; they are read so that a bad value is refused where the vendor does.
    A::flag(&params, "inhibited", true)?;
    A::flag(&params, "unprocessed", true)?;
    let filter = params.filter()?;
    let receiver = params.receiver()?;
    if receiver.as_ref().is_some_and(|r| !r.is_match(A::RECEIVER)) {
        return Ok(Json(Value::Array(Vec::new())).into_response());
    }
    let world = api.live().advance();
    let now = world_now(api.live(), &world);
    let silences = world.silences(A::SILENCES);
    let mut alerts: Vec<(String, Value)> = world
        .alerts()
        .firing(A::VIA)
        .filter_map(|occurrence| {
            let shown = api.shown(&world, occurrence);
            if !filter.iter().all(|m| m.matches(&shown.labels)) {
                return None;
            }
            let silenced_by = silences.silencing(&shown.labels, now);
            let listed = if silenced_by.is_empty() {
                active
            } else {
                silenced
            };
            listed.then(|| {
                let alert = render::alert(occurrence, &shown, A::RECEIVER, &silenced_by, now);
                (shown.fingerprint, alert)
            })
        })
        .collect();
    alerts.sort_by(|a, b| a.0.cmp(&b.0));
    let list = alerts.into_iter().map(|(_, alert)| alert).collect();
    Ok(Json(Value::Array(list)).into_response())
}

/// `GET /silences`, in Alertmanager's order, narrowed by `filter`.
pub(crate) async fn list_silences<A: AlertmanagerApi>(
    State(api): State<A>,
    RawQuery(raw): RawQuery,
) -> Response {
    answer::<A>(silences(&api, raw.as_deref()))
}

fn silences<A: AlertmanagerApi>(api: &A, raw: Option<&str>) -> Reply {
    let filter = Params::parse(raw).filter()?;
    let world = api.live().advance();
    let now = world_now(api.live(), &world);
    let silences = render::sorted(world.silences(A::SILENCES), now)
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
    Ok(Json(Value::Array(silences)).into_response())
}

/// `GET /silence/{id}`.
pub(crate) async fn get_silence<A: AlertmanagerApi>(
    State(api): State<A>,
    Path(id): Path<String>,
) -> Response {
    let world = api.live().advance();
    let now = world_now(api.live(), &world);
    match world.silences(A::SILENCES).get(&id) {
        Some(silence) => Json(render::silence(silence, now)).into_response(),
        None => A::refuse(not_found(false)),
    }
}

fn not_found(explained: bool) -> Refusal {
    Refusal::NotFound {
        message: SilenceError::NotFound.to_string(),
        explained,
    }
}

/// `DELETE /silence/{id}`: expires it now.
pub(crate) async fn delete_silence<A: AlertmanagerApi>(
    State(api): State<A>,
    Path(id): Path<String>,
) -> Response {
    let mut world = api.live().advance();
    let at = world_now(api.live(), &world);
    match world.expire_silence(A::SILENCES, &id, at) {
        Ok(()) => A::silence_expired(),
        Err(SilenceError::NotFound) => A::refuse(not_found(false)),
        Err(e) => A::refuse(Refusal::Internal(e.to_string())),
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

/// `POST /silences`: creates a silence, or updates the one its `id` names.
pub(crate) async fn post_silence<A: AlertmanagerApi>(
    State(api): State<A>,
    body: Bytes,
) -> Response {
    answer::<A>(post(&api, &body))
}

fn post<A: AlertmanagerApi>(api: &A, body: &[u8]) -> Reply {
    let posted: Posted = serde_json::from_slice(body)
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
    let mut world = api.live().advance();
    let at = world_now(api.live(), &world);
    let silence = PostedSilence {
        id: posted.id.filter(|id| !id.is_empty()),
        matchers,
        starts_at: posted.starts_at,
        ends_at: posted.ends_at,
        created_by: posted.created_by,
        comment: posted.comment,
        annotations: posted.annotations,
    };
    match world.post_silence(A::SILENCES, silence, at) {
        Ok(id) => Ok(A::silence_posted(id)),
        Err(SilenceError::NotFound) => Err(not_found(true)),
        Err(e) => Err(Refusal::BadRequest(e.to_string())),
    }
}

/// `GET /status`.
pub(crate) async fn status<A: AlertmanagerApi>(State(api): State<A>) -> Json<Value> {
    Json(api.status())
}
