//! Actions on a cluster: `kubernetes.scale`, `restart` and `rollback` (TARGET
//! `context/namespace/deployment`), `kubernetes.cordon` and `uncordon` (TARGET `context/node`).
//! Planning reads the objects as they are now, so the confirmation states current → new, the
//! cluster context and namespace; executing sends exactly what kubectl sends for the same
//! command (the scale subresource, the `restartedAt` annotation, the old ReplicaSet's pod
//! template, `spec.unschedulable`).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Container, Node, PodTemplateSpec};
use kube::api::{Api, ListParams, Patch, PatchParams};
use kube::Client;
use opsdeck_domain::{ActionKind, ActionRequest, Effect, Risk};
use serde_json::json;

use super::entries::ServiceMap;
use super::errors::from_kube;
use super::records::{DeploymentRecord, REVISION};
use crate::action::Params;
use crate::ActionError;

/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// The most replicas a scale may ask for: a typo guard (60 for 6), not a cluster limit.
const MAX_REPLICAS: i32 = 1000;

/// Where the actions go: this source's context and its client.
pub struct Cluster<'a> {
    pub context: &'a str,
    pub client: Client,
    pub url: &'a str,
    pub services: &'a ServiceMap,
}

enum Target {
    Deployment { namespace: String, name: String },
    Node { name: String },
}

fn allowed(kind: ActionKind) -> &'static [&'static str] {
    match kind {
        ActionKind::KubernetesScale => &["replicas"],
        ActionKind::KubernetesRollback => &["to_revision"],
        _ => &[],
    }
}

fn target(kind: ActionKind, text: &str, context: &str) -> Result<Target, ActionError> {
    let parts: Vec<&str> = text.trim().split('/').collect();
    let deployment = !matches!(
        kind,
        ActionKind::KubernetesCordon | ActionKind::KubernetesUncordon
    );
    let shape = if deployment {
        "context/namespace/deployment (for example prod-eu/payments/payments-api)"
    } else {
        "context/node (for example prod-eu/ip-10-0-1-11)"
    };
    let wanted = if deployment { 3 } else { 2 };
    if parts.len() != wanted || parts.iter().any(|p| p.is_empty()) {
        return Err(ActionError::Invalid(format!(
            "{kind}: {text:?} is not a target; give {shape}"
        )));
    }
    if parts[0] != context {
        return Err(ActionError::Invalid(format!(
            "{kind}: {text:?} is in context {:?}, but this source watches {context:?}",
            parts[0]
        )));
    }
    Ok(if deployment {
        Target::Deployment {
            namespace: parts[1].to_string(),
            name: parts[2].to_string(),
        }
    } else {
        Target::Node {
            name: parts[1].to_string(),
        }
    })
}

fn replicas_param(params: &Params<'_>) -> Result<i32, ActionError> {
    let text = params.required("replicas", "6")?;
    text.parse::<i32>()
        .ok()
        .filter(|n| (0..=MAX_REPLICAS).contains(n))
        .ok_or_else(|| {
            ActionError::Invalid(format!(
                "{}: replicas={text:?} must be a whole number from 0 to {MAX_REPLICAS}",
                params.kind
            ))
        })
}

fn revision_of(rs: &ReplicaSet) -> Option<i64> {
    rs.metadata
        .annotations
        .as_ref()?
        .get(REVISION)?
        .parse()
        .ok()
}

/// A Deployment's ReplicaSets (those it controls), by revision.
async fn revisions(
    cluster: &Cluster<'_>,
    d: &Deployment,
) -> Result<BTreeMap<i64, ReplicaSet>, ActionError> {
    let namespace = d.metadata.namespace.as_deref().unwrap_or_default();
    let selector = d
        .spec
        .selector
        .match_labels
        .as_ref()
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let api: Api<ReplicaSet> = Api::namespaced(cluster.client.clone(), namespace);
    let list = api
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| vendor(cluster, "replicasets", &e))?;
    let uid = d.metadata.uid.as_deref();
    Ok(list
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata.owner_references.as_ref().is_some_and(|owners| {
                owners
                    .iter()
                    .any(|o| o.kind == "Deployment" && Some(o.uid.as_str()) == uid)
            })
        })
        .filter_map(|rs| Some((revision_of(&rs)?, rs)))
        .collect())
}

fn vendor(cluster: &Cluster<'_>, path: &str, e: &kube::Error) -> ActionError {
    ActionError::Vendor(from_kube(cluster.url, path, e))
}

/// The revision a rollback goes to: the one asked for, else the newest before the current
/// one (as `kubectl rollout undo`).
fn rollback_revision(
    params: &Params<'_>,
    current: i64,
    known: &BTreeMap<i64, ReplicaSet>,
    what: &str,
) -> Result<i64, ActionError> {
    let listed = || {
        known
            .keys()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let wanted = match params.get("to_revision") {
        Some(text) => text.parse::<i64>().map_err(|_| {
            ActionError::Invalid(format!(
                "kubernetes.rollback: to_revision={text:?} is not a revision number (it has: {})",
                listed()
            ))
        })?,
        None => *known
            .range(..current)
            .next_back()
            .map(|(r, _)| r)
            .ok_or_else(|| {
                ActionError::Invalid(format!(
                    "kubernetes.rollback: {what} has no revision before {current} to go back to"
                ))
            })?,
    };
    if wanted == current {
        return Err(ActionError::Invalid(format!(
            "kubernetes.rollback: revision {wanted} is what {what} runs now"
        )));
    }
    if !known.contains_key(&wanted) {
        return Err(ActionError::Invalid(format!(
            "kubernetes.rollback: {what} has no revision {wanted} (it has: {})",
            listed()
        )));
    }
    Ok(wanted)
}

fn containers(t: Option<&PodTemplateSpec>) -> &[Container] {
    t.and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default()
}

/// What a rollback changes in the pod template, a line per container: images, and the names
/// of environment variables added, removed or changed (never their values, which may be
/// secrets).
pub fn template_diff(from: Option<&PodTemplateSpec>, to: Option<&PodTemplateSpec>) -> Vec<String> {
    let mut lines = Vec::new();
    let before = containers(from);
    for c in containers(to) {
        let Some(b) = before.iter().find(|b| b.name == c.name) else {
            lines.push(format!("container {} comes back", c.name));
            continue;
        };
        if b.image != c.image {
            lines.push(format!(
                "image of {}: {} → {}",
                c.name,
                b.image.as_deref().unwrap_or("(none)"),
                c.image.as_deref().unwrap_or("(none)")
            ));
        }
        let env = |c: &Container| -> BTreeMap<String, String> {
            c.env
                .iter()
                .flatten()
                .map(|e| (e.name.clone(), format!("{:?}{:?}", e.value, e.value_from)))
                .collect()
        };
        let (was, will) = (env(b), env(c));
        let mut changes = Vec::new();
        for (name, value) in &will {
            match was.get(name) {
                None => changes.push(format!("{name} added")),
                Some(v) if v != value => changes.push(format!("{name} changed")),
                Some(_) => {}
            }
        }
        changes.extend(
            was.keys()
                .filter(|n| !will.contains_key(*n))
                .map(|n| format!("{n} removed")),
        );
        if !changes.is_empty() {
            lines.push(format!("env of {}: {}", c.name, changes.join(", ")));
        }
    }
    for b in before {
        if !containers(to).iter().any(|c| c.name == b.name) {
            lines.push(format!("container {} goes away", b.name));
        }
    }
    if lines.is_empty() {
        lines.push("the pod template is the same apart from annotations".into());
    }
    lines
}

/// The template as a Deployment takes it back: without the ReplicaSet's own hash label.
fn as_deployment_template(rs: &ReplicaSet) -> Option<PodTemplateSpec> {
    let mut t = rs.spec.template.clone()?;
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove("pod-template-hash");
    }
    Some(t)
}

impl Cluster<'_> {
    async fn deployment(&self, namespace: &str, name: &str) -> Result<Deployment, ActionError> {
        let api: Api<Deployment> = Api::namespaced(self.client.clone(), namespace);
        api.get(name)
            .await
            .map_err(|e| vendor(self, &format!("deployments/{namespace}/{name}"), &e))
    }

    async fn node(&self, name: &str) -> Result<Node, ActionError> {
        let api: Api<Node> = Api::all(self.client.clone());
        api.get(name)
            .await
            .map_err(|e| vendor(self, &format!("nodes/{name}"), &e))
    }

    pub async fn plan(&self, request: &ActionRequest) -> Result<Effect, ActionError> {
        let kind = request.kind;
        let params = Params::new(request, allowed(kind))?;
        let context = self.context;
        match target(kind, &request.target, context)? {
            Target::Deployment { namespace, name } => {
                let d = self.deployment(&namespace, &name).await?;
                let record = DeploymentRecord::from(&d);
                let what = format!("deployment {namespace}/{name}");
                let current = record.replicas;
                let mut effect = Effect {
                    summary: String::new(),
                    target: format!("{context}/{namespace}/{name}"),
                    // Under type-to-confirm the context is typed: the cluster is what must not be mistaken.
                    target_name: context.to_string(),
                    environment: format!("Kubernetes context {context}, namespace {namespace}"),
                    service: self.services.service(&record),
                    risk: Risk::Medium,
                    undo: None,
                    details: vec![format!(
                        "now: {current} desired, {} ready, {} updated",
                        record.ready, record.updated
                    )],
                };
                match kind {
                    ActionKind::KubernetesScale => {
                        let replicas = replicas_param(&params)?;
                        if replicas == current {
                            return Err(ActionError::Invalid(format!(
                                "kubernetes.scale: {what} already has {current} replicas"
                            )));
                        }
                        effect.summary = format!("Scale {what}: {current} → {replicas} replicas");
                        effect.undo = Some(format!(
                            "scale back: kubernetes.scale {context}/{namespace}/{name} replicas={current}"
                        ));
                        if replicas == 0 {
                            effect.risk = Risk::High;
                            effect.details.push(
                                "0 replicas stops every pod: the workload serves nothing".into(),
                            );
                        }
                    }
                    ActionKind::KubernetesRestart => {
                        effect.summary = format!(
                            "Restart {what}: its {current} pods are replaced one by one, as \
                             `kubectl rollout restart` does"
                        );
                        effect.details.push(
                            "a restart picks up rotated secrets and config; it cannot be undone, \
                             and the new pods run the same images"
                                .into(),
                        );
                    }
                    ActionKind::KubernetesRollback => {
                        let known = revisions(self, &d).await?;
                        let now = record.revision.unwrap_or_default();
                        let to = rollback_revision(&params, now, &known, &what)?;
                        effect.risk = Risk::High;
                        effect.summary =
                            format!("Roll back {what} from revision {now} to revision {to}");
                        effect.details = template_diff(
                            Some(&d.spec.template),
                            known.get(&to).and_then(|rs| rs.spec.template.as_ref()),
                        );
                        effect.details.push(format!(
                            "replicas do not revert: they stay at {current} (a rollback restores \
                             the pod template only)"
                        ));
                        effect.undo = Some(format!(
                            "roll forward again: kubernetes.rollback {context}/{namespace}/{name} \
                             to the revision that then holds today's template"
                        ));
                    }
                    _ => return Err(unsupported(kind)),
                }
                Ok(effect)
            }
            Target::Node { name } => {
                let node = self.node(&name).await?;
                let cordoned = node.spec.as_ref().and_then(|s| s.unschedulable) == Some(true);
                let cordon = kind == ActionKind::KubernetesCordon;
                if cordon == cordoned {
                    return Err(ActionError::Invalid(format!(
                        "{kind}: node {name} is {} cordoned",
                        if cordoned { "already" } else { "not" }
                    )));
                }
                let (summary, undo) = if cordon {
                    (
                        format!(
                            "Cordon node {name}: no new pods are scheduled on it; the pods \
                             running there stay"
                        ),
                        format!("uncordon: kubernetes.uncordon {context}/{name}"),
                    )
                } else {
                    (
                        format!("Uncordon node {name}: new pods may be scheduled on it again"),
                        format!("cordon: kubernetes.cordon {context}/{name}"),
                    )
                };
                Ok(Effect {
                    summary,
                    target: format!("{context}/{name}"),
                    // Under type-to-confirm the context is typed: the cluster is what must not be mistaken.
                    target_name: context.to_string(),
                    environment: format!("Kubernetes context {context}"),
                    service: None,
                    risk: Risk::Medium,
                    undo: Some(undo),
                    details: Vec::new(),
                })
            }
        }
    }

    pub async fn execute(
        &self,
        request: &ActionRequest,
        now: DateTime<Utc>,
    ) -> Result<String, ActionError> {
        let kind = request.kind;
        let params = Params::new(request, allowed(kind))?;
        let patch_params = PatchParams::default();
        match target(kind, &request.target, self.context)? {
            Target::Deployment { namespace, name } => {
                let api: Api<Deployment> = Api::namespaced(self.client.clone(), &namespace);
                let path = format!("deployments/{namespace}/{name}");
                match kind {
                    ActionKind::KubernetesScale => {
                        let replicas = replicas_param(&params)?;
                        let patch = json!({"spec": {"replicas": replicas}});
                        api.patch_scale(&name, &patch_params, &Patch::Merge(&patch))
                            .await
                            .map_err(|e| vendor(self, &format!("{path}/scale"), &e))?;
                        Ok(format!("{namespace}/{name} scaled to {replicas} replicas"))
                    }
                    ActionKind::KubernetesRestart => {
                        let at = now.to_rfc3339_opts(SecondsFormat::Secs, true);
                        let patch = json!({"spec": {"template": {"metadata": {
                            "annotations": {RESTARTED_AT: at}
                        }}}});
                        api.patch(&name, &patch_params, &Patch::Strategic(&patch))
                            .await
                            .map_err(|e| vendor(self, &path, &e))?;
                        Ok(format!("{namespace}/{name} restarting (restartedAt {at})"))
                    }
                    ActionKind::KubernetesRollback => {
                        // Read again: the request says which revision, not the plan's template.
                        let d = self.deployment(&namespace, &name).await?;
                        let known = revisions(self, &d).await?;
                        let what = format!("deployment {namespace}/{name}");
                        let now_revision = revision_of_deployment(&d);
                        let to = rollback_revision(&params, now_revision, &known, &what)?;
                        let template = known
                            .get(&to)
                            .and_then(as_deployment_template)
                            .ok_or_else(|| {
                                ActionError::Invalid(format!(
                                    "kubernetes.rollback: revision {to} of {what} has no pod template"
                                ))
                            })?;
                        let mut template = serde_json::to_value(template).map_err(|e| {
                            ActionError::Invalid(format!("the pod template cannot be sent: {e}"))
                        })?;
                        // Replace, not merge: what revision `to` had and nothing of today's.
                        template["$patch"] = json!("replace");
                        let patch = json!({"spec": {"template": template}});
                        api.patch(&name, &patch_params, &Patch::Strategic(&patch))
                            .await
                            .map_err(|e| vendor(self, &path, &e))?;
                        Ok(format!(
                            "{namespace}/{name} rolled back to the template of revision {to}"
                        ))
                    }
                    _ => Err(unsupported(kind)),
                }
            }
            Target::Node { name } => {
                let cordon = kind == ActionKind::KubernetesCordon;
                let api: Api<Node> = Api::all(self.client.clone());
                let patch = json!({"spec": {"unschedulable": cordon}});
                api.patch(&name, &patch_params, &Patch::Strategic(&patch))
                    .await
                    .map_err(|e| vendor(self, &format!("nodes/{name}"), &e))?;
                Ok(format!(
                    "node {name} {}",
                    if cordon { "cordoned" } else { "uncordoned" }
                ))
            }
        }
    }
}

fn revision_of_deployment(d: &Deployment) -> i64 {
    d.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or_default()
}

fn unsupported(kind: ActionKind) -> ActionError {
    ActionError::Invalid(format!("{kind} is not a Kubernetes action"))
}
