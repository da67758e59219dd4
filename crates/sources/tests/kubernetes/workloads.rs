//! The workload view from the watchers' model, and a pod's last log lines read from the
//! simulated cluster (tailLines and limitBytes as the API server honours them).

use opsdeck_sources::SourceError;

use super::{at, lists_reach, poll, shared_day_at};

#[tokio::test]
async fn a_service_shows_its_deployment_revisions_and_pod_logs() {
    let sim = shared_day_at("10:00").await;
    let source = sim.source(super::CONTEXT);
    let before = source
        .workloads("payments-api")
        .await
        .expect_err("nothing is listed before the first poll");
    assert!(before.contains("not read yet"), "{before}");

    poll(&source, at(10, 0)).await;
    lists_reach(&source, 5).await;
    let (list, problem) = source.workloads("payments-api").await.expect("synced");
    assert_eq!(problem, None);
    assert_eq!(list.len(), 1, "{list:#?}");
    let w = &list[0];
    assert_eq!(w.target, "prod-eu/payments/payments-api");
    assert_eq!(
        (w.desired, w.ready, w.updated),
        (6, 6, 6),
        "scaled at 06:04"
    );
    assert_eq!(w.progress, "complete");
    assert_eq!(w.images, ["ghcr.io/acme/payments-api:1.41.1"]);
    let history: Vec<(i64, &str, bool)> = w
        .revisions
        .iter()
        .map(|r| (r.revision, r.images[0].as_str(), r.current))
        .collect();
    assert_eq!(
        history,
        [
            (2, "ghcr.io/acme/payments-api:1.41.1", true),
            (1, "ghcr.io/acme/payments-api:1.41.0", false),
        ],
        "newest first, the deployed one marked"
    );
    assert!(w.unhealthy_pods.is_empty(), "{:#?}", w.unhealthy_pods);
    assert_eq!(w.pod_count, 6);
    assert_eq!(w.healthy_pods.len(), 6, "{:?}", w.healthy_pods);
    assert!(
        w.events.iter().any(|e| e.reason == "ScalingReplicaSet"),
        "{:#?}",
        w.events
    );
    assert!(!w.stale);

    let (none, _) = source.workloads("orders-db").await.expect("synced");
    assert!(none.is_empty(), "orders-db runs no Deployment: {none:#?}");

    // A pod of the current revision: its log's last 5 lines, then a byte limit.
    let pod = {
        let world = sim.running.live().advance();
        let cluster = world.kubernetes().cluster("prod-eu").expect("cluster");
        cluster
            .pods
            .values()
            .find(|p| {
                p.image.ends_with(":1.41.1") && p.meta.namespace.as_deref() == Some("payments")
            })
            .map(|p| p.meta.name.clone())
            .expect("a pod of 1.41.1")
    };
    assert!(w.healthy_pods.contains(&pod), "{pod} listed for its log");
    let logs = source
        .pod_logs("payments", &pod, 5)
        .await
        .expect("the log is read");
    assert_eq!(logs.lines.len(), 5, "{:#?}", logs.lines);
    assert!(logs.truncated, "the pod has run for more than 5 minutes");
    assert!(
        logs.lines.iter().all(|l| l.contains("payments-api 1.41.1")),
        "{:#?}",
        logs.lines
    );
    assert!(
        logs.lines[4].starts_with("2026-05-04T10:00:00Z"),
        "{}",
        logs.lines[4]
    );

    let missing = source
        .pod_logs("payments", "payments-api-nope", 5)
        .await
        .expect_err("no such pod");
    assert!(
        matches!(
            missing,
            SourceError::NotFound { .. } | SourceError::Rejected { .. }
        ),
        "{missing:?}"
    );
    assert!(
        missing.to_string().contains("payments-api-nope"),
        "{missing}"
    );
}

#[tokio::test]
async fn an_unreachable_context_has_no_workloads_but_says_why() {
    let sim = shared_day_at("10:00").await;
    let gone = sim.source("gone");
    let _ = opsdeck_sources::Source::poll(&gone, &super::ctx(at(10, 0))).await;
    let problem = gone
        .workloads("payments-api")
        .await
        .expect_err("never listed");
    assert!(problem.contains("kubernetes/gone"), "{problem}");
    let logs = gone
        .pod_logs("payments", "payments-api-x", 5)
        .await
        .expect_err("no server");
    assert!(logs.to_string().contains("127.0.0.1:1"), "{logs}");
}
