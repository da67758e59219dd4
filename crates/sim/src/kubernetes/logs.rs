//! `GET /api/v1/namespaces/{ns}/pods/{name}/log`: a pod's log as plain text, the API server's
//! `tailLines`, `limitBytes`, `container` and `previous` honoured. The simulated container
//! writes one access-log line a minute from its start to now; the lines derive from the pod's
//! name and the minute, so a re-read shows the same log.

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};

use super::routes::status;
use super::KubernetesServer;
use crate::query_string::QueryString;
use crate::world::kubernetes::Pod;

/// The most lines one container keeps (older ones rotated away, as the kubelet does).
const KEPT: i64 = 5000;

const PATHS: [&str; 5] = [
    "/healthz",
    "/api/v1/payments",
    "/api/v1/orders",
    "/api/v1/users/me",
    "/metrics",
];

/// A small stable hash, so each line varies but the same pod and minute read the same.
fn mix(name: &str, minute: i64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes().chain(minute.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn line(pod: &Pod, app: &str, at: DateTime<Utc>) -> String {
    let h = mix(&pod.meta.name, at.timestamp() / 60);
    let path = PATHS[(h % PATHS.len() as u64) as usize];
    let status = if h.is_multiple_of(97) { 503 } else { 200 };
    let level = if status == 200 { "INFO" } else { "WARN" };
    let ms = 2 + (h >> 8) % 180;
    format!(
        "{} {level} {app} {} method=GET path={path} status={status} duration_ms={ms}",
        at.format("%Y-%m-%dT%H:%M:%SZ"),
        pod.image.rsplit(':').next().unwrap_or("latest"),
    )
}

/// Every line the container has written by `now`, the oldest first (at most [`KEPT`]).
fn written(pod: &Pod, app: &str, now: DateTime<Utc>) -> Vec<String> {
    let start = pod.meta.created_at;
    let minutes = (now - start).num_minutes().max(0);
    let first = (minutes - KEPT + 1).max(0);
    let mut lines = Vec::with_capacity((minutes - first + 1) as usize);
    lines.push(format!(
        "{} INFO {app} starting {} on {}",
        start.format("%Y-%m-%dT%H:%M:%SZ"),
        pod.image,
        pod.node
    ));
    for m in first.max(1)..=minutes {
        lines.push(line(pod, app, start + Duration::minutes(m)));
    }
    if lines.len() as i64 > KEPT {
        lines.drain(..lines.len() - KEPT as usize);
    }
    lines
}

fn bad_request(message: &str) -> Response {
    status(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// A non-negative integer parameter, or the API server's words for a bad one.
fn positive(q: &QueryString, name: &str) -> Result<Option<i64>, String> {
    match q.last(name) {
        None => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            _ => Err(format!(
                "{name}: Invalid value: \"{v}\": must be a non-negative integer"
            )),
        },
    }
}

pub(crate) async fn pod_log(
    State(s): State<KubernetesServer>,
    Path((ns, name)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    let q = QueryString::parse(raw.as_deref());
    let (tail, limit) = match (positive(&q, "tailLines"), positive(&q, "limitBytes")) {
        (Ok(t), Ok(l)) => (t, l),
        (Err(e), _) | (_, Err(e)) => return bad_request(&e),
    };
    if limit == Some(0) {
        return bad_request("limitBytes: Invalid value: 0: must be greater than 0");
    }
    let now = s.inner.live.now();
    let world = s.inner.live.advance();
    let Some(pod) = world
        .kubernetes()
        .cluster(&s.inner.context)
        .and_then(|c| c.pods.get(&(ns.clone(), name.clone())))
        .cloned()
    else {
        return status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("pods \"{name}\" not found"),
        );
    };
    drop(world);
    let app = pod.meta.labels.get("app").cloned().unwrap_or_default();
    if let Some(container) = q.last("container") {
        if container != app {
            return bad_request(&format!(
                "container {container} is not valid for pod {name}"
            ));
        }
    }
    if q.last("previous") == Some("true") && pod.restarts == 0 {
        return bad_request(&format!(
            "previous terminated container \"{app}\" in pod \"{name}\" not found"
        ));
    }
    let mut lines = written(&pod, &app, now);
    if let Some(tail) = tail {
        let keep = (tail as usize).min(lines.len());
        lines.drain(..lines.len() - keep);
    }
    let mut body = String::new();
    for l in &lines {
        body.push_str(l);
        body.push('\n');
    }
    if let Some(limit) = limit {
        // The API server cuts at the byte, mid-line if need be.
        body.truncate(limit.min(body.len() as i64) as usize);
        while !body.is_char_boundary(body.len()) {
            body.pop();
        }
    }
    ([(header::CONTENT_TYPE, "text/plain")], body).into_response()
}
