//! Changes in a cluster as timeline entries (the timeline contract's `rollout`, `scale`,
//! `k8s_event` and `node` kinds), each linked to the service its workload belongs to.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::{EntryKind, NewEntry, Severity, SourceKind, Status};
use serde_json::json;

use super::cluster::{Change, Cluster, NodeState};
use super::records::{DeploymentRecord, Image, Key, Progress};

/// A service's workload in this context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceTarget {
    pub service: String,
    pub namespace: String,
    pub deployment: String,
}

/// Which service a workload belongs to: the config's mapping (namespace + deployment) first,
/// then a label naming a configured service.
#[derive(Debug, Clone, Default)]
pub struct ServiceMap {
    targets: HashMap<Key, String>,
    known: HashSet<String>,
}

impl ServiceMap {
    /// `targets`: this context's mappings; `known`: every configured service name.
    pub fn new(targets: &[ServiceTarget], known: impl IntoIterator<Item = String>) -> ServiceMap {
        ServiceMap {
            targets: targets
                .iter()
                .map(|t| (Key::new(&t.namespace, &t.deployment), t.service.clone()))
                .collect(),
            known: known.into_iter().collect(),
        }
    }

    pub fn service(&self, d: &DeploymentRecord) -> Option<String> {
        self.targets.get(&d.key).cloned().or_else(|| {
            d.service_label
                .as_ref()
                .filter(|l| self.known.contains(*l))
                .cloned()
        })
    }

    /// The workloads mapped to `service` by the config.
    pub fn targets_of<'a>(&'a self, service: &'a str) -> impl Iterator<Item = &'a Key> + 'a {
        self.targets
            .iter()
            .filter(move |(_, s)| s.as_str() == service)
            .map(|(k, _)| k)
    }
}

/// When each entry was first seen, for the changes whose objects carry no time of their own
/// (a scale, a cordon, a restart): stamped once, so re-rendering an entry does not move it.
#[derive(Debug, Default)]
pub struct Stamps {
    first_seen: HashMap<String, DateTime<Utc>>,
}

impl Stamps {
    fn stamp(&mut self, external_id: &str, now: DateTime<Utc>) -> DateTime<Utc> {
        *self
            .first_seen
            .entry(external_id.to_string())
            .or_insert(now)
    }

    /// Forgets stamps older than `before` (their entries are stored with their time already).
    pub fn prune(&mut self, before: DateTime<Utc>) {
        self.first_seen.retain(|_, t| *t >= before);
    }
}

/// Renders the entry for `change` from the cluster's current state; `None` when what it was
/// about is gone (a ReplicaSet deleted before the poll) or says nothing new.
pub fn render(
    cluster: &Cluster,
    change: &Change,
    context: &str,
    services: &ServiceMap,
    stamps: &mut Stamps,
    now: DateTime<Utc>,
) -> Option<NewEntry> {
    let entry = |kind,
                 severity,
                 status,
                 title: String,
                 service,
                 started_at,
                 external_id: String,
                 details| {
        NewEntry {
            source: SourceKind::Kubernetes,
            kind,
            severity,
            status,
            title,
            service,
            url: None,
            started_at,
            ended_at: None,
            external_id,
            details,
            raw: serde_json::Value::Null,
        }
    };
    match change {
        Change::Rollout { replica_set } => {
            rollout(cluster, replica_set, context, services, stamps, now)
        }
        Change::RolloutProgress { deployment } => {
            let d = cluster.deployments.get(deployment)?;
            let current = cluster
                .revisions(deployment)
                .into_iter()
                .find(|rs| rs.revision.is_some() && rs.revision == d.revision)?;
            let key = current.key.clone();
            rollout(cluster, &key, context, services, stamps, now)
        }
        Change::Scale {
            deployment,
            uid,
            resource_version,
            from,
            to,
        } => {
            let external_id = format!("{uid}@{resource_version}");
            let service = cluster
                .deployments
                .get(deployment)
                .and_then(|d| services.service(d));
            Some(entry(
                EntryKind::Scale,
                Severity::Info,
                None,
                format!("{} scaled {from} → {to}", deployment.name),
                service,
                stamps.stamp(&external_id, now),
                external_id,
                json!({"context": context, "namespace": deployment.namespace,
                       "deployment": deployment.name, "from": from, "to": to}),
            ))
        }
        Change::Node {
            name,
            uid,
            resource_version,
            from,
            to,
            since,
        } => {
            let external_id = format!("{uid}@{resource_version}");
            let what = match (from, to) {
                (_, NodeState::NotReady) => "NotReady",
                (_, NodeState::Cordoned) => "cordoned",
                (Some(NodeState::Cordoned), NodeState::Ready) => "uncordoned",
                (_, NodeState::Ready) => "Ready again",
            };
            let (severity, status) = match to {
                NodeState::NotReady => (Severity::Warning, Status::NotReady),
                NodeState::Cordoned => (Severity::Info, Status::Cordoned),
                NodeState::Ready => (Severity::Info, Status::Ready),
            };
            let node = cluster.nodes.get(name);
            Some(entry(
                EntryKind::Node,
                severity,
                Some(status),
                format!("Node {name} {what} ({context})"),
                None,
                since.unwrap_or_else(|| stamps.stamp(&external_id, now)),
                external_id,
                json!({"context": context, "node": name,
                       "ready": node.map(|n| n.ready), "unschedulable": node.map(|n| n.unschedulable)}),
            ))
        }
        Change::Warning { group } => {
            let events = cluster.warning_events(group);
            let first = events.first()?;
            let latest = events.iter().max_by_key(|e| e.last_at)?;
            let count: i32 = events.iter().map(|e| e.count).sum();
            let times = if count > 1 {
                format!(" ×{count}")
            } else {
                String::new()
            };
            let service = cluster
                .deployment_of(&group.namespace, &group.object)
                .and_then(|d| services.service(d));
            let started_at = first
                .first_at
                .unwrap_or_else(|| stamps.stamp(&first.uid, now));
            let mut e = entry(
                EntryKind::K8sEvent,
                Severity::Warning,
                None,
                format!(
                    "{} on {}{times}: {}",
                    group.reason, group.object, latest.message
                ),
                service,
                started_at,
                first.uid.clone(),
                json!({"context": context, "namespace": group.namespace, "object": group.object,
                       "reason": group.reason, "message": latest.message, "count": count,
                       "first_seen": first.first_at, "last_seen": latest.last_at}),
            );
            e.ended_at = latest.last_at.filter(|t| *t > started_at);
            Some(e)
        }
        Change::Restart { pod } => {
            let p = cluster.pods.get(pod)?;
            let external_id = cluster.restart_ids.get(&p.uid)?.clone();
            let why = p
                .waiting
                .clone()
                .or_else(|| p.last_exit.as_ref().map(|(reason, _)| reason.clone()));
            let service = cluster
                .deployment_of(&pod.namespace, &format!("Pod/{}", pod.name))
                .and_then(|d| services.service(d));
            let times = if p.restarts == 1 {
                "once".to_string()
            } else {
                format!("{} times", p.restarts)
            };
            let because = why.as_ref().map(|w| format!(" ({w})")).unwrap_or_default();
            Some(entry(
                EntryKind::K8sEvent,
                Severity::Warning,
                None,
                format!("Pod {} restarted {times}{because}", pod.name),
                service,
                stamps.stamp(&external_id, now),
                external_id,
                json!({"context": context, "namespace": pod.namespace, "object": format!("Pod/{}", pod.name),
                       "reason": why, "restarts": p.restarts, "node": p.node}),
            ))
        }
    }
}

fn rollout(
    cluster: &Cluster,
    key: &Key,
    context: &str,
    services: &ServiceMap,
    stamps: &mut Stamps,
    now: DateTime<Utc>,
) -> Option<NewEntry> {
    let rs = cluster.replica_sets.get(key)?;
    let revision = rs.revision?;
    let dkey = Key::new(&key.namespace, rs.deployment.as_deref()?);
    let d = cluster.deployments.get(&dkey);
    let previous = cluster
        .revisions(&dkey)
        .into_iter()
        .find(|r| r.revision.is_some_and(|v| v < revision));
    let current = d.is_some_and(|d| d.revision == Some(revision));
    let status = match d.map(|d| d.progress) {
        Some(Progress::Complete) if current => Status::Complete,
        Some(Progress::Failed) if current => Status::Failed,
        _ if current => Status::Progressing,
        // Superseded: it got as far as it got, and a newer revision took over.
        _ => Status::Complete,
    };
    // A ReplicaSet brought back by a rollback is a new rollout of an old template: its entry is
    // the revision's, at the time it was seen.
    let external_id = if rs.reused {
        format!("{}@{revision}", rs.uid)
    } else {
        rs.uid.clone()
    };
    let started_at = match (rs.reused, rs.created_at) {
        (false, Some(t)) => t,
        _ => stamps.stamp(&external_id, now),
    };
    let change = previous.and_then(|p| image_change(&p.images, &rs.images));
    let what = match (&change, rs.reused) {
        (Some(c), true) => format!("rolled back to {c}"),
        (Some(c), false) => format!("rollout {c}"),
        (None, true) => "rolled back".to_string(),
        (None, false) if previous.is_some() => "rollout restart".to_string(),
        (None, false) => format!("rollout of {}", images_text(&rs.images)),
    };
    let mut entry = NewEntry {
        source: SourceKind::Kubernetes,
        kind: EntryKind::Rollout,
        severity: if status == Status::Failed {
            Severity::Warning
        } else {
            Severity::Info
        },
        status: Some(status),
        title: format!("{} {what} (revision {revision})", dkey.name),
        service: d.and_then(|d| services.service(d)),
        url: None,
        started_at,
        ended_at: None,
        external_id,
        details: json!({
            "context": context,
            "namespace": key.namespace,
            "deployment": dkey.name,
            "replica_set": key.name,
            "revision": revision,
            "images": rs.images,
            "previous_images": previous.map(|p| &p.images),
            "change_cause": rs.change_cause,
            "replicas": d.filter(|_| current).map(|d| json!({
                "desired": d.replicas, "updated": d.updated, "ready": d.ready, "available": d.available,
            })),
        }),
        raw: serde_json::Value::Null,
    };
    if status != Status::Progressing && current {
        entry.ended_at = d
            .and_then(|d| d.progress_at)
            .filter(|t| *t >= started_at)
            .or(Some(started_at));
    }
    Some(entry)
}

/// `repo:old → new` per container whose image changed; `None` when none did.
fn image_change(before: &[Image], after: &[Image]) -> Option<String> {
    let changes: Vec<String> = after
        .iter()
        .filter_map(|a| {
            let b = before.iter().find(|b| b.container == a.container);
            match b {
                Some(b) if b.image == a.image => None,
                Some(b) => Some(match (b.image.rsplit_once(':'), a.image.rsplit_once(':')) {
                    (Some((repo_b, tag_b)), Some((repo_a, tag_a)))
                        if repo_a == repo_b && !tag_b.contains('/') =>
                    {
                        format!("{repo_a}:{tag_b} → {tag_a}")
                    }
                    _ => format!("{} → {}", b.image, a.image),
                }),
                None => Some(format!("+{}", a.image)),
            }
        })
        .collect();
    (!changes.is_empty()).then(|| changes.join(", "))
}

fn images_text(images: &[Image]) -> String {
    images
        .iter()
        .map(|i| i.image.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// How long [`Stamps`] are kept: past that, their entries are long stored.
pub const STAMP_RETENTION: Duration = Duration::hours(48);
