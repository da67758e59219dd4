//! The scenario's Kubernetes clusters: per context, its nodes and the Deployments of the
//! services mapped to it (`services[].kubernetes`), with their ReplicaSets (one per revision),
//! Pods and Events, changed by `deploy`, `scale`, `k8s_event` and `node` events. Shaped like
//! the API objects so the HTTP layer only renders them.
//!
//! Every change bumps the cluster's `resourceVersion` and is kept in order with the object as it
//! then was, which is what list + watch serve. Rollouts complete at once: the new ReplicaSet
//! takes every replica and the old one goes to 0 in the same instant, with the
//! `ScalingReplicaSet` events a Deployment controller writes.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::ids::{Ids, Origin};
use super::Outcome;
use crate::scenario::{Deploy, K8sEvent, K8sEventType, NodeChange, NodeState, Scale, Scenario};

/// Set on a ReplicaSet brought back at a new revision: the revisions it had before.
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";

/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
/// Characters Kubernetes uses for generated name suffixes (no vowels, no confusable digits).
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Node,
    Deployment,
    ReplicaSet,
    Pod,
    Event,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

/// Identity every object shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub name: String,
    /// `None` for cluster-scoped objects (nodes).
    pub namespace: Option<String>,
    pub uid: String,
    pub resource_version: u64,
    pub created_at: DateTime<Utc>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub meta: Meta,
    pub unschedulable: bool,
    pub ready: bool,
    /// When the Ready condition last changed.
    pub ready_since: DateTime<Utc>,
}

/// What a pod template holds that opsdeck shows and rolls back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub image: String,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub meta: Meta,
    pub service: String,
    pub replicas: u32,
    pub generation: u64,
    /// The current revision (the newest ReplicaSet's `deployment.kubernetes.io/revision`).
    pub revision: u64,
    pub template: Template,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaSet {
    pub meta: Meta,
    pub deployment: String,
    pub revision: u64,
    pub pod_template_hash: String,
    pub replicas: u32,
    pub template: Template,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pod {
    pub meta: Meta,
    pub replica_set: String,
    pub node: String,
    pub image: String,
    pub restarts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub meta: Meta,
    /// `Kind/name` of the object it is about, and that object's namespace.
    pub involved_kind: String,
    pub involved_name: String,
    pub event_type: K8sEventType,
    pub reason: String,
    pub message: String,
    pub count: u32,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// A Deployment by cluster context, namespace and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeploymentRef<'a> {
    pub context: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
}

/// An object as a change left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    Node(Node),
    Deployment(Deployment),
    ReplicaSet(ReplicaSet),
    Pod(Pod),
    Event(Event),
}

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::Node(_) => Kind::Node,
            Object::Deployment(_) => Kind::Deployment,
            Object::ReplicaSet(_) => Kind::ReplicaSet,
            Object::Pod(_) => Kind::Pod,
            Object::Event(_) => Kind::Event,
        }
    }

    pub fn meta(&self) -> &Meta {
        match self {
            Object::Node(o) => &o.meta,
            Object::Deployment(o) => &o.meta,
            Object::ReplicaSet(o) => &o.meta,
            Object::Pod(o) => &o.meta,
            Object::Event(o) => &o.meta,
        }
    }
}

/// One change, in resourceVersion order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub resource_version: u64,
    pub change: ChangeType,
    pub object: Object,
}

/// One cluster context.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub context: String,
    resource_version: u64,
    /// Changes at or before this resourceVersion are forgotten (as etcd compacts): a watch
    /// from before it gets 410 Gone and must list again.
    compacted: u64,
    pub nodes: BTreeMap<String, Node>,
    /// By (namespace, name), as are the namespaced kinds below.
    pub deployments: BTreeMap<(String, String), Deployment>,
    pub replica_sets: BTreeMap<(String, String), ReplicaSet>,
    pub pods: BTreeMap<(String, String), Pod>,
    pub events: BTreeMap<(String, String), Event>,
    changes: Vec<Change>,
}

impl Cluster {
    fn new(context: &str) -> Cluster {
        Cluster {
            context: context.to_owned(),
            resource_version: 0,
            compacted: 0,
            nodes: BTreeMap::new(),
            deployments: BTreeMap::new(),
            replica_sets: BTreeMap::new(),
            pods: BTreeMap::new(),
            events: BTreeMap::new(),
            changes: Vec::new(),
        }
    }

    /// The latest resourceVersion (what a list answers with).
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// Every change after `resource_version`, oldest first, or `None` when some of them are
    /// forgotten (410 Gone).
    pub fn changes_after(&self, resource_version: u64) -> Option<&[Change]> {
        (resource_version >= self.compacted).then(|| self.changes_since(resource_version))
    }

    /// Forgets the history up to now, as etcd compaction does: watches from an older
    /// resourceVersion are told it is gone.
    pub fn compact(&mut self) {
        self.compacted = self.resource_version;
        self.changes.clear();
    }

    /// Every change after `resource_version` that is still kept, oldest first.
    pub fn changes_since(&self, resource_version: u64) -> &[Change] {
        let start = self
            .changes
            .partition_point(|c| c.resource_version <= resource_version);
        &self.changes[start..]
    }

    fn record(&mut self, change: ChangeType, mut object: Object) -> u64 {
        self.resource_version += 1;
        let rv = self.resource_version;
        match &mut object {
            Object::Node(o) => o.meta.resource_version = rv,
            Object::Deployment(o) => o.meta.resource_version = rv,
            Object::ReplicaSet(o) => o.meta.resource_version = rv,
            Object::Pod(o) => o.meta.resource_version = rv,
            Object::Event(o) => o.meta.resource_version = rv,
        }
        match (&object, change) {
            (Object::Node(o), ChangeType::Deleted) => drop(self.nodes.remove(&o.meta.name)),
            (Object::Node(o), _) => drop(self.nodes.insert(o.meta.name.clone(), o.clone())),
            (Object::Deployment(o), ChangeType::Deleted) => {
                drop(self.deployments.remove(&key(&o.meta)))
            }
            (Object::Deployment(o), _) => drop(self.deployments.insert(key(&o.meta), o.clone())),
            (Object::ReplicaSet(o), ChangeType::Deleted) => {
                drop(self.replica_sets.remove(&key(&o.meta)))
            }
            (Object::ReplicaSet(o), _) => drop(self.replica_sets.insert(key(&o.meta), o.clone())),
            (Object::Pod(o), ChangeType::Deleted) => drop(self.pods.remove(&key(&o.meta))),
            (Object::Pod(o), _) => drop(self.pods.insert(key(&o.meta), o.clone())),
            (Object::Event(o), ChangeType::Deleted) => drop(self.events.remove(&key(&o.meta))),
            (Object::Event(o), _) => drop(self.events.insert(key(&o.meta), o.clone())),
        }
        self.changes.push(Change {
            resource_version: rv,
            change,
            object,
        });
        rv
    }

    /// Schedulable, Ready nodes, by name: where new pods go.
    fn placeable(&self) -> Vec<String> {
        self.nodes
            .values()
            .filter(|n| n.ready && !n.unschedulable)
            .map(|n| n.meta.name.clone())
            .collect()
    }
}

fn key(meta: &Meta) -> (String, String) {
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone(),
    )
}

/// Every cluster of the scenario, by context.
#[derive(Debug, Clone)]
pub struct Kubernetes {
    ids: Ids,
    clusters: BTreeMap<String, Cluster>,
    /// service → (context, namespace, deployment).
    workloads: BTreeMap<String, (String, String, String)>,
}

impl Kubernetes {
    /// The clusters as they stand before the day: nodes Ready, each mapped service's
    /// Deployment at revision 1 with its replicas Running, created the day before.
    pub fn new(scenario: &Scenario, ids: Ids, day_start: DateTime<Utc>) -> Kubernetes {
        let before = day_start - TimeDelta::days(1);
        let mut k = Kubernetes {
            ids,
            clusters: BTreeMap::new(),
            workloads: BTreeMap::new(),
        };
        for c in &scenario.clusters {
            let mut cluster = Cluster::new(&c.context);
            for name in &c.nodes {
                let meta = k.meta(&c.context, "Node", None, name, before, Origin::Event(0));
                let mut meta = meta;
                meta.labels
                    .insert("kubernetes.io/hostname".into(), name.clone());
                cluster.record(
                    ChangeType::Added,
                    Object::Node(Node {
                        meta,
                        unschedulable: false,
                        ready: true,
                        ready_since: before,
                    }),
                );
            }
            k.clusters.insert(c.context.clone(), cluster);
        }
        for svc in &scenario.services {
            let Some(w) = &svc.kubernetes else {
                continue;
            };
            k.workloads.insert(
                svc.name.clone(),
                (w.context.clone(), w.namespace.clone(), w.deployment.clone()),
            );
            let mut meta = k.meta(
                &w.context,
                "Deployment",
                Some(&w.namespace),
                &w.deployment,
                before,
                Origin::Event(0),
            );
            meta.labels.insert("app".into(), w.deployment.clone());
            let deployment = Deployment {
                meta,
                service: svc.name.clone(),
                replicas: w.replicas,
                generation: 1,
                revision: 0,
                template: Template {
                    image: w.image.clone(),
                    annotations: BTreeMap::new(),
                },
            };
            // The loader checked that the context is a declared cluster.
            if let Some(cluster) = k.clusters.get_mut(&w.context) {
                cluster.record(ChangeType::Added, Object::Deployment(deployment));
            }
            k.roll_out(
                &w.context,
                &w.namespace,
                &w.deployment,
                None,
                Origin::Event(0),
                before,
            );
        }
        k
    }

    pub fn cluster(&self, context: &str) -> Option<&Cluster> {
        self.clusters.get(context)
    }

    /// For tests of relisting: compacts one cluster's history (see [`Cluster::compact`]).
    pub fn compact(&mut self, context: &str) -> bool {
        self.clusters
            .get_mut(context)
            .map(Cluster::compact)
            .is_some()
    }

    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> {
        self.clusters.values()
    }

    fn meta(
        &self,
        context: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        at: DateTime<Utc>,
        origin: Origin,
    ) -> Meta {
        Meta {
            uid: self.ids.uuid(
                origin,
                &["kubernetes", context, kind, namespace.unwrap_or(""), name],
            ),
            name: name.to_owned(),
            namespace: namespace.map(str::to_owned),
            resource_version: 0,
            created_at: at,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        }
    }

    /// A new revision of the Deployment with `template` (or its current one): a new
    /// ReplicaSet takes every replica, the others go to 0, pods follow.
    fn roll_out(
        &mut self,
        context: &str,
        namespace: &str,
        name: &str,
        template: Option<Template>,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Option<()> {
        let dkey = (namespace.to_owned(), name.to_owned());
        let mut deployment = self.clusters.get(context)?.deployments.get(&dkey)?.clone();
        if let Some(t) = template {
            deployment.template = t;
        }
        deployment.revision += 1;
        deployment.generation += 1;
        let revision = deployment.revision;
        // A template an older ReplicaSet already has (a rollback) reuses that ReplicaSet under
        // the new revision, as the Deployment controller does.
        let reused = self
            .clusters
            .get(context)?
            .replica_sets
            .values()
            .find(|rs| {
                rs.deployment == name
                    && rs.meta.namespace.as_deref() == Some(namespace)
                    && rs.template == deployment.template
            });
        let (change, new_rs) = match reused.cloned() {
            Some(mut rs) => {
                // The revisions it had before, as the Deployment controller records them.
                let history = match rs.meta.annotations.get(REVISION_HISTORY) {
                    Some(h) => format!("{h},{}", rs.revision),
                    None => rs.revision.to_string(),
                };
                rs.meta.annotations.insert(REVISION_HISTORY.into(), history);
                rs.revision = revision;
                rs.meta.annotations.insert(
                    "deployment.kubernetes.io/revision".into(),
                    revision.to_string(),
                );
                (ChangeType::Modified, rs)
            }
            None => {
                let hash = safe_suffix(
                    &self
                        .ids
                        .uuid(origin, &[context, namespace, name, &revision.to_string()]),
                    10,
                );
                let rs_name = format!("{name}-{hash}");
                let mut meta =
                    self.meta(context, "ReplicaSet", Some(namespace), &rs_name, at, origin);
                meta.labels.insert("app".into(), name.to_owned());
                meta.labels.insert("pod-template-hash".into(), hash.clone());
                meta.annotations.insert(
                    "deployment.kubernetes.io/revision".into(),
                    revision.to_string(),
                );
                (
                    ChangeType::Added,
                    ReplicaSet {
                        meta,
                        deployment: name.to_owned(),
                        revision,
                        pod_template_hash: hash,
                        replicas: 0,
                        template: deployment.template.clone(),
                    },
                )
            }
        };
        let rs_name = new_rs.meta.name.clone();
        let cluster = self.clusters.get_mut(context)?;
        cluster.record(ChangeType::Modified, Object::Deployment(deployment.clone()));
        cluster.record(change, Object::ReplicaSet(new_rs));
        let old: Vec<ReplicaSet> = cluster
            .replica_sets
            .values()
            .filter(|rs| {
                rs.deployment == name
                    && rs.meta.namespace.as_deref() == Some(namespace)
                    && rs.replicas > 0
                    && rs.meta.name != rs_name
            })
            .cloned()
            .collect();
        self.set_rs_replicas(
            context,
            namespace,
            &rs_name,
            deployment.replicas,
            origin,
            at,
        );
        for rs in old {
            self.set_rs_replicas(context, namespace, &rs.meta.name, 0, origin, at);
        }
        Some(())
    }

    /// Scales one ReplicaSet: pods created or deleted to match, and the Deployment
    /// controller's event.
    fn set_rs_replicas(
        &mut self,
        context: &str,
        namespace: &str,
        rs_name: &str,
        replicas: u32,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Option<()> {
        let rkey = (namespace.to_owned(), rs_name.to_owned());
        let mut rs = self.clusters.get(context)?.replica_sets.get(&rkey)?.clone();
        let before = rs.replicas;
        if before == replicas {
            return Some(());
        }
        rs.replicas = replicas;
        let mut pods: Vec<Pod> = self
            .clusters
            .get(context)?
            .pods
            .values()
            .filter(|p| p.replica_set == rs_name && p.meta.namespace.as_deref() == Some(namespace))
            .cloned()
            .collect();
        let placeable = self.clusters.get(context)?.placeable();
        let mut new_pods = Vec::new();
        let mut n = 0u32;
        while pods.len() + new_pods.len() < replicas as usize {
            let suffix = safe_suffix(
                &self
                    .ids
                    .uuid(origin, &[context, rs_name, "pod", &n.to_string()]),
                5,
            );
            n += 1;
            let pod_name = format!("{rs_name}-{suffix}");
            let taken = pods
                .iter()
                .chain(new_pods.iter())
                .any(|p: &Pod| p.meta.name == pod_name);
            if taken {
                continue;
            }
            let mut meta = self.meta(context, "Pod", Some(namespace), &pod_name, at, origin);
            meta.labels.insert("app".into(), rs.deployment.clone());
            meta.labels
                .insert("pod-template-hash".into(), rs.pod_template_hash.clone());
            let node = placeable
                .get((pods.len() + new_pods.len()) % placeable.len().max(1))
                .cloned()
                .unwrap_or_default();
            new_pods.push(Pod {
                meta,
                replica_set: rs_name.to_owned(),
                node,
                image: rs.template.image.clone(),
                restarts: 0,
            });
        }
        // Scaling down removes the newest pods first, as the ReplicaSet controller prefers.
        pods.sort_by(|a, b| {
            b.meta
                .created_at
                .cmp(&a.meta.created_at)
                .then(b.meta.name.cmp(&a.meta.name))
        });
        let excess = pods.len().saturating_sub(replicas as usize);
        let doomed: Vec<Pod> = pods.into_iter().take(excess).collect();
        let message = if replicas > before {
            format!("Scaled up replica set {rs_name} from {before} to {replicas}")
        } else {
            format!("Scaled down replica set {rs_name} from {before} to {replicas}")
        };
        let deployment = rs.deployment.clone();
        let cluster = self.clusters.get_mut(context)?;
        cluster.record(ChangeType::Modified, Object::ReplicaSet(rs));
        for pod in new_pods {
            cluster.record(ChangeType::Added, Object::Pod(pod));
        }
        for pod in doomed {
            cluster.record(ChangeType::Deleted, Object::Pod(pod));
        }
        self.event(
            context,
            namespace,
            Happening {
                object: ("Deployment", &deployment),
                event_type: K8sEventType::Normal,
                reason: "ScalingReplicaSet",
                message: &message,
            },
            origin,
            at,
        );
        Some(())
    }

    /// Records an event; the same object, reason and message again counts up.
    fn event(
        &mut self,
        context: &str,
        namespace: &str,
        what: Happening<'_>,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Option<()> {
        let Happening {
            object: (kind, name),
            event_type,
            reason,
            message,
        } = what;
        let existing = self
            .clusters
            .get(context)?
            .events
            .values()
            .find(|e| {
                e.meta.namespace.as_deref() == Some(namespace)
                    && e.involved_kind == kind
                    && e.involved_name == name
                    && e.reason == reason
                    && e.message == message
            })
            .cloned();
        let (change, event) = match existing {
            Some(mut e) => {
                e.count += 1;
                e.last_at = at;
                (ChangeType::Modified, e)
            }
            None => {
                // Unique in the cluster: the resourceVersion this event is about to get.
                let next = self.clusters.get(context)?.resource_version + 1;
                let event_name = format!("{name}.{next:016x}");
                let meta = self.meta(
                    context,
                    "Event",
                    Some(namespace),
                    &format!("{event_name}.{reason}.{message}"),
                    at,
                    origin,
                );
                let meta = Meta {
                    name: event_name,
                    ..meta
                };
                (
                    ChangeType::Added,
                    Event {
                        meta,
                        involved_kind: kind.to_owned(),
                        involved_name: name.to_owned(),
                        event_type,
                        reason: reason.to_owned(),
                        message: message.to_owned(),
                        count: 1,
                        first_at: at,
                        last_at: at,
                    },
                )
            }
        };
        self.clusters
            .get_mut(context)?
            .record(change, Object::Event(event));
        Some(())
    }

    fn workload(&self, service: &str) -> Option<(String, String, String)> {
        self.workloads.get(service).cloned()
    }

    /// A Deployment changed through the API (a patch, the scale subresource): a new template
    /// rolls out (or rolls back to the ReplicaSet that has it), new replicas scale the current
    /// ReplicaSet. `None` when there is no such Deployment.
    pub fn update_deployment(
        &mut self,
        target: DeploymentRef<'_>,
        replicas: u32,
        template: Template,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Option<()> {
        let DeploymentRef {
            context,
            namespace,
            name,
        } = target;
        let current = self
            .cluster(context)?
            .deployments
            .get(&(namespace.to_owned(), name.to_owned()))?
            .clone();
        if template != current.template {
            self.roll_out(context, namespace, name, Some(template), origin, at)?;
        }
        if replicas != current.replicas {
            self.scale_to(context, namespace, name, replicas, origin, at)?;
        }
        Some(())
    }

    /// Scales a Deployment and its current ReplicaSet.
    fn scale_to(
        &mut self,
        context: &str,
        namespace: &str,
        name: &str,
        replicas: u32,
        origin: Origin,
        at: DateTime<Utc>,
    ) -> Option<()> {
        let dkey = (namespace.to_owned(), name.to_owned());
        let mut deployment = self.cluster(context)?.deployments.get(&dkey)?.clone();
        deployment.replicas = replicas;
        deployment.generation += 1;
        let current = self.cluster(context).and_then(|c| {
            c.replica_sets
                .values()
                .filter(|rs| {
                    rs.deployment == name && rs.meta.namespace.as_deref() == Some(namespace)
                })
                .max_by_key(|rs| rs.revision)
                .map(|rs| rs.meta.name.clone())
        });
        self.clusters
            .get_mut(context)?
            .record(ChangeType::Modified, Object::Deployment(deployment));
        if let Some(rs) = current {
            self.set_rs_replicas(context, namespace, &rs, replicas, origin, at)?;
        }
        Some(())
    }

    pub fn deploy(&mut self, deploy: &Deploy, origin: Origin, at: DateTime<Utc>) -> Outcome {
        let Some((context, namespace, name)) = self.workload(&deploy.service) else {
            return Outcome::Skipped(format!("{} has no Kubernetes workload", deploy.service));
        };
        let Some(current) = self
            .cluster(&context)
            .and_then(|c| c.deployments.get(&(namespace.clone(), name.clone())))
            .map(|d| d.template.clone())
        else {
            return Outcome::Skipped(format!("deployment {namespace}/{name} is gone"));
        };
        let mut template = current.clone();
        if deploy.image == current.image {
            // The same image again: a rollout restart, as `kubectl rollout restart` does it.
            template
                .annotations
                .insert(RESTARTED_AT.into(), at.to_rfc3339());
        } else {
            template.image = deploy.image.clone();
        }
        match self.roll_out(&context, &namespace, &name, Some(template), origin, at) {
            Some(()) => Outcome::Applied,
            None => Outcome::Skipped(format!("deployment {namespace}/{name} is gone")),
        }
    }

    pub fn scale(&mut self, scale: &Scale, origin: Origin, at: DateTime<Utc>) -> Outcome {
        let Some((context, namespace, name)) = self.workload(&scale.service) else {
            return Outcome::Skipped(format!("{} has no Kubernetes workload", scale.service));
        };
        let dkey = (namespace.clone(), name.clone());
        let Some(replicas) = self
            .cluster(&context)
            .and_then(|c| c.deployments.get(&dkey))
            .map(|d| d.replicas)
        else {
            return Outcome::Skipped(format!("deployment {namespace}/{name} is gone"));
        };
        if replicas == scale.replicas {
            return Outcome::AlreadyDone;
        }
        match self.scale_to(&context, &namespace, &name, scale.replicas, origin, at) {
            Some(()) => Outcome::Applied,
            None => Outcome::Skipped(format!("deployment {namespace}/{name} is gone")),
        }
    }

    pub fn k8s_event(&mut self, e: &K8sEvent, origin: Origin, at: DateTime<Utc>) -> Outcome {
        let what = Happening {
            object: (&e.object.kind, &e.object.name),
            event_type: e.event_type,
            reason: &e.reason,
            message: &e.message,
        };
        match self.event(&e.context, &e.namespace, what, origin, at) {
            Some(()) => Outcome::Applied,
            None => Outcome::Skipped(format!("no cluster {}", e.context)),
        }
    }

    /// Cordons (`true`) or uncordons a node from outside (the simulated API's node patches),
    /// leaving its readiness alone. `None` for an unknown node; `Some(false)` when it already
    /// was so.
    pub fn set_unschedulable(
        &mut self,
        context: &str,
        name: &str,
        unschedulable: bool,
    ) -> Option<bool> {
        let cluster = self.clusters.get_mut(context)?;
        let mut node = cluster.nodes.get(name)?.clone();
        if node.unschedulable == unschedulable {
            return Some(false);
        }
        node.unschedulable = unschedulable;
        cluster.record(ChangeType::Modified, Object::Node(node));
        Some(true)
    }

    pub fn node(&mut self, change: &NodeChange, at: DateTime<Utc>) -> Outcome {
        let Some(mut node) = self
            .cluster(&change.context)
            .and_then(|c| c.nodes.get(&change.name))
            .cloned()
        else {
            return Outcome::Skipped(format!("no node {} in {}", change.name, change.context));
        };
        let before = node.clone();
        match change.state {
            NodeState::SchedulingDisabled => node.unschedulable = true,
            NodeState::NotReady => {
                if node.ready {
                    node.ready = false;
                    node.ready_since = at;
                }
            }
            NodeState::Ready => {
                if !node.ready {
                    node.ready = true;
                    node.ready_since = at;
                }
                node.unschedulable = false;
            }
        }
        if node == before {
            return Outcome::AlreadyDone;
        }
        if let Some(cluster) = self.clusters.get_mut(&change.context) {
            cluster.record(ChangeType::Modified, Object::Node(node));
        }
        Outcome::Applied
    }
}

/// What an event says happened to which object (`Kind`, name).
struct Happening<'a> {
    object: (&'a str, &'a str),
    event_type: K8sEventType,
    reason: &'a str,
    message: &'a str,
}

/// `len` characters of Kubernetes' safe alphabet from a hex digest.
fn safe_suffix(hex: &str, len: usize) -> String {
    hex.bytes()
        .filter(u8::is_ascii_hexdigit)
        .collect::<Vec<u8>>()
        .chunks(2)
        .take(len)
        .map(|pair| {
            let v = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16).unwrap_or(0);
            SAFE[usize::from(v) % SAFE.len()] as char
        })
        .collect()
}
