//! Discovery, list and get, as the Kubernetes API server answers them for the kinds the
//! scenario has: nodes, pods and events (core/v1), deployments and replicasets (apps/v1).
//! Lists carry the cluster's resourceVersion; errors are `Status` objects.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::patch;
use super::render::{self, Owners};
use super::watch::{self, WatchRequest};
use super::KubernetesServer;
use crate::query_string::QueryString;
use crate::world::kubernetes::{Cluster, Kind, Object};

pub(crate) fn router(server: KubernetesServer) -> Router {
    Router::new()
        .route("/version", get(version))
        .route("/api", get(api_versions))
        .route("/apis", get(api_groups))
        .route("/api/v1", get(core_resources))
        .route("/apis/apps/v1", get(apps_resources))
        .route("/api/v1/{plural}", get(list_all))
        .route(
            "/api/v1/nodes/{name}",
            get(get_node).patch(patch::patch_node),
        )
        .route("/api/v1/namespaces/{ns}/{plural}", get(list_core))
        .route("/api/v1/namespaces/{ns}/{plural}/{name}", get(get_core))
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/log",
            get(super::logs::pod_log),
        )
        .route("/apis/apps/v1/{plural}", get(list_all_apps))
        .route("/apis/apps/v1/namespaces/{ns}/{plural}", get(list_apps))
        .route(
            "/apis/apps/v1/namespaces/{ns}/{plural}/{name}",
            get(get_apps),
        )
        .route(
            "/apis/apps/v1/namespaces/{ns}/deployments/{name}",
            get(get_deployment).patch(patch::patch_deployment),
        )
        .route(
            "/apis/apps/v1/namespaces/{ns}/deployments/{name}/scale",
            get(patch::get_scale)
                .put(patch::put_scale)
                .patch(patch::patch_scale),
        )
        .fallback(|| async {
            status(
                StatusCode::NOT_FOUND,
                "NotFound",
                "the server could not find the requested resource",
            )
        })
        .with_state(server)
}

/// A `Status` answer, as the API server words its errors.
pub(crate) fn status(code: StatusCode, reason: &str, message: &str) -> Response {
    (
        code,
        Json(json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code.as_u16(),
        })),
    )
        .into_response()
}

/// The kinds served, by their plural in the URL.
fn kind_of(group: &str, plural: &str) -> Option<Kind> {
    match (group, plural) {
        ("", "nodes") => Some(Kind::Node),
        ("", "pods") => Some(Kind::Pod),
        ("", "events") => Some(Kind::Event),
        ("apps", "deployments") => Some(Kind::Deployment),
        ("apps", "replicasets") => Some(Kind::ReplicaSet),
        _ => None,
    }
}

fn list_kind(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Node => ("v1", "NodeList"),
        Kind::Pod => ("v1", "PodList"),
        Kind::Event => ("v1", "EventList"),
        Kind::Deployment => ("apps/v1", "DeploymentList"),
        Kind::ReplicaSet => ("apps/v1", "ReplicaSetList"),
    }
}

/// `apiVersion` and `kind` of one object of `kind`.
pub(crate) fn single_kind(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Node => ("v1", "Node"),
        Kind::Pod => ("v1", "Pod"),
        Kind::Event => ("v1", "Event"),
        Kind::Deployment => ("apps/v1", "Deployment"),
        Kind::ReplicaSet => ("apps/v1", "ReplicaSet"),
    }
}

pub(crate) fn objects(cluster: &Cluster, kind: Kind) -> Vec<Object> {
    match kind {
        Kind::Node => cluster.nodes.values().cloned().map(Object::Node).collect(),
        Kind::Pod => cluster.pods.values().cloned().map(Object::Pod).collect(),
        Kind::Event => cluster
            .events
            .values()
            .cloned()
            .map(Object::Event)
            .collect(),
        Kind::Deployment => cluster
            .deployments
            .values()
            .cloned()
            .map(Object::Deployment)
            .collect(),
        Kind::ReplicaSet => cluster
            .replica_sets
            .values()
            .cloned()
            .map(Object::ReplicaSet)
            .collect(),
    }
}

/// A list, or with `watch=true` a watch stream; a bad `resourceVersion` or
/// `timeoutSeconds` is a 400 `Status`.
fn list_or_watch(
    server: &KubernetesServer,
    kind: Kind,
    namespace: Option<&str>,
    raw: Option<&str>,
) -> Response {
    let q = QueryString::parse(raw);
    if !matches!(q.last("watch"), Some("true" | "1")) {
        return list(server, kind, namespace);
    }
    let from = match q.last("resourceVersion").filter(|v| !v.is_empty()) {
        None => None,
        Some(v) => match v.parse::<u64>() {
            Ok(rv) => Some(rv),
            Err(_) => {
                return status(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!("resourceVersion {v:?} is not a resource version"),
                )
            }
        },
    };
    let timeout = match q.last("timeoutSeconds") {
        None => watch::DEFAULT_TIMEOUT,
        Some(v) => match v.parse::<u64>() {
            Ok(s) => std::time::Duration::from_secs(s),
            Err(_) => {
                return status(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!("timeoutSeconds {v:?} is not a number of seconds"),
                )
            }
        },
    };
    watch::stream(
        server.clone(),
        WatchRequest {
            kind,
            namespace: namespace.map(str::to_owned),
            from,
            bookmarks: matches!(q.last("allowWatchBookmarks"), Some("true" | "1")),
            timeout,
        },
    )
}

fn list(server: &KubernetesServer, kind: Kind, namespace: Option<&str>) -> Response {
    let world = server.inner.live.advance();
    let Some(cluster) = world.kubernetes().cluster(&server.inner.context) else {
        return status(StatusCode::NOT_FOUND, "NotFound", "no such cluster");
    };
    let owners = Owners { cluster };
    let items: Vec<Value> = objects(cluster, kind)
        .iter()
        .filter(|o| namespace.is_none() || o.meta().namespace.as_deref() == namespace)
        .map(|o| render::object(o, &owners))
        .collect();
    let (api_version, list_kind) = list_kind(kind);
    Json(json!({
        "apiVersion": api_version,
        "kind": list_kind,
        "metadata": {"resourceVersion": cluster.resource_version().to_string()},
        "items": items,
    }))
    .into_response()
}

fn one(server: &KubernetesServer, kind: Kind, namespace: Option<&str>, name: &str) -> Response {
    let world = server.inner.live.advance();
    let Some(cluster) = world.kubernetes().cluster(&server.inner.context) else {
        return status(StatusCode::NOT_FOUND, "NotFound", "no such cluster");
    };
    let owners = Owners { cluster };
    match objects(cluster, kind)
        .iter()
        .find(|o| o.meta().name == name && o.meta().namespace.as_deref() == namespace)
    {
        Some(o) => Json(render::object(o, &owners)).into_response(),
        None => {
            let plural = resource_name(kind);
            status(
                StatusCode::NOT_FOUND,
                "NotFound",
                &format!("{plural} \"{name}\" not found"),
            )
        }
    }
}

fn resource_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Node => "nodes",
        Kind::Pod => "pods",
        Kind::Event => "events",
        Kind::Deployment => "deployments.apps",
        Kind::ReplicaSet => "replicasets.apps",
    }
}

fn unknown(plural: &str) -> Response {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("the server could not find the requested resource ({plural})"),
    )
}

async fn list_all(
    State(s): State<KubernetesServer>,
    Path(plural): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    match kind_of("", &plural) {
        Some(kind) => list_or_watch(&s, kind, None, raw.as_deref()),
        None => unknown(&plural),
    }
}

async fn get_node(State(s): State<KubernetesServer>, Path(name): Path<String>) -> Response {
    one(&s, Kind::Node, None, &name)
}

async fn list_core(
    State(s): State<KubernetesServer>,
    Path((ns, plural)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    match kind_of("", &plural).filter(|k| *k != Kind::Node) {
        Some(kind) => list_or_watch(&s, kind, Some(&ns), raw.as_deref()),
        None => unknown(&plural),
    }
}

async fn get_core(
    State(s): State<KubernetesServer>,
    Path((ns, plural, name)): Path<(String, String, String)>,
) -> Response {
    match kind_of("", &plural).filter(|k| *k != Kind::Node) {
        Some(kind) => one(&s, kind, Some(&ns), &name),
        None => unknown(&plural),
    }
}

async fn list_all_apps(
    State(s): State<KubernetesServer>,
    Path(plural): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    match kind_of("apps", &plural) {
        Some(kind) => list_or_watch(&s, kind, None, raw.as_deref()),
        None => unknown(&plural),
    }
}

async fn list_apps(
    State(s): State<KubernetesServer>,
    Path((ns, plural)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Response {
    match kind_of("apps", &plural) {
        Some(kind) => list_or_watch(&s, kind, Some(&ns), raw.as_deref()),
        None => unknown(&plural),
    }
}

async fn get_apps(
    State(s): State<KubernetesServer>,
    Path((ns, plural, name)): Path<(String, String, String)>,
) -> Response {
    match kind_of("apps", &plural) {
        Some(kind) => one(&s, kind, Some(&ns), &name),
        None => unknown(&plural),
    }
}

async fn get_deployment(
    State(s): State<KubernetesServer>,
    Path((ns, name)): Path<(String, String)>,
) -> Response {
    one(&s, Kind::Deployment, Some(&ns), &name)
}

async fn version() -> Json<Value> {
    Json(json!({
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.0",
        "gitCommit": "opsdeck-sim",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "none (simulated)",
        "compiler": "gc",
        "platform": "linux/amd64",
    }))
}

async fn api_versions(State(s): State<KubernetesServer>) -> Json<Value> {
    Json(json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": s.inner.address}],
    }))
}

async fn api_groups() -> Json<Value> {
    Json(json!({
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [{
            "name": "apps",
            "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
            "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"},
        }],
    }))
}

fn resource(name: &str, kind: &str, namespaced: bool, short: &[&str]) -> Value {
    json!({
        "name": name,
        "singularName": kind.to_ascii_lowercase(),
        "namespaced": namespaced,
        "kind": kind,
        "verbs": ["get", "list", "watch"],
        "shortNames": short,
    })
}

async fn core_resources() -> Json<Value> {
    Json(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "v1",
        "resources": [
            resource("nodes", "Node", false, &["no"]),
            resource("pods", "Pod", true, &["po"]),
            resource("events", "Event", true, &["ev"]),
        ],
    }))
}

async fn apps_resources() -> Json<Value> {
    Json(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "apps/v1",
        "resources": [
            resource("deployments", "Deployment", true, &["deploy"]),
            json!({"name": "deployments/scale", "singularName": "", "namespaced": true,
                   "group": "autoscaling", "version": "v1", "kind": "Scale",
                   "verbs": ["get", "patch", "update"]}),
            resource("replicasets", "ReplicaSet", true, &["rs"]),
        ],
    }))
}
