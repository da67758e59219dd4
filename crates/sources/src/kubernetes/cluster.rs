//! One cluster as opsdeck sees it: the records of every watched object, kept current by watch
//! events, and the changes worth a timeline entry. Pure: no I/O, no clock (the time before
//! which the first list's history is left out is handed in).
//!
//! A watcher that loses its place (a dropped stream, `410 Gone`) lists everything again; the
//! relisted objects are compared with what is known, so only real differences become changes
//! and a relist never repeats an entry.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::records::{
    DeploymentRecord, EventRecord, Key, NodeRecord, PodRecord, Progress, ReplicaSetRecord,
};

/// The kinds of object watched per context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Deployments,
    ReplicaSets,
    Pods,
    Nodes,
    Events,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Deployments,
        Kind::ReplicaSets,
        Kind::Pods,
        Kind::Nodes,
        Kind::Events,
    ];

    pub fn plural(self) -> &'static str {
        match self {
            Kind::Deployments => "deployments",
            Kind::ReplicaSets => "replicasets",
            Kind::Pods => "pods",
            Kind::Nodes => "nodes",
            Kind::Events => "events",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    Deployment(DeploymentRecord),
    ReplicaSet(ReplicaSetRecord),
    Pod(PodRecord),
    Node(NodeRecord),
    Event(EventRecord),
}

impl Record {
    fn kind(&self) -> Kind {
        match self {
            Record::Deployment(_) => Kind::Deployments,
            Record::ReplicaSet(_) => Kind::ReplicaSets,
            Record::Pod(_) => Kind::Pods,
            Record::Node(_) => Kind::Nodes,
            Record::Event(_) => Kind::Events,
        }
    }
}

/// A watcher's event, as records (mirrors `kube::runtime::watcher::Event`).
#[derive(Debug, Clone, PartialEq)]
pub enum WatchEvent {
    Apply(Record),
    Delete(Record),
    /// A (re)list begins; the `InitApply` records that follow are everything there is.
    Init(Kind),
    InitApply(Record),
    InitDone(Kind),
}

/// A node's state as the timeline names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    Ready,
    NotReady,
    Cordoned,
}

impl NodeState {
    pub fn of(n: &NodeRecord) -> NodeState {
        if !n.ready {
            NodeState::NotReady
        } else if n.unschedulable {
            NodeState::Cordoned
        } else {
            NodeState::Ready
        }
    }
}

/// Warning events about one object for one reason: one timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WarningGroup {
    pub namespace: String,
    /// `Kind/name`.
    pub object: String,
    pub reason: String,
}

impl WarningGroup {
    fn of(e: &EventRecord) -> WarningGroup {
        WarningGroup {
            namespace: e.namespace.clone(),
            object: e.object.clone(),
            reason: e.reason.clone(),
        }
    }
}

/// Something that happened, to be rendered as a timeline entry from the cluster's state when
/// the source is next polled.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A ReplicaSet revision appeared, or came back (a rollback).
    Rollout {
        replica_set: Key,
    },
    /// The Deployment's rollout moved on (progress, completion, failure): its current revision.
    RolloutProgress {
        deployment: Key,
    },
    Scale {
        deployment: Key,
        uid: String,
        resource_version: String,
        from: i32,
        to: i32,
    },
    Node {
        name: String,
        uid: String,
        resource_version: String,
        from: Option<NodeState>,
        to: NodeState,
        /// When the node's Ready condition changed, if that is what changed.
        since: Option<DateTime<Utc>>,
    },
    Warning {
        group: WarningGroup,
    },
    Restart {
        pod: Key,
    },
}

#[derive(Debug)]
pub struct Cluster {
    pub deployments: HashMap<Key, DeploymentRecord>,
    pub replica_sets: HashMap<Key, ReplicaSetRecord>,
    pub pods: HashMap<Key, PodRecord>,
    pub nodes: HashMap<String, NodeRecord>,
    /// By uid.
    pub events: HashMap<String, EventRecord>,
    /// Event uids per warning group.
    pub warnings: HashMap<WarningGroup, BTreeSet<String>>,
    /// The entry id of each restarting pod (by pod uid): one entry per pod, however often it
    /// restarts.
    pub restart_ids: HashMap<String, String>,
    /// Objects of the first list older than this are history the timeline leaves out.
    backfill_from: DateTime<Utc>,
    synced: [bool; 5],
    /// Complete lists so far, of all kinds (five after the first sync; more after relists).
    pub lists: u64,
    relisting: [Option<Vec<Record>>; 5],
    changes: Vec<Change>,
}

/// Whether an object arrives in the very first list (its past is history: only the recent
/// part is told) or after it (whatever changed is news).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    FirstList,
    Live,
}

impl Cluster {
    pub fn new(backfill_from: DateTime<Utc>) -> Cluster {
        Cluster {
            deployments: HashMap::new(),
            replica_sets: HashMap::new(),
            pods: HashMap::new(),
            nodes: HashMap::new(),
            events: HashMap::new(),
            warnings: HashMap::new(),
            restart_ids: HashMap::new(),
            backfill_from,
            synced: [false; 5],
            lists: 0,
            relisting: Default::default(),
            changes: Vec::new(),
        }
    }

    /// Whether `kind` has been listed completely at least once.
    pub fn synced(&self, kind: Kind) -> bool {
        self.synced[kind.index()]
    }

    /// The changes since the last call.
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    pub fn apply(&mut self, event: WatchEvent) {
        match event {
            WatchEvent::Apply(r) => {
                let phase = if self.synced(r.kind()) {
                    Phase::Live
                } else {
                    Phase::FirstList
                };
                self.upsert(r, phase);
            }
            WatchEvent::Delete(r) => self.delete(&r),
            WatchEvent::Init(kind) => self.relisting[kind.index()] = Some(Vec::new()),
            WatchEvent::InitApply(r) => {
                let kind = r.kind();
                match &mut self.relisting[kind.index()] {
                    Some(buffer) => buffer.push(r),
                    // An InitApply without an Init: take it as it comes.
                    None => self.apply(WatchEvent::Apply(r)),
                }
            }
            WatchEvent::InitDone(kind) => self.relisted(kind),
        }
    }

    /// A (re)list is complete: what it holds is upserted, what it lacks was deleted meanwhile.
    fn relisted(&mut self, kind: Kind) {
        let listed = self.relisting[kind.index()].take().unwrap_or_default();
        let phase = if self.synced(kind) {
            Phase::Live
        } else {
            Phase::FirstList
        };
        let mut seen = std::collections::HashSet::new();
        for r in listed {
            seen.insert(identity(&r));
            self.upsert(r, phase);
        }
        let gone: Vec<Record> = match kind {
            Kind::Deployments => self
                .deployments
                .values()
                .filter(|d| !seen.contains(&d.key.to_string()))
                .cloned()
                .map(Record::Deployment)
                .collect(),
            Kind::ReplicaSets => self
                .replica_sets
                .values()
                .filter(|r| !seen.contains(&r.key.to_string()))
                .cloned()
                .map(Record::ReplicaSet)
                .collect(),
            Kind::Pods => self
                .pods
                .values()
                .filter(|p| !seen.contains(&p.key.to_string()))
                .cloned()
                .map(Record::Pod)
                .collect(),
            Kind::Nodes => self
                .nodes
                .values()
                .filter(|n| !seen.contains(&n.name))
                .cloned()
                .map(Record::Node)
                .collect(),
            Kind::Events => self
                .events
                .values()
                .filter(|e| !seen.contains(&e.uid))
                .cloned()
                .map(Record::Event)
                .collect(),
        };
        for r in gone {
            self.delete(&r);
        }
        self.synced[kind.index()] = true;
        self.lists += 1;
    }

    fn upsert(&mut self, record: Record, phase: Phase) {
        match record {
            Record::Deployment(d) => self.upsert_deployment(d, phase),
            Record::ReplicaSet(rs) => self.upsert_replica_set(rs, phase),
            Record::Pod(p) => self.upsert_pod(p, phase),
            Record::Node(n) => self.upsert_node(n, phase),
            Record::Event(e) => self.upsert_event(e, phase),
        }
    }

    fn upsert_deployment(&mut self, d: DeploymentRecord, phase: Phase) {
        let key = d.key.clone();
        let old = self.deployments.insert(key.clone(), d);
        let (Some(old), Phase::Live) = (old, phase) else {
            return;
        };
        let new = &self.deployments[&key];
        if old.replicas != new.replicas {
            self.changes.push(Change::Scale {
                deployment: key.clone(),
                uid: new.uid.clone(),
                resource_version: new.resource_version.clone(),
                from: old.replicas,
                to: new.replicas,
            });
        }
        // Replica counts tell a rollout's progress while it runs; once complete, they move
        // with scaling, which is its own entry.
        let counts =
            old.updated != new.updated || old.ready != new.ready || old.available != new.available;
        let running = old.progress != Progress::Complete || new.progress != Progress::Complete;
        let moved =
            old.progress != new.progress || old.revision != new.revision || (counts && running);
        if moved {
            self.changes
                .push(Change::RolloutProgress { deployment: key });
        }
    }

    fn upsert_replica_set(&mut self, rs: ReplicaSetRecord, phase: Phase) {
        let key = rs.key.clone();
        let is_revision = rs.deployment.is_some() && rs.revision.is_some();
        let recent = rs.created_at.is_none_or(|t| t >= self.backfill_from);
        let old = self.replica_sets.insert(key.clone(), rs);
        if !is_revision {
            return;
        }
        let news = match (&old, phase) {
            (None, Phase::FirstList) => recent,
            (None, Phase::Live) => true,
            (Some(old), _) => old.revision != self.replica_sets[&key].revision,
        };
        if news {
            self.changes.push(Change::Rollout { replica_set: key });
        }
    }

    fn upsert_pod(&mut self, p: PodRecord, phase: Phase) {
        let key = p.key.clone();
        let news = match (self.pods.get(&key), phase) {
            (Some(old), _) => p.restarts > old.restarts,
            (None, Phase::FirstList) => {
                p.restarts > 0
                    && p.last_exit
                        .as_ref()
                        .and_then(|(_, at)| *at)
                        .is_none_or(|at| at >= self.backfill_from)
            }
            (None, Phase::Live) => p.restarts > 0,
        };
        if news {
            self.restart_ids
                .entry(p.uid.clone())
                .or_insert_with(|| format!("{}@{}", p.uid, p.resource_version));
            self.changes.push(Change::Restart { pod: key.clone() });
        }
        self.pods.insert(key, p);
    }

    fn upsert_node(&mut self, n: NodeRecord, phase: Phase) {
        let to = NodeState::of(&n);
        let change = match (self.nodes.get(&n.name), phase) {
            (None, Phase::FirstList) => (to != NodeState::Ready).then_some(None),
            (None, Phase::Live) => None,
            (Some(old), _) => {
                let moved = old.ready != n.ready || old.unschedulable != n.unschedulable;
                moved.then_some(Some(NodeState::of(old)))
            }
        };
        if let Some(from) = change {
            // Readiness carries its own time; a cordon does not (it is stamped when seen).
            let ready_changed = self
                .nodes
                .get(&n.name)
                .map_or(!n.ready, |o| o.ready != n.ready);
            let since = if ready_changed { n.ready_since } else { None };
            self.changes.push(Change::Node {
                name: n.name.clone(),
                uid: n.uid.clone(),
                resource_version: n.resource_version.clone(),
                from,
                to,
                since,
            });
        }
        self.nodes.insert(n.name.clone(), n);
    }

    fn upsert_event(&mut self, e: EventRecord, phase: Phase) {
        let news = e.warning
            && match (self.events.get(&e.uid), phase) {
                (Some(old), _) => old.count != e.count || old.message != e.message,
                (None, Phase::FirstList) => e.last_at.is_none_or(|t| t >= self.backfill_from),
                (None, Phase::Live) => true,
            };
        if e.warning {
            let group = WarningGroup::of(&e);
            self.warnings
                .entry(group.clone())
                .or_default()
                .insert(e.uid.clone());
            if news {
                self.changes.push(Change::Warning { group });
            }
        }
        self.events.insert(e.uid.clone(), e);
    }

    fn delete(&mut self, r: &Record) {
        match r {
            Record::Deployment(d) => {
                self.deployments.remove(&d.key);
            }
            Record::ReplicaSet(rs) => {
                self.replica_sets.remove(&rs.key);
            }
            Record::Pod(p) => {
                if let Some(gone) = self.pods.remove(&p.key) {
                    self.restart_ids.remove(&gone.uid);
                }
            }
            Record::Node(n) => {
                self.nodes.remove(&n.name);
            }
            Record::Event(e) => {
                if let Some(gone) = self.events.remove(&e.uid) {
                    let group = WarningGroup::of(&gone);
                    if let Some(uids) = self.warnings.get_mut(&group) {
                        uids.remove(&gone.uid);
                        if uids.is_empty() {
                            self.warnings.remove(&group);
                        }
                    }
                }
            }
        }
    }

    /// The events of a warning group, earliest first.
    pub fn warning_events(&self, group: &WarningGroup) -> Vec<&EventRecord> {
        let mut events: Vec<&EventRecord> = self
            .warnings
            .get(group)
            .into_iter()
            .flatten()
            .filter_map(|uid| self.events.get(uid))
            .collect();
        events.sort_by(|a, b| (a.first_at, &a.uid).cmp(&(b.first_at, &b.uid)));
        events
    }

    /// The ReplicaSets of a Deployment, newest revision first.
    pub fn revisions(&self, deployment: &Key) -> Vec<&ReplicaSetRecord> {
        let mut revisions: Vec<&ReplicaSetRecord> = self
            .replica_sets
            .values()
            .filter(|rs| {
                rs.key.namespace == deployment.namespace
                    && rs.deployment.as_deref() == Some(deployment.name.as_str())
                    && rs.revision.is_some()
            })
            .collect();
        revisions.sort_by_key(|rs| std::cmp::Reverse(rs.revision));
        revisions
    }

    /// The Deployment a pod, ReplicaSet or Deployment (`Kind/name`) belongs to.
    pub fn deployment_of(&self, namespace: &str, object: &str) -> Option<&DeploymentRecord> {
        let (kind, name) = object.split_once('/')?;
        let deployment = match kind {
            "Deployment" => Some(name.to_string()),
            "ReplicaSet" => self
                .replica_sets
                .get(&Key::new(namespace, name))
                .and_then(|rs| rs.deployment.clone()),
            "Pod" => self
                .pods
                .get(&Key::new(namespace, name))
                .and_then(|p| p.replica_set.as_ref())
                .and_then(|rs| self.replica_sets.get(&Key::new(namespace, rs)))
                .and_then(|rs| rs.deployment.clone())
                // A pod already gone: its name is `<deployment>-<hash>-<suffix>`.
                .or_else(|| {
                    let mut parts: Vec<&str> = name.rsplitn(3, '-').collect();
                    (parts.len() == 3).then(|| parts.pop().unwrap_or_default().to_string())
                }),
            _ => None,
        }?;
        self.deployments.get(&Key::new(namespace, &deployment))
    }
}

/// How a record is told apart within its kind in a relist.
fn identity(r: &Record) -> String {
    match r {
        Record::Deployment(d) => d.key.to_string(),
        Record::ReplicaSet(rs) => rs.key.to_string(),
        Record::Pod(p) => p.key.to_string(),
        Record::Node(n) => n.name.clone(),
        Record::Event(e) => e.uid.clone(),
    }
}
