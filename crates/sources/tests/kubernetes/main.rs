//! The Kubernetes source (kube-rs watchers) against the simulated clusters of the shared day:
//! what the first list tells, changes arriving over the watch, a relist after 410 or a cut
//! stream that repeats nothing, and an unreachable or unknown context named as such.
//!
//! - `actions`: scale, restart, rollback, cordon and uncordon against the simulated cluster.
//! - `workloads`: the workload view and pod logs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use opsdeck_domain::{EntryKind, NewEntry, Severity, Status};
use opsdeck_sim::run::{start, RunningSim, SimOptions};
use opsdeck_sim::scenario::bundled_day;
use opsdeck_sources::kubernetes::{KubernetesConfig, KubernetesSource, ServiceMap, ServiceTarget};
use opsdeck_sources::{PollContext, Source, SourceError};

mod actions;
mod workloads;

const CONTEXT: &str = "prod-eu";
const DEADLINE: StdDuration = StdDuration::from_secs(20);

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 4).expect("date")
}

struct Sim {
    running: RunningSim,
    _dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

async fn shared_day_at(at: &str) -> Sim {
    let scenario = bundled_day();
    let at = scenario.parse_time(at).expect("valid time");
    let running = start(SimOptions {
        scenario: Arc::new(scenario),
        date: date(),
        at,
        speed: 0.0,
        port_base: None,
    })
    .await
    .expect("simulator starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut kubeconfig = running
        .kubeconfig("sim-token")
        .expect("the day has clusters");
    // A second context whose server is not there: port 1 on loopback refuses connections.
    kubeconfig["clusters"]
        .as_array_mut()
        .expect("clusters")
        .push(serde_json::json!({"name": "gone", "cluster": {"server": "http://127.0.0.1:1"}}));
    kubeconfig["contexts"]
        .as_array_mut()
        .expect("contexts")
        .push(serde_json::json!({"name": "gone", "context": {"cluster": "gone", "user": "opsdeck-sim"}}));
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, kubeconfig.to_string()).expect("kubeconfig written");
    Sim {
        running,
        _dir: dir,
        kubeconfig: path,
    }
}

impl Sim {
    fn source(&self, context: &str) -> KubernetesSource {
        source_for(&self.kubeconfig, context)
    }

    /// Moves the simulated world to `hh:mm` of the day (the clock stays frozen), and runs
    /// `then` on it in the same critical section.
    fn advance(&self, hh: u32, mm: u32, then: impl FnOnce(&mut opsdeck_sim::world::World)) {
        let mut world = self.running.live().advance_to(at(hh, mm));
        then(&mut world);
    }
}

fn source_for(kubeconfig: &Path, context: &str) -> KubernetesSource {
    let scenario = bundled_day();
    let targets: Vec<ServiceTarget> = scenario
        .services
        .iter()
        .filter_map(|s| {
            let k = s.kubernetes.as_ref()?;
            Some(ServiceTarget {
                service: s.name.clone(),
                namespace: k.namespace.clone(),
                deployment: k.deployment.clone(),
            })
        })
        .collect();
    KubernetesSource::new(KubernetesConfig {
        name: format!("kubernetes/{context}"),
        kubeconfig: Some(kubeconfig.to_path_buf()),
        context: context.into(),
        services: ServiceMap::new(&targets, scenario.services.iter().map(|s| s.name.clone())),
        timeout: StdDuration::from_secs(10),
    })
}

fn at(hh: u32, mm: u32) -> DateTime<Utc> {
    date().and_hms_opt(hh, mm, 0).expect("time").and_utc()
}

fn ctx(now: DateTime<Utc>) -> PollContext {
    PollContext {
        now,
        cursor: None,
        backfill: Duration::hours(24),
    }
}

async fn poll(source: &KubernetesSource, now: DateTime<Utc>) -> Vec<NewEntry> {
    source
        .poll(&ctx(now))
        .await
        .unwrap_or_else(|e| panic!("poll failed: {e}"))
        .entries
}

/// Polls whenever the source signals a change (at least every second) until `done` holds for
/// everything polled so far, or fails at the deadline.
async fn poll_until(
    source: &KubernetesSource,
    now: DateTime<Utc>,
    what: &str,
    done: impl Fn(&[NewEntry]) -> bool,
) -> Vec<NewEntry> {
    let changed = source.changed().expect("a watching source signals changes");
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut seen = Vec::new();
    loop {
        seen.extend(poll(source, now).await);
        if done(&seen) {
            return seen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no {what} within {DEADLINE:?}; got {:#?}",
            titles(&seen)
        );
        let _ = tokio::time::timeout(StdDuration::from_secs(1), changed.notified()).await;
    }
}

/// Waits until the watchers have made `n` complete lists.
async fn lists_reach(source: &KubernetesSource, n: u64) {
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while source.lists().await < n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "only {} of {n} lists within {DEADLINE:?}",
            source.lists().await
        );
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

fn titles(entries: &[NewEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| format!("{} {} [{}]", e.kind, e.title, e.external_id))
        .collect()
}

fn of_kind(entries: &[NewEntry], kind: EntryKind) -> Vec<&NewEntry> {
    entries.iter().filter(|e| e.kind == kind).collect()
}

#[tokio::test]
async fn the_first_list_tells_the_days_rollouts_and_warnings_with_their_services() {
    let sim = shared_day_at("19:30").await;
    let source = sim.source(CONTEXT);
    let entries = poll(&source, sim.running.now()).await;

    let rollouts = of_kind(&entries, EntryKind::Rollout);
    let payments: Vec<&str> = rollouts
        .iter()
        .filter(|e| e.service.as_deref() == Some("payments-api"))
        .map(|e| e.title.as_str())
        .collect();
    assert!(
        payments
            .iter()
            .any(|t| t.contains("ghcr.io/acme/payments-api:1.41.0 → 1.41.1")),
        "{payments:#?}"
    );
    assert!(
        payments.iter().any(|t| t.contains("rollout restart")),
        "the 11:52 restart: {payments:#?}"
    );
    assert!(rollouts
        .iter()
        .all(|e| matches!(e.status, Some(Status::Complete))));
    let dashboard = rollouts
        .iter()
        .find(|e| e.title.contains("2.7.3 → 2.8.0"))
        .unwrap_or_else(|| panic!("{:#?}", titles(&entries)));
    assert_eq!(dashboard.service.as_deref(), Some("user-dashboard"));
    assert_eq!(
        dashboard.started_at,
        at(14, 15),
        "the new ReplicaSet's creation"
    );

    let warnings = of_kind(&entries, EntryKind::K8sEvent);
    let backoff = warnings
        .iter()
        .find(|e| e.title.starts_with("BackOff on Pod/user-dashboard-"))
        .unwrap_or_else(|| panic!("{:#?}", titles(&entries)));
    assert_eq!(backoff.severity, Severity::Warning);
    assert_eq!(backoff.service.as_deref(), Some("user-dashboard"));
    assert_eq!(backoff.started_at, at(18, 31));
    // Normal events (the rotated secret) stay off the timeline.
    assert!(warnings.iter().all(|e| e.severity == Severity::Warning));
    // Every node is Ready again by 19:28: the first list has no node news.
    assert!(
        of_kind(&entries, EntryKind::Node).is_empty(),
        "{:#?}",
        titles(&entries)
    );
    // Ids are unique: one entry per thing.
    let mut ids: Vec<&str> = entries.iter().map(|e| e.external_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), entries.len());
}

#[tokio::test]
async fn scaling_and_node_changes_arrive_over_the_watch() {
    let sim = shared_day_at("05:50").await;
    let source = sim.source(CONTEXT);
    let now = sim.running.now();
    poll(&source, now).await;

    sim.advance(6, 5, |_| {});
    let seen = poll_until(&source, now, "scale entry", |e| {
        !of_kind(e, EntryKind::Scale).is_empty()
    })
    .await;
    let scale = of_kind(&seen, EntryKind::Scale);
    assert_eq!(scale.len(), 1, "{:#?}", titles(&seen));
    assert_eq!(scale[0].title, "payments-api scaled 3 → 6");
    assert_eq!(scale[0].service.as_deref(), Some("payments-api"));
    assert_eq!(scale[0].details["context"], CONTEXT);

    sim.advance(18, 26, |_| {});
    let seen = poll_until(&source, now, "node entries", |e| {
        of_kind(e, EntryKind::Node).len() >= 3
    })
    .await;
    let node: Vec<(Option<Status>, &str)> = of_kind(&seen, EntryKind::Node)
        .iter()
        .map(|e| (e.status, e.title.as_str()))
        .collect();
    assert_eq!(
        node,
        [
            (
                Some(Status::Cordoned),
                "Node ip-10-0-1-11 cordoned (prod-eu)"
            ),
            (
                Some(Status::NotReady),
                "Node ip-10-0-1-11 NotReady (prod-eu)"
            ),
            (
                Some(Status::Ready),
                "Node ip-10-0-1-11 Ready again (prod-eu)"
            ),
        ]
    );
    let not_ready = of_kind(&seen, EntryKind::Node)[1];
    assert_eq!(
        not_ready.started_at,
        at(18, 2),
        "the Ready condition's own time"
    );
    assert_eq!(not_ready.severity, Severity::Warning);
}

#[tokio::test]
async fn a_relist_after_410_or_a_cut_stream_repeats_nothing() {
    let sim = shared_day_at("05:50").await;
    let source = sim.source(CONTEXT);
    let now = sim.running.now();
    let first = poll(&source, now).await;
    lists_reach(&source, 5).await;

    // The scale lands and the history is compacted at once: every open watch is behind the
    // compaction, gets 410 Expired, and the watchers list everything again.
    sim.advance(6, 5, |world| {
        assert!(world.compact_kubernetes(CONTEXT));
    });
    lists_reach(&source, 10).await;
    let after = poll(&source, now).await;
    let scale = of_kind(&after, EntryKind::Scale);
    assert_eq!(scale.len(), 1, "{:#?}", titles(&after));
    assert_eq!(scale[0].title, "payments-api scaled 3 → 6");
    let known: Vec<&str> = first.iter().map(|e| e.external_id.as_str()).collect();
    let new: Vec<&NewEntry> = after
        .iter()
        .filter(|e| !known.contains(&e.external_id.as_str()))
        .collect();
    assert_eq!(new.len(), 1, "only the scale is new: {:#?}", titles(&after));

    // A cut stream is watched again from where it was: the next change comes once, and
    // nothing before it comes again.
    for server in &sim.running.kubernetes {
        server.cut_watches();
    }
    sim.advance(8, 46, |_| {});
    let deploy = poll_until(&source, now, "the 08:45 rollout", |e| {
        e.iter().any(|e| e.title.contains("1.41.0 → 1.41.1"))
    })
    .await;
    let known: Vec<&str> = first
        .iter()
        .chain(&after)
        .map(|e| e.external_id.as_str())
        .collect();
    let new: Vec<&NewEntry> = deploy
        .iter()
        .filter(|e| !known.contains(&e.external_id.as_str()))
        .collect();
    assert_eq!(
        new.len(),
        1,
        "only the rollout is new: {:#?}",
        titles(&deploy)
    );
    assert_eq!(new[0].kind, EntryKind::Rollout);
    assert_eq!(new[0].started_at, at(8, 45));
}

#[tokio::test]
async fn an_unreachable_context_fails_with_its_server_while_another_works() {
    let sim = shared_day_at("19:30").await;
    let gone = sim.source("gone");
    let err = gone
        .poll(&ctx(sim.running.now()))
        .await
        .expect_err("nothing listens on port 1");
    assert!(matches!(err, SourceError::Connect { .. }), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("http://127.0.0.1:1"), "{text}");
    assert!(text.contains("Kubernetes"), "{text}");
    assert!(
        !text.contains("sim-token"),
        "no credentials in errors: {text}"
    );

    let working = sim.source(CONTEXT);
    assert!(!poll(&working, sim.running.now()).await.is_empty());

    let unknown = sim.source("staging");
    let err = unknown
        .poll(&ctx(sim.running.now()))
        .await
        .expect_err("no such context");
    let text = err.to_string();
    assert!(text.contains("\"staging\""), "{text}");
    assert!(
        text.contains("prod-eu, gone"),
        "names the contexts there are: {text}"
    );
}
