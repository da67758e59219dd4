//! What opsdeck keeps of each watched object: a few fields, not the object. A watcher hands over
//! whole objects (managedFields, last-applied annotations, every container's spec); keeping
//! only these records is what bounds memory at thousands of pods per context. Whatever an
//! action needs beyond them (a ReplicaSet's pod template for a rollback) is read fresh from the
//! API when the action is planned.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};

/// The annotation the Deployment controller numbers revisions with.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
/// Why a revision was made (`kubectl annotate … kubernetes.io/change-cause=…`).
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// Set by the Deployment controller on a ReplicaSet brought back at a new revision (a
/// rollback): the revisions it had before.
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// Labels that may name the service a workload belongs to, most specific first.
pub const SERVICE_LABELS: &[&str] = &["opsdeck.dev/service", "app.kubernetes.io/name", "app"];

/// A namespaced object's identity within one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn new(namespace: &str, name: &str) -> Key {
        Key {
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    fn of(meta: &ObjectMeta) -> Key {
        Key::new(
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default(),
        )
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// One container's image in a pod template.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Image {
    pub container: String,
    pub image: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Progressing,
    Complete,
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentRecord {
    pub uid: String,
    pub key: Key,
    pub resource_version: String,
    /// The first of [`SERVICE_LABELS`] the Deployment carries.
    pub service_label: Option<String>,
    pub replicas: i32,
    pub ready: i32,
    pub updated: i32,
    pub available: i32,
    pub revision: Option<i64>,
    pub images: Vec<Image>,
    pub progress: Progress,
    /// When the Progressing condition last changed: a rollout's end once it is complete.
    pub progress_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaSetRecord {
    pub uid: String,
    pub key: Key,
    /// The owning Deployment's name.
    pub deployment: Option<String>,
    pub revision: Option<i64>,
    /// Brought back at a later revision than its first (a rollback to it).
    pub reused: bool,
    pub created_at: Option<DateTime<Utc>>,
    pub images: Vec<Image>,
    pub change_cause: Option<String>,
    pub replicas: i32,
    pub ready: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PodRecord {
    pub uid: String,
    pub key: Key,
    pub resource_version: String,
    /// The owning ReplicaSet's name.
    pub replica_set: Option<String>,
    pub node: Option<String>,
    pub phase: String,
    pub ready: bool,
    /// Summed over the pod's containers.
    pub restarts: i32,
    /// Why a container is not running now (CrashLoopBackOff, ImagePullBackOff, …).
    pub waiting: Option<String>,
    /// Why a container last stopped (OOMKilled, Error, …), and when.
    pub last_exit: Option<(String, Option<DateTime<Utc>>)>,
    pub created_at: Option<DateTime<Utc>>,
}

impl PodRecord {
    /// Restarting, waiting or not ready while meant to run: what the workload view lists.
    pub fn unhealthy(&self) -> bool {
        self.waiting.is_some()
            || (self.phase == "Running" && !self.ready)
            || matches!(self.phase.as_str(), "Pending" | "Failed" | "Unknown")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeRecord {
    pub uid: String,
    pub name: String,
    pub resource_version: String,
    pub ready: bool,
    /// When the Ready condition last changed.
    pub ready_since: Option<DateTime<Utc>>,
    pub unschedulable: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    pub uid: String,
    pub namespace: String,
    /// `Kind/name` of the object the event is about.
    pub object: String,
    pub reason: String,
    pub message: String,
    pub warning: bool,
    pub count: i32,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
}

pub fn time(t: &Time) -> DateTime<Utc> {
    DateTime::from_timestamp(t.0.as_second(), t.0.subsec_nanosecond().max(0) as u32)
        .unwrap_or_default()
}

fn created(meta: &ObjectMeta) -> Option<DateTime<Utc>> {
    meta.creation_timestamp.as_ref().map(time)
}

fn owner(meta: &ObjectMeta, kind: &str) -> Option<String> {
    meta.owner_references
        .as_ref()?
        .iter()
        .find(|o| o.kind == kind)
        .map(|o| o.name.clone())
}

fn annotation<'a>(meta: &'a ObjectMeta, name: &str) -> Option<&'a str> {
    meta.annotations.as_ref()?.get(name).map(String::as_str)
}

fn revision(meta: &ObjectMeta) -> Option<i64> {
    annotation(meta, REVISION)?.parse().ok()
}

pub fn images(template: Option<&PodTemplateSpec>) -> Vec<Image> {
    template
        .and_then(|t| t.spec.as_ref())
        .map(|spec| {
            spec.containers
                .iter()
                .map(|c| Image {
                    container: c.name.clone(),
                    image: c.image.clone().unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn service_label(labels: Option<&BTreeMap<String, String>>) -> Option<String> {
    let labels = labels?;
    SERVICE_LABELS.iter().find_map(|l| labels.get(*l)).cloned()
}

impl From<&Deployment> for DeploymentRecord {
    fn from(d: &Deployment) -> Self {
        let status = d.status.as_ref();
        let progressing = status.and_then(|s| s.conditions.as_ref()).and_then(|cs| {
            cs.iter()
                .find(|c| c.type_.as_deref() == Some("Progressing"))
        });
        let progress = match progressing.and_then(|c| c.reason.as_deref()) {
            Some("NewReplicaSetAvailable") => Progress::Complete,
            Some("ProgressDeadlineExceeded") => Progress::Failed,
            _ => Progress::Progressing,
        };
        DeploymentRecord {
            uid: d.metadata.uid.clone().unwrap_or_default(),
            key: Key::of(&d.metadata),
            resource_version: d.metadata.resource_version.clone().unwrap_or_default(),
            service_label: service_label(d.metadata.labels.as_ref()),
            replicas: d.spec.replicas.unwrap_or(1),
            ready: status.and_then(|s| s.ready_replicas).unwrap_or(0),
            updated: status.and_then(|s| s.updated_replicas).unwrap_or(0),
            available: status.and_then(|s| s.available_replicas).unwrap_or(0),
            revision: revision(&d.metadata),
            images: images(Some(&d.spec.template)),
            progress,
            progress_at: progressing
                .and_then(|c| {
                    c.last_update_time
                        .as_ref()
                        .or(c.last_transition_time.as_ref())
                })
                .map(time),
        }
    }
}

impl From<&ReplicaSet> for ReplicaSetRecord {
    fn from(rs: &ReplicaSet) -> Self {
        ReplicaSetRecord {
            uid: rs.metadata.uid.clone().unwrap_or_default(),
            key: Key::of(&rs.metadata),
            deployment: owner(&rs.metadata, "Deployment"),
            revision: revision(&rs.metadata),
            reused: annotation(&rs.metadata, REVISION_HISTORY).is_some(),
            created_at: created(&rs.metadata),
            images: images(rs.spec.template.as_ref()),
            change_cause: annotation(&rs.metadata, CHANGE_CAUSE).map(str::to_string),
            replicas: rs.spec.replicas.unwrap_or(0),
            ready: rs
                .status
                .as_ref()
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0),
        }
    }
}

impl From<&Pod> for PodRecord {
    fn from(p: &Pod) -> Self {
        let status = p.status.as_ref();
        let containers = status
            .and_then(|s| s.container_statuses.as_deref())
            .unwrap_or_default();
        let waiting = containers
            .iter()
            .filter_map(|c| c.state.as_ref()?.waiting.as_ref()?.reason.clone())
            // Creating a container is the normal way to start, not a problem.
            .find(|r| r != "ContainerCreating" && r != "PodInitializing");
        let last_exit = containers
            .iter()
            .filter_map(|c| c.last_state.as_ref()?.terminated.as_ref())
            .max_by_key(|t| t.finished_at.as_ref().map(time))
            .map(|t| {
                (
                    t.reason.clone().unwrap_or_else(|| "Error".into()),
                    t.finished_at.as_ref().map(time),
                )
            });
        let ready = status
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
            .is_some_and(|c| c.status == "True");
        PodRecord {
            uid: p.metadata.uid.clone().unwrap_or_default(),
            key: Key::of(&p.metadata),
            resource_version: p.metadata.resource_version.clone().unwrap_or_default(),
            replica_set: owner(&p.metadata, "ReplicaSet"),
            node: p.spec.as_ref().and_then(|s| s.node_name.clone()),
            phase: status
                .and_then(|s| s.phase.clone())
                .unwrap_or_else(|| "Pending".into()),
            ready,
            restarts: containers.iter().map(|c| c.restart_count).sum(),
            waiting,
            last_exit,
            created_at: created(&p.metadata),
        }
    }
}

impl From<&Node> for NodeRecord {
    fn from(n: &Node) -> Self {
        let ready = n
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"));
        NodeRecord {
            uid: n.metadata.uid.clone().unwrap_or_default(),
            name: n.metadata.name.clone().unwrap_or_default(),
            resource_version: n.metadata.resource_version.clone().unwrap_or_default(),
            ready: ready.is_some_and(|c| c.status == "True"),
            ready_since: ready
                .and_then(|c| c.last_transition_time.as_ref())
                .map(time),
            unschedulable: n.spec.as_ref().and_then(|s| s.unschedulable) == Some(true),
        }
    }
}

impl From<&Event> for EventRecord {
    fn from(e: &Event) -> Self {
        let o = &e.involved_object;
        let first_at = e
            .first_timestamp
            .as_ref()
            .map(time)
            .or_else(|| e.event_time.as_ref().map(|t| time(&Time(t.0))))
            .or_else(|| created(&e.metadata));
        EventRecord {
            uid: e.metadata.uid.clone().unwrap_or_default(),
            namespace: o
                .namespace
                .clone()
                .or_else(|| e.metadata.namespace.clone())
                .unwrap_or_default(),
            object: format!(
                "{}/{}",
                o.kind.as_deref().unwrap_or("Object"),
                o.name.as_deref().unwrap_or_default()
            ),
            reason: e.reason.clone().unwrap_or_default(),
            message: e.message.clone().unwrap_or_default(),
            warning: e.type_.as_deref() == Some("Warning"),
            count: e.count.unwrap_or(1).max(1),
            first_at,
            last_at: e.last_timestamp.as_ref().map(time).or(first_at),
        }
    }
}
