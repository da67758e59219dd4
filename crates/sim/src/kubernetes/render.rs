//! The world's Kubernetes objects as the API server renders them: `apiVersion`, `kind`,
//! metadata with `uid`, a string `resourceVersion` and `creationTimestamp`, owner references
//! (Pod → ReplicaSet → Deployment), and the status fields clients read (replica counts, the
//! Ready condition, container statuses).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use crate::world::kubernetes::{Deployment, Event, Meta, Node, Object, Pod, ReplicaSet};

pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn metadata(meta: &Meta) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("name".into(), json!(meta.name));
    if let Some(ns) = &meta.namespace {
        m.insert("namespace".into(), json!(ns));
    }
    m.insert("uid".into(), json!(meta.uid));
    m.insert(
        "resourceVersion".into(),
        json!(meta.resource_version.to_string()),
    );
    m.insert("creationTimestamp".into(), json!(time(meta.created_at)));
    if !meta.labels.is_empty() {
        m.insert("labels".into(), json!(meta.labels));
    }
    if !meta.annotations.is_empty() {
        m.insert("annotations".into(), json!(meta.annotations));
    }
    m
}

fn owner(api_version: &str, kind: &str, name: &str, uid: &str) -> Value {
    json!({
        "apiVersion": api_version,
        "kind": kind,
        "name": name,
        "uid": uid,
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

pub(crate) fn object(object: &Object, owners: &Owners<'_>) -> Value {
    match object {
        Object::Node(n) => node(n),
        Object::Deployment(d) => deployment(d),
        Object::ReplicaSet(rs) => replica_set(rs, owners.deployment_uid(rs)),
        Object::Pod(p) => pod(p, owners.replica_set_uid(p)),
        Object::Event(e) => event(e),
    }
}

/// Finds the uids owner references need, from the cluster as it is.
pub(crate) struct Owners<'a> {
    pub cluster: &'a crate::world::kubernetes::Cluster,
}

impl Owners<'_> {
    fn deployment_uid(&self, rs: &ReplicaSet) -> Option<String> {
        let ns = rs.meta.namespace.clone().unwrap_or_default();
        self.cluster
            .deployments
            .get(&(ns, rs.deployment.clone()))
            .map(|d| d.meta.uid.clone())
    }

    fn replica_set_uid(&self, pod: &Pod) -> Option<String> {
        let ns = pod.meta.namespace.clone().unwrap_or_default();
        self.cluster
            .replica_sets
            .get(&(ns, pod.replica_set.clone()))
            .map(|rs| rs.meta.uid.clone())
    }
}

pub(crate) fn node(n: &Node) -> Value {
    let mut spec = Map::new();
    if n.unschedulable {
        spec.insert("unschedulable".into(), json!(true));
        spec.insert(
            "taints".into(),
            json!([{
                "key": "node.kubernetes.io/unschedulable",
                "effect": "NoSchedule",
                "timeAdded": time(n.ready_since),
            }]),
        );
    }
    let (status, reason, message) = if n.ready {
        ("True", "KubeletReady", "kubelet is posting ready status")
    } else {
        ("False", "KubeletNotReady", "container runtime is down")
    };
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": metadata(&n.meta),
        "spec": spec,
        "status": {
            "conditions": [{
                "type": "Ready",
                "status": status,
                "reason": reason,
                "message": message,
                "lastHeartbeatTime": time(n.ready_since),
                "lastTransitionTime": time(n.ready_since),
            }],
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": n.meta.uid,
                "containerRuntimeVersion": "containerd://1.7.20",
                "kernelVersion": "6.1.0-opsdeck-sim",
                "kubeProxyVersion": "",
                "kubeletVersion": "v1.33.0",
                "machineID": n.meta.uid,
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": n.meta.uid,
            },
        },
    })
}

fn template(app: &str, t: &crate::world::kubernetes::Template, hash: Option<&str>) -> Value {
    let mut labels = Map::new();
    labels.insert("app".into(), json!(app));
    if let Some(hash) = hash {
        labels.insert("pod-template-hash".into(), json!(hash));
    }
    let mut metadata = Map::new();
    metadata.insert("labels".into(), Value::Object(labels));
    if !t.annotations.is_empty() {
        metadata.insert("annotations".into(), json!(t.annotations));
    }
    json!({
        "metadata": metadata,
        "spec": {"containers": [{"name": app, "image": t.image}]},
    })
}

pub(crate) fn deployment(d: &Deployment) -> Value {
    let name = &d.meta.name;
    let mut meta = metadata(&d.meta);
    let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
    annotations["deployment.kubernetes.io/revision"] = json!(d.revision.to_string());
    meta.insert("generation".into(), json!(d.generation));
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": d.replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": template(name, &d.template, None),
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "revisionHistoryLimit": 10,
        },
        "status": {
            "observedGeneration": d.generation,
            "replicas": d.replicas,
            "updatedReplicas": d.replicas,
            "readyReplicas": d.replicas,
            "availableReplicas": d.replicas,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                 "message": "Deployment has minimum availability."},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                 "message": format!("ReplicaSet has successfully progressed.")},
            ],
        },
    })
}

pub(crate) fn replica_set(rs: &ReplicaSet, deployment_uid: Option<String>) -> Value {
    let mut meta = metadata(&rs.meta);
    if let Some(uid) = deployment_uid {
        meta.insert(
            "ownerReferences".into(),
            json!([owner("apps/v1", "Deployment", &rs.deployment, &uid)]),
        );
    }
    json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": meta,
        "spec": {
            "replicas": rs.replicas,
            "selector": {"matchLabels": {"app": rs.deployment,
                                         "pod-template-hash": rs.pod_template_hash}},
            "template": template(&rs.deployment, &rs.template, Some(&rs.pod_template_hash)),
        },
        "status": {
            "replicas": rs.replicas,
            "readyReplicas": rs.replicas,
            "availableReplicas": rs.replicas,
            "fullyLabeledReplicas": rs.replicas,
            "observedGeneration": 1,
        },
    })
}

pub(crate) fn pod(p: &Pod, replica_set_uid: Option<String>) -> Value {
    let mut meta = metadata(&p.meta);
    if let Some(uid) = replica_set_uid {
        meta.insert(
            "ownerReferences".into(),
            json!([owner("apps/v1", "ReplicaSet", &p.replica_set, &uid)]),
        );
    }
    let app = p.meta.labels.get("app").cloned().unwrap_or_default();
    let started = time(p.meta.created_at);
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "nodeName": p.node,
            "containers": [{"name": app, "image": p.image}],
            "restartPolicy": "Always",
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": started},
                {"type": "ContainersReady", "status": "True", "lastTransitionTime": started},
                {"type": "PodScheduled", "status": "True", "lastTransitionTime": started},
            ],
            "startTime": started,
            "containerStatuses": [{
                "name": app,
                "image": p.image,
                "imageID": "",
                "ready": true,
                "started": true,
                "restartCount": p.restarts,
                "state": {"running": {"startedAt": started}},
            }],
        },
    })
}

pub(crate) fn event(e: &Event) -> Value {
    let mut involved = Map::new();
    involved.insert("kind".into(), json!(e.involved_kind));
    involved.insert("name".into(), json!(e.involved_name));
    if let Some(ns) = &e.meta.namespace {
        involved.insert("namespace".into(), json!(ns));
    }
    json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": metadata(&e.meta),
        "involvedObject": involved,
        "reason": e.reason,
        "message": e.message,
        "type": e.event_type.as_str(),
        "count": e.count,
        "firstTimestamp": time(e.first_at),
        "lastTimestamp": time(e.last_at),
        "source": {"component": if e.reason == "ScalingReplicaSet" {
            "deployment-controller"
        } else {
            "opsdeck-sim"
        }},
        "reportingComponent": "",
        "reportingInstance": "",
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{NaiveDate, TimeZone};
    use k8s_openapi::api::apps::v1::{Deployment as K8sDeployment, ReplicaSet as K8sReplicaSet};
    use k8s_openapi::api::core::v1::{Event as K8sEvent, Node as K8sNode, Pod as K8sPod};

    use super::*;
    use crate::scenario::bundled_day;
    use crate::world::World;

    /// Every object of the shared day at 18:32 (a cordoned, NotReady-then-Ready node, three
    /// payments-api revisions, warnings) renders into k8s-openapi's types.
    #[test]
    fn every_object_deserializes_into_the_kubernetes_types() {
        let date = NaiveDate::from_ymd_opt(2026, 5, 4).expect("date");
        let mut world = World::new(Arc::new(bundled_day()), date);
        world.advance_to(Utc.with_ymd_and_hms(2026, 5, 4, 18, 32, 0).unwrap());
        let cluster = world.kubernetes().cluster("prod-eu").expect("prod-eu");
        let owners = Owners { cluster };
        let specs = opsdeck_contract::shared::specs_dir().join("kubernetes/client-go-testdata");
        let core = opsdeck_contract::Spec::load(&specs.join("api__v1_openapi.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        let apps = opsdeck_contract::Spec::load(&specs.join("apis__apps__v1_openapi.json"))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut seen = 0;
        for change in cluster.changes_since(0) {
            let value = object(&change.object, &owners);
            let what = format!("{value}");
            // As a GET of the object would answer, against the Kubernetes description.
            let meta = change.object.meta();
            let ns = meta.namespace.as_deref().unwrap_or_default();
            let (spec, path) = match value["kind"].as_str().unwrap_or_default() {
                "Node" => (&core, format!("/api/v1/nodes/{}", meta.name)),
                "Pod" => (&core, format!("/api/v1/namespaces/{ns}/pods/{}", meta.name)),
                "Event" => (
                    &core,
                    format!("/api/v1/namespaces/{ns}/events/{}", meta.name),
                ),
                "Deployment" => (
                    &apps,
                    format!("/apis/apps/v1/namespaces/{ns}/deployments/{}", meta.name),
                ),
                _ => (
                    &apps,
                    format!("/apis/apps/v1/namespaces/{ns}/replicasets/{}", meta.name),
                ),
            };
            assert_eq!(
                spec.validate_response("GET", &path, 200, &value),
                Ok(()),
                "{what}"
            );
            match value["kind"].as_str() {
                Some("Node") => drop(serde_json::from_value::<K8sNode>(value).expect(&what)),
                Some("Deployment") => {
                    let d: K8sDeployment = serde_json::from_value(value).expect(&what);
                    assert!(d.spec.replicas.is_some());
                }
                Some("ReplicaSet") => {
                    let rs: K8sReplicaSet = serde_json::from_value(value).expect(&what);
                    let owner = &rs.metadata.owner_references.expect("owned")[0];
                    assert_eq!(owner.kind, "Deployment");
                }
                Some("Pod") => drop(serde_json::from_value::<K8sPod>(value).expect(&what)),
                Some("Event") => drop(serde_json::from_value::<K8sEvent>(value).expect(&what)),
                other => panic!("unexpected kind {other:?}"),
            }
            seen += 1;
        }
        assert!(seen > 50, "{seen} objects");
    }
}
