//! The cluster model and its entries, fed records directly.

use chrono::{DateTime, Duration, TimeZone, Utc};
use opsdeck_domain::{EntryKind, Status};

use super::cluster::{Change, Cluster, Kind, Record, WatchEvent};
use super::entries::{render, ServiceMap, ServiceTarget, Stamps};
use super::records::*;

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
}

fn deployment(replicas: i32, revision: i64, rv: &str) -> Record {
    Record::Deployment(DeploymentRecord {
        uid: "d-1".into(),
        key: Key::new("payments", "payments-api"),
        resource_version: rv.into(),
        service_label: None,
        replicas,
        ready: replicas,
        updated: replicas,
        available: replicas,
        revision: Some(revision),
        images: vec![image("1.41.1")],
        progress: Progress::Complete,
        progress_at: None,
    })
}

fn image(tag: &str) -> Image {
    Image {
        container: "payments-api".into(),
        image: format!("ghcr.io/acme/payments-api:{tag}"),
    }
}

fn replica_set(name: &str, revision: i64, tag: &str, created: DateTime<Utc>) -> Record {
    Record::ReplicaSet(ReplicaSetRecord {
        uid: format!("rs-{name}"),
        key: Key::new("payments", name),
        deployment: Some("payments-api".into()),
        revision: Some(revision),
        reused: false,
        created_at: Some(created),
        images: vec![image(tag)],
        change_cause: None,
        replicas: 3,
        ready: 3,
    })
}

fn pod(name: &str, restarts: i32, rv: &str) -> Record {
    Record::Pod(PodRecord {
        uid: format!("pod-{name}"),
        key: Key::new("payments", name),
        resource_version: rv.into(),
        replica_set: Some("payments-api-b".into()),
        node: Some("ip-10-0-1-11".into()),
        phase: "Running".into(),
        ready: restarts == 0,
        restarts,
        waiting: (restarts > 0).then(|| "CrashLoopBackOff".into()),
        last_exit: (restarts > 0).then(|| ("OOMKilled".into(), Some(t(6, restarts as u32)))),
        created_at: Some(t(5, 0)),
    })
}

fn warning(uid: &str, message: &str, count: i32, at: DateTime<Utc>) -> Record {
    Record::Event(EventRecord {
        uid: uid.into(),
        namespace: "payments".into(),
        object: "Pod/payments-api-b-x1".into(),
        reason: "BackOff".into(),
        message: message.into(),
        warning: true,
        count,
        first_at: Some(at),
        last_at: Some(at + Duration::minutes(i64::from(count))),
    })
}

fn list(cluster: &mut Cluster, kind: Kind, records: Vec<Record>) {
    cluster.apply(WatchEvent::Init(kind));
    for r in records {
        cluster.apply(WatchEvent::InitApply(r));
    }
    cluster.apply(WatchEvent::InitDone(kind));
}

fn services() -> ServiceMap {
    ServiceMap::new(
        &[ServiceTarget {
            service: "payments-api".into(),
            namespace: "payments".into(),
            deployment: "payments-api".into(),
        }],
        ["payments-api".to_string()],
    )
}

fn entries(cluster: &mut Cluster, now: DateTime<Utc>) -> Vec<opsdeck_domain::NewEntry> {
    let mut stamps = Stamps::default();
    cluster
        .take_changes()
        .iter()
        .filter_map(|c| render(cluster, c, "prod-eu", &services(), &mut stamps, now))
        .collect()
}

#[test]
fn the_first_list_tells_only_what_is_recent() {
    let mut cluster = Cluster::new(t(5, 0));
    list(
        &mut cluster,
        Kind::Deployments,
        vec![deployment(3, 2, "10")],
    );
    list(
        &mut cluster,
        Kind::ReplicaSets,
        vec![
            replica_set("payments-api-a", 1, "1.41.0", t(5, 0) - Duration::days(3)),
            replica_set("payments-api-b", 2, "1.41.1", t(8, 45)),
        ],
    );
    let told = entries(&mut cluster, t(9, 0));
    assert_eq!(told.len(), 1, "{told:#?}");
    assert_eq!(told[0].kind, EntryKind::Rollout);
    assert_eq!(
        told[0].title,
        "payments-api rollout ghcr.io/acme/payments-api:1.41.0 → 1.41.1 (revision 2)"
    );
    assert_eq!(told[0].status, Some(Status::Complete));
    assert_eq!(told[0].service.as_deref(), Some("payments-api"));
    assert_eq!(told[0].started_at, t(8, 45));
    assert_eq!(told[0].external_id, "rs-payments-api-b");
}

#[test]
fn a_relist_tells_only_what_changed_and_forgets_what_went() {
    let mut cluster = Cluster::new(t(5, 0));
    list(
        &mut cluster,
        Kind::Deployments,
        vec![deployment(3, 2, "10")],
    );
    list(
        &mut cluster,
        Kind::Pods,
        vec![
            pod("payments-api-b-x1", 0, "11"),
            pod("payments-api-b-x2", 0, "12"),
        ],
    );
    cluster.take_changes();

    // After a 410: the same deployment scaled, one pod gone, the other unchanged.
    list(
        &mut cluster,
        Kind::Deployments,
        vec![deployment(6, 2, "20")],
    );
    list(
        &mut cluster,
        Kind::Pods,
        vec![pod("payments-api-b-x1", 0, "11")],
    );
    let changes = cluster.take_changes();
    assert_eq!(
        changes,
        [Change::Scale {
            deployment: Key::new("payments", "payments-api"),
            uid: "d-1".into(),
            resource_version: "20".into(),
            from: 3,
            to: 6,
        }]
    );
    assert_eq!(cluster.pods.len(), 1);
    assert!(cluster.synced(Kind::Pods));
    assert_eq!(cluster.lists, 4);

    // The same relist again: nothing at all.
    list(
        &mut cluster,
        Kind::Deployments,
        vec![deployment(6, 2, "20")],
    );
    assert!(cluster.take_changes().is_empty());
}

#[test]
fn warnings_about_one_object_and_reason_are_one_entry_with_a_count() {
    let mut cluster = Cluster::new(t(5, 0));
    list(
        &mut cluster,
        Kind::Events,
        vec![warning("ev-1", "Back-off 10s", 2, t(6, 0))],
    );
    let first = entries(&mut cluster, t(6, 5));
    assert_eq!(first.len(), 1);
    assert_eq!(
        first[0].title,
        "BackOff on Pod/payments-api-b-x1 ×2: Back-off 10s"
    );

    cluster.apply(WatchEvent::Apply(warning(
        "ev-2",
        "Back-off 40s",
        3,
        t(6, 10),
    )));
    cluster.apply(WatchEvent::Apply(warning(
        "ev-1",
        "Back-off 10s",
        4,
        t(6, 0),
    )));
    let later = entries(&mut cluster, t(6, 20));
    assert!(later.iter().all(|e| e.external_id == "ev-1"), "{later:#?}");
    let last = later.last().expect("an update");
    assert_eq!(
        last.title,
        "BackOff on Pod/payments-api-b-x1 ×7: Back-off 40s"
    );
    assert_eq!(last.details["count"], 7);
    assert_eq!(last.started_at, t(6, 0));
    assert_eq!(last.ended_at, Some(t(6, 13)));

    // Old warnings in the first list are history.
    let mut fresh = Cluster::new(t(7, 0));
    list(
        &mut fresh,
        Kind::Events,
        vec![warning("ev-1", "Back-off", 1, t(6, 0))],
    );
    assert!(fresh.take_changes().is_empty());
}

#[test]
fn a_restarting_pod_is_one_entry_that_counts_its_restarts() {
    let mut cluster = Cluster::new(t(5, 0));
    list(
        &mut cluster,
        Kind::Deployments,
        vec![deployment(3, 2, "10")],
    );
    list(
        &mut cluster,
        Kind::ReplicaSets,
        vec![replica_set("payments-api-b", 2, "1.41.1", t(4, 0))],
    );
    list(
        &mut cluster,
        Kind::Pods,
        vec![pod("payments-api-b-x1", 0, "11")],
    );
    cluster.take_changes();

    cluster.apply(WatchEvent::Apply(pod("payments-api-b-x1", 1, "30")));
    let once = entries(&mut cluster, t(6, 1));
    cluster.apply(WatchEvent::Apply(pod("payments-api-b-x1", 3, "31")));
    let thrice = entries(&mut cluster, t(6, 3));
    assert_eq!(once[0].external_id, "pod-payments-api-b-x1@30");
    assert_eq!(thrice[0].external_id, once[0].external_id);
    assert_eq!(
        thrice[0].title,
        "Pod payments-api-b-x1 restarted 3 times (CrashLoopBackOff)"
    );
    assert_eq!(thrice[0].service.as_deref(), Some("payments-api"));
    assert_eq!(thrice[0].details["restarts"], 3);

    // A pod going away with no restart is no news; one the watch saw restart stays told.
    cluster.apply(WatchEvent::Delete(pod("payments-api-b-x1", 3, "32")));
    assert!(cluster.restart_ids.is_empty());
}

#[test]
fn a_rollback_is_a_new_rollout_of_the_old_replica_set() {
    let mut cluster = Cluster::new(t(5, 0));
    list(
        &mut cluster,
        Kind::Deployments,
        vec![deployment(3, 2, "10")],
    );
    list(
        &mut cluster,
        Kind::ReplicaSets,
        vec![
            replica_set("payments-api-a", 1, "1.41.0", t(5, 10)),
            replica_set("payments-api-b", 2, "1.41.1", t(8, 45)),
        ],
    );
    cluster.take_changes();
    let Record::ReplicaSet(mut back) = replica_set("payments-api-a", 3, "1.41.0", t(5, 10)) else {
        unreachable!()
    };
    back.reused = true;
    cluster.apply(WatchEvent::Apply(Record::ReplicaSet(back)));
    cluster.apply(WatchEvent::Apply(deployment(3, 3, "40")));
    let told = entries(&mut cluster, t(9, 30));
    let rollback = told
        .iter()
        .find(|e| e.external_id == "rs-payments-api-a@3")
        .unwrap_or_else(|| panic!("{told:#?}"));
    assert_eq!(
        rollback.title,
        "payments-api rolled back to ghcr.io/acme/payments-api:1.41.1 → 1.41.0 (revision 3)"
    );
    assert_eq!(
        rollback.started_at,
        t(9, 30),
        "when it was seen, not the old creation"
    );
}
