//! The workload view of a service, from the cluster model: no request to the cluster, so it
//! opens at once and still shows the last known state while a context is unreachable.

use std::collections::HashSet;

use opsdeck_domain::{
    UnhealthyPod, Workload, WorkloadEvent, WorkloadRevision, HEALTHY_PODS_LISTED,
};

use super::cluster::Cluster;
use super::entries::ServiceMap;
use super::records::{Image, Key, PodRecord, Progress};

/// Recent events shown per workload.
const EVENTS: usize = 8;

fn image_names(images: &[Image]) -> Vec<String> {
    images.iter().map(|i| i.image.clone()).collect()
}

/// The Deployments of `service` in this cluster: those the config maps to it, then those whose
/// label names it.
pub fn workloads(
    cluster: &Cluster,
    context: &str,
    services: &ServiceMap,
    service: &str,
    stale: bool,
) -> Vec<Workload> {
    let mut keys: Vec<Key> = cluster
        .deployments
        .values()
        .filter(|d| services.service(d).as_deref() == Some(service))
        .map(|d| d.key.clone())
        .collect();
    keys.sort();
    keys.iter()
        .filter_map(|key| workload(cluster, context, key, stale))
        .collect()
}

fn workload(cluster: &Cluster, context: &str, key: &Key, stale: bool) -> Option<Workload> {
    let d = cluster.deployments.get(key)?;
    let revisions = cluster.revisions(key);
    let replica_sets: HashSet<&str> = revisions.iter().map(|rs| rs.key.name.as_str()).collect();
    let all: Vec<_> = cluster
        .pods
        .values()
        .filter(|p| {
            p.key.namespace == key.namespace
                && p.replica_set
                    .as_deref()
                    .is_some_and(|rs| replica_sets.contains(rs))
        })
        .collect();
    let troubled = |p: &PodRecord| p.unhealthy() || p.restarts > 0;
    let mut healthy: Vec<&PodRecord> = all.iter().filter(|p| !troubled(p)).copied().collect();
    healthy.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then(a.key.name.cmp(&b.key.name))
    });
    let mut pods: Vec<UnhealthyPod> = all
        .iter()
        .filter(|p| troubled(p))
        .map(|p| UnhealthyPod {
            name: p.key.name.clone(),
            phase: p.phase.clone(),
            ready: p.ready,
            reason: p
                .waiting
                .clone()
                .or_else(|| p.last_exit.as_ref().map(|(r, _)| r.clone())),
            restarts: p.restarts,
            node: p.node.clone(),
        })
        .collect();
    pods.sort_by(|a, b| b.restarts.cmp(&a.restarts).then(a.name.cmp(&b.name)));
    let mut events: Vec<WorkloadEvent> = cluster
        .events
        .values()
        .filter(|e| {
            e.namespace == key.namespace
                && cluster
                    .deployment_of(&e.namespace, &e.object)
                    .is_some_and(|owner| owner.key == *key)
        })
        .map(|e| WorkloadEvent {
            object: e.object.clone(),
            reason: e.reason.clone(),
            message: e.message.clone(),
            warning: e.warning,
            count: e.count,
            last_seen: e.last_at,
        })
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
    events.truncate(EVENTS);
    Some(Workload {
        context: context.to_string(),
        namespace: key.namespace.clone(),
        deployment: key.name.clone(),
        target: format!("{context}/{}/{}", key.namespace, key.name),
        desired: d.replicas,
        ready: d.ready,
        updated: d.updated,
        available: d.available,
        revision: d.revision,
        progress: match d.progress {
            Progress::Progressing => "progressing",
            Progress::Complete => "complete",
            Progress::Failed => "failed",
        }
        .to_string(),
        images: image_names(&d.images),
        revisions: revisions
            .iter()
            .filter_map(|rs| {
                Some(WorkloadRevision {
                    revision: rs.revision?,
                    replica_set: rs.key.name.clone(),
                    images: image_names(&rs.images),
                    created_at: rs.created_at,
                    change_cause: rs.change_cause.clone(),
                    current: rs.revision == d.revision,
                })
            })
            .collect(),
        unhealthy_pods: pods,
        pod_count: u32::try_from(all.len()).unwrap_or(u32::MAX),
        healthy_pods: healthy
            .iter()
            .take(HEALTHY_PODS_LISTED)
            .map(|p| p.key.name.clone())
            .collect(),
        events,
        stale,
    })
}
