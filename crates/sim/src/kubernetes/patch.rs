//! Changing Deployments as the API server takes changes: PATCH chosen by `Content-Type` (JSON
//! patch, JSON merge patch, strategic merge patch, server-side apply) on the Deployment or its `scale`
//! subresource, and PUT of the `scale` subresource (`autoscaling/v1 Scale`). The patched object
//! is read back for what the simulation models — replicas, the container image and the pod
//! template's annotations — so `kubectl scale`, `kubectl rollout restart` and `undo`, and
//! kube-rs's `Api::restart` all land as they would.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::render;
use super::routes::status;
use super::KubernetesServer;
use crate::world::kubernetes::{Deployment, DeploymentRef, Template};

/// A refused change, answered as a `Status`.
struct Refused {
    code: StatusCode,
    reason: &'static str,
    message: String,
}

impl Refused {
    fn new(code: StatusCode, reason: &'static str, message: impl Into<String>) -> Refused {
        Refused {
            code,
            reason,
            message: message.into(),
        }
    }

    fn answer(&self) -> Response {
        status(self.code, self.reason, &self.message)
    }
}

/// How a patch body is to be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PatchKind {
    /// RFC 6902 operations (`kubectl rollout undo` sends these).
    Json,
    Merge,
    Strategic,
    Apply,
}

fn patch_kind(headers: &HeaderMap) -> Result<PatchKind, Refused> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim();
    match content_type {
        "application/json-patch+json" => Ok(PatchKind::Json),
        "application/merge-patch+json" => Ok(PatchKind::Merge),
        "application/strategic-merge-patch+json" => Ok(PatchKind::Strategic),
        "application/apply-patch+yaml" | "application/apply-patch+json" => Ok(PatchKind::Apply),
        other => Err(Refused::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other:?})"),
        )),
    }
}

fn parse_body(kind: PatchKind, body: &[u8]) -> Result<Value, Refused> {
    let parsed = match kind {
        // Apply takes YAML, of which JSON is a part.
        PatchKind::Apply => yaml_serde::from_slice::<Value>(body).map_err(|e| e.to_string()),
        _ => serde_json::from_slice::<Value>(body).map_err(|e| e.to_string()),
    };
    parsed.map_err(|e| {
        Refused::new(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            format!("error decoding patch: {e}"),
        )
    })
}

/// Applies a parsed patch body of `kind` to the object as rendered now.
fn apply(kind: PatchKind, target: &mut Value, patch: &Value) -> Result<(), Refused> {
    match kind {
        PatchKind::Strategic => strategic_patch(target, patch),
        PatchKind::Merge | PatchKind::Apply => merge_patch(target, patch),
        PatchKind::Json => {
            let ops: json_patch::Patch = serde_json::from_value(patch.clone()).map_err(|e| {
                Refused::new(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("error decoding patch: {e}"),
                )
            })?;
            json_patch::patch(target, &ops).map_err(|e| {
                Refused::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Invalid",
                    format!("the server rejected our request due to an error in our request: {e}"),
                )
            })?;
        }
    }
    Ok(())
}

/// RFC 7386: objects merge key by key, `null` deletes, anything else replaces.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        for (k, v) in patch {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// Strategic merge as far as Deployments need it: like a merge patch, except that
/// `"$patch": "replace"` replaces an object whole, `"$patch": "delete"` removes it, and
/// `containers` lists merge element by element on `name`.
pub(crate) fn strategic_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    match patch.get("$patch").and_then(Value::as_str) {
        Some("replace") => {
            let mut whole = patch.clone();
            whole.remove("$patch");
            *target = Value::Object(whole);
            return;
        }
        Some("delete") => {
            *target = Value::Null;
            return;
        }
        _ => {}
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(map) = target else {
        return;
    };
    for (k, v) in patch {
        if k.starts_with('$') {
            continue;
        }
        if v.is_null() {
            map.remove(k);
            continue;
        }
        match (k.as_str(), v) {
            ("containers", Value::Array(items)) => {
                let existing = map.entry(k.clone()).or_insert_with(|| json!([]));
                merge_by_name(existing, items);
            }
            _ => strategic_patch(map.entry(k.clone()).or_insert(Value::Null), v),
        }
    }
}

fn merge_by_name(target: &mut Value, items: &[Value]) {
    if !target.is_array() {
        *target = json!([]);
    }
    let Value::Array(list) = target else {
        return;
    };
    for item in items {
        let name = item.get("name").cloned();
        match list
            .iter_mut()
            .find(|e| name.is_some() && e.get("name") == name.as_ref())
        {
            Some(existing) => strategic_patch(existing, item),
            None => list.push(item.clone()),
        }
    }
}

/// What the simulation models of a Deployment as the API would now hold it.
fn read_back(value: &Value, current: &Deployment) -> Result<(u32, Template), Refused> {
    let invalid = |message: String| {
        Refused::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            format!(
                "Deployment.apps \"{}\" is invalid: {message}",
                current.meta.name
            ),
        )
    };
    let replicas = match value.pointer("/spec/replicas") {
        None | Some(Value::Null) => current.replicas,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| {
                invalid(format!(
                    "spec.replicas: Invalid value: {v}: must be a non-negative integer"
                ))
            })?,
    };
    let image = value
        .pointer("/spec/template/spec/containers/0/image")
        .and_then(Value::as_str)
        .filter(|i| !i.trim().is_empty())
        .ok_or_else(|| invalid("spec.template.spec.containers[0].image: Required value".into()))?
        .to_string();
    let annotations: BTreeMap<String, String> = value
        .pointer("/spec/template/metadata/annotations")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Ok((replicas, Template { image, annotations }))
}

fn scale_object(d: &Deployment) -> Value {
    json!({
        "apiVersion": "autoscaling/v1",
        "kind": "Scale",
        "metadata": {
            "name": d.meta.name,
            "namespace": d.meta.namespace,
            "uid": d.meta.uid,
            "resourceVersion": d.meta.resource_version.to_string(),
            "creationTimestamp": render::time(d.meta.created_at),
        },
        "spec": {"replicas": d.replicas},
        "status": {"replicas": d.replicas, "selector": format!("app={}", d.meta.name)},
    })
}

/// Applies `change` to the Deployment as rendered now and stores the result; answers with
/// the Deployment (or its Scale) after the change.
fn change(
    server: &KubernetesServer,
    namespace: &str,
    name: &str,
    as_scale: bool,
    change: impl FnOnce(&mut Value) -> Result<(), Refused>,
) -> Response {
    let mut world = server.inner.live.advance();
    let now = world
        .advanced_to()
        .unwrap_or_else(|| server.inner.live.now())
        .max(server.inner.live.now());
    let context = server.inner.context.clone();
    let key = (namespace.to_owned(), name.to_owned());
    let Some(current) = world
        .kubernetes()
        .cluster(&context)
        .and_then(|c| c.deployments.get(&key))
        .cloned()
    else {
        return status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("deployments.apps \"{name}\" not found"),
        );
    };
    let mut value = if as_scale {
        scale_object(&current)
    } else {
        render::deployment(&current)
    };
    if let Err(refused) = change(&mut value) {
        return refused.answer();
    }
    let (replicas, template) = if as_scale {
        match value
            .pointer("/spec/replicas")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
        {
            Some(r) => (r, current.template.clone()),
            None => return status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid",
                "Scale.autoscaling \"\" is invalid: spec.replicas: must be a non-negative integer",
            ),
        }
    } else {
        match read_back(&value, &current) {
            Ok(found) => found,
            Err(refused) => return refused.answer(),
        }
    };
    let target = DeploymentRef {
        context: &context,
        namespace,
        name,
    };
    world.update_deployment(target, replicas, template, now);
    let Some(after) = world
        .kubernetes()
        .cluster(&context)
        .and_then(|c| c.deployments.get(&key))
    else {
        return status(StatusCode::NOT_FOUND, "NotFound", "the deployment is gone");
    };
    let body = if as_scale {
        scale_object(after)
    } else {
        render::deployment(after)
    };
    (StatusCode::OK, Json(body)).into_response()
}

pub(crate) async fn patch_deployment(
    State(server): State<KubernetesServer>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    patch(&server, &ns, &name, false, &headers, &body)
}

pub(crate) async fn patch_scale(
    State(server): State<KubernetesServer>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    patch(&server, &ns, &name, true, &headers, &body)
}

fn patch(
    server: &KubernetesServer,
    ns: &str,
    name: &str,
    as_scale: bool,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let kind = match patch_kind(headers) {
        Ok(k) => k,
        Err(refused) => return refused.answer(),
    };
    let patch = match parse_body(kind, body) {
        Ok(p) => p,
        Err(refused) => return refused.answer(),
    };
    change(server, ns, name, as_scale, |value| {
        apply(kind, value, &patch)
    })
}

/// `kubectl cordon` / `uncordon`: a patch of `spec.unschedulable`, the one part of a Node the
/// simulation lets clients change.
pub(crate) async fn patch_node(
    State(server): State<KubernetesServer>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let kind = match patch_kind(&headers) {
        Ok(k) => k,
        Err(refused) => return refused.answer(),
    };
    let patch = match parse_body(kind, &body) {
        Ok(p) => p,
        Err(refused) => return refused.answer(),
    };
    let mut world = server.inner.live.advance();
    let context = server.inner.context.clone();
    let Some(current) = world
        .kubernetes()
        .cluster(&context)
        .and_then(|c| c.nodes.get(&name))
        .cloned()
    else {
        return status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("nodes \"{name}\" not found"),
        );
    };
    let mut value = render::node(&current);
    if let Err(refused) = apply(kind, &mut value, &patch) {
        return refused.answer();
    }
    let unschedulable = match value.pointer("/spec/unschedulable") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid",
                &format!("Node \"{name}\" is invalid: spec.unschedulable: Invalid value: {other}: must be a boolean"),
            )
        }
    };
    world.set_unschedulable(&context, &name, unschedulable);
    let Some(after) = world
        .kubernetes()
        .cluster(&context)
        .and_then(|c| c.nodes.get(&name))
    else {
        return status(StatusCode::NOT_FOUND, "NotFound", "the node is gone");
    };
    (StatusCode::OK, Json(render::node(after))).into_response()
}

pub(crate) async fn get_scale(
    State(server): State<KubernetesServer>,
    Path((ns, name)): Path<(String, String)>,
) -> Response {
    let world = server.inner.live.advance();
    match world
        .kubernetes()
        .cluster(&server.inner.context)
        .and_then(|c| c.deployments.get(&(ns, name.clone())))
    {
        Some(d) => Json(scale_object(d)).into_response(),
        None => status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("deployments.apps \"{name}\" not found"),
        ),
    }
}

pub(crate) async fn put_scale(
    State(server): State<KubernetesServer>,
    Path((ns, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let scale: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return status(
                StatusCode::BAD_REQUEST,
                "BadRequest",
                &format!("error decoding Scale: {e}"),
            )
        }
    };
    change(&server, &ns, &name, true, |value| {
        value["spec"] = scale.get("spec").cloned().unwrap_or(Value::Null);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_and_strategic_patches_do_what_kubectl_expects() {
        let mut d = json!({"spec": {"replicas": 3, "template": {
            "metadata": {"labels": {"app": "a"}},
            "spec": {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}}});
        // kubectl rollout restart
        strategic_patch(
            &mut d,
            &json!({"spec": {"template": {"metadata": {"annotations":
            {"kubectl.kubernetes.io/restartedAt": "2026-05-04T06:00:00Z"}}}}}),
        );
        assert_eq!(d["spec"]["template"]["metadata"]["labels"]["app"], "a");
        assert_eq!(
            d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"],
            "2026-05-04T06:00:00Z"
        );
        // kubectl set image: the container list merges on name.
        strategic_patch(
            &mut d,
            &json!({"spec": {"template": {"spec": {"containers": [{"name": "b", "image": "b:2"}]}}}}),
        );
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["image"],
            "a:1"
        );
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][1]["image"],
            "b:2"
        );
        // kubectl rollout undo: the template replaced whole.
        strategic_patch(
            &mut d,
            &json!({"spec": {"template": {"$patch": "replace",
            "metadata": {"labels": {"app": "a"}},
            "spec": {"containers": [{"name": "a", "image": "a:0"}]}}}}),
        );
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
        assert!(d["spec"]["template"]["metadata"]
            .get("annotations")
            .is_none());
        // A merge patch replaces lists and deletes with null.
        merge_patch(
            &mut d,
            &json!({"spec": {"replicas": 6, "template": {"metadata": {"labels": null}}}}),
        );
        assert_eq!(d["spec"]["replicas"], 6);
        assert!(d["spec"]["template"]["metadata"].get("labels").is_none());
    }
}
