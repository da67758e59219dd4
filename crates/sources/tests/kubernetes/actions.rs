//! Actions on the simulated cluster: each plan states current → new in its context and
//! namespace; each execution lands in the cluster as kubectl's would and comes back over the
//! watch as a timeline entry.

use opsdeck_domain::{ActionKind, ActionRequest, EntryKind, Risk, Status};
use opsdeck_sources::{ActionContext, ActionError, Source};

use super::*;

fn request(kind: ActionKind, target: &str, params: &[(&str, &str)]) -> ActionRequest {
    ActionRequest {
        kind,
        target: target.into(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn action_ctx(sim: &Sim) -> ActionContext {
    ActionContext {
        now: sim.running.now(),
        me: Some("sam.okafor@example.test".into()),
    }
}

const PAYMENTS: &str = "prod-eu/payments/payments-api";

/// The payments-api Deployment as the simulated cluster holds it: replicas, image, template
/// annotations.
fn payments(sim: &Sim) -> (u32, String, Vec<String>) {
    let world = sim.running.live().advance();
    let d = &world
        .kubernetes()
        .cluster(CONTEXT)
        .expect("cluster")
        .deployments[&("payments".to_string(), "payments-api".to_string())];
    (
        d.replicas,
        d.template.image.clone(),
        d.template.annotations.keys().cloned().collect(),
    )
}

#[tokio::test]
async fn scale_restart_and_rollback_land_and_come_back_over_the_watch() {
    let sim = shared_day_at("05:50").await;
    let source = sim.source(CONTEXT);
    let now = sim.running.now();
    poll(&source, now).await;
    let ctx = action_ctx(&sim);

    let scale = request(ActionKind::KubernetesScale, PAYMENTS, &[("replicas", "6")]);
    let effect = source.plan_action(&scale, &ctx).await.expect("plan");
    assert_eq!(
        effect.summary,
        "Scale deployment payments/payments-api: 3 → 6 replicas"
    );
    assert_eq!(
        effect.environment,
        "Kubernetes context prod-eu, namespace payments"
    );
    assert_eq!(
        effect.target_name, "prod-eu",
        "type-to-confirm types the context"
    );
    assert_eq!(effect.service.as_deref(), Some("payments-api"));
    assert_eq!(effect.risk, Risk::Medium);
    source.execute_action(&scale, &ctx).await.expect("scaled");
    assert_eq!(payments(&sim).0, 6);
    poll_until(&source, now, "the scale entry", |e| {
        e.iter().any(|e| e.title == "payments-api scaled 3 → 6")
    })
    .await;

    let restart = request(ActionKind::KubernetesRestart, PAYMENTS, &[]);
    let effect = source.plan_action(&restart, &ctx).await.expect("plan");
    assert!(
        effect.summary.contains("6 pods are replaced"),
        "{}",
        effect.summary
    );
    source
        .execute_action(&restart, &ctx)
        .await
        .expect("restarted");
    let (_, image, annotations) = payments(&sim);
    assert_eq!(image, "ghcr.io/acme/payments-api:1.41.0");
    assert!(
        annotations.contains(&"kubectl.kubernetes.io/restartedAt".to_string()),
        "{annotations:?}"
    );
    let seen = poll_until(&source, now, "the restart's rollout", |e| {
        e.iter()
            .any(|e| e.title == "payments-api rollout restart (revision 2)")
    })
    .await;
    assert!(seen
        .iter()
        .filter(|e| e.kind == EntryKind::Rollout)
        .all(|e| e.status == Some(Status::Complete)));

    // Back to revision 1: its template (no restartedAt), replicas stay at 6.
    let rollback = request(ActionKind::KubernetesRollback, PAYMENTS, &[]);
    let effect = source.plan_action(&rollback, &ctx).await.expect("plan");
    assert_eq!(
        effect.summary,
        "Roll back deployment payments/payments-api from revision 2 to revision 1"
    );
    assert_eq!(effect.risk, Risk::High);
    assert!(
        effect
            .details
            .iter()
            .any(|d| d.contains("replicas do not revert: they stay at 6")),
        "{:?}",
        effect.details
    );
    source
        .execute_action(&rollback, &ctx)
        .await
        .expect("rolled back");
    let (replicas, image, annotations) = payments(&sim);
    assert_eq!(replicas, 6);
    assert_eq!(image, "ghcr.io/acme/payments-api:1.41.0");
    assert!(
        annotations.is_empty(),
        "revision 1's template: {annotations:?}"
    );
    poll_until(&source, now, "the rollback's rollout", |e| {
        e.iter()
            .any(|e| e.title == "payments-api rolled back (revision 3)")
    })
    .await;
}

#[tokio::test]
async fn a_rollback_shows_the_image_it_goes_back_to() {
    let sim = shared_day_at("12:00").await;
    let source = sim.source(CONTEXT);
    let ctx = action_ctx(&sim);
    let rollback = request(
        ActionKind::KubernetesRollback,
        PAYMENTS,
        &[("to_revision", "1")],
    );
    let effect = source.plan_action(&rollback, &ctx).await.expect("plan");
    assert!(
        effect.details.iter().any(|d| d
            == "image of payments-api: ghcr.io/acme/payments-api:1.41.1 → ghcr.io/acme/payments-api:1.41.0"),
        "{:?}",
        effect.details
    );
    let err = source
        .plan_action(
            &request(
                ActionKind::KubernetesRollback,
                PAYMENTS,
                &[("to_revision", "9")],
            ),
            &ctx,
        )
        .await
        .expect_err("no revision 9");
    assert!(err.is_bad_input());
    assert!(err.to_string().contains("it has: 1, 2, 3"), "{err}");
}

#[tokio::test]
async fn cordon_and_uncordon_a_node() {
    let sim = shared_day_at("17:00").await;
    let source = sim.source(CONTEXT);
    let now = sim.running.now();
    poll(&source, now).await;
    let ctx = action_ctx(&sim);
    let node = "prod-eu/ip-10-0-1-12";

    let cordon = request(ActionKind::KubernetesCordon, node, &[]);
    let effect = source.plan_action(&cordon, &ctx).await.expect("plan");
    assert!(
        effect.summary.starts_with("Cordon node ip-10-0-1-12"),
        "{}",
        effect.summary
    );
    assert_eq!(effect.environment, "Kubernetes context prod-eu");
    source
        .execute_action(&cordon, &ctx)
        .await
        .expect("cordoned");
    poll_until(&source, now, "the cordon", |e| {
        e.iter().any(|e| e.status == Some(Status::Cordoned))
    })
    .await;
    let again = source
        .plan_action(&cordon, &ctx)
        .await
        .expect_err("already");
    assert!(again.to_string().contains("already cordoned"), "{again}");

    let uncordon = request(ActionKind::KubernetesUncordon, node, &[]);
    source.plan_action(&uncordon, &ctx).await.expect("plan");
    source
        .execute_action(&uncordon, &ctx)
        .await
        .expect("uncordoned");
    poll_until(&source, now, "the uncordon", |e| {
        e.iter()
            .any(|e| e.title == "Node ip-10-0-1-12 uncordoned (prod-eu)")
    })
    .await;
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_sent() {
    let sim = shared_day_at("05:50").await;
    let source = sim.source(CONTEXT);
    let ctx = action_ctx(&sim);
    let cases = [
        (
            request(
                ActionKind::KubernetesScale,
                "payments/payments-api",
                &[("replicas", "6")],
            ),
            "context/namespace/deployment",
        ),
        (
            request(
                ActionKind::KubernetesScale,
                "prod-us/payments/payments-api",
                &[("replicas", "6")],
            ),
            "this source watches \"prod-eu\"",
        ),
        (
            request(ActionKind::KubernetesScale, PAYMENTS, &[]),
            "needs `replicas=…`",
        ),
        (
            request(
                ActionKind::KubernetesScale,
                PAYMENTS,
                &[("replicas", "60000")],
            ),
            "from 0 to 1000",
        ),
        (
            request(ActionKind::KubernetesScale, PAYMENTS, &[("replicas", "3")]),
            "already has 3 replicas",
        ),
        (
            request(
                ActionKind::KubernetesRestart,
                PAYMENTS,
                &[("replicas", "3")],
            ),
            "does not take `replicas`",
        ),
        (
            request(ActionKind::KubernetesRollback, PAYMENTS, &[]),
            "no revision before 1",
        ),
        (
            request(
                ActionKind::KubernetesCordon,
                "prod-eu/payments/payments-api",
                &[],
            ),
            "context/node",
        ),
        (
            request(
                ActionKind::KubernetesScale,
                "prod-eu/payments/nope",
                &[("replicas", "2")],
            ),
            "not found",
        ),
    ];
    for (req, says) in cases {
        let err: ActionError = source.plan_action(&req, &ctx).await.expect_err("refused");
        assert!(err.is_bad_input(), "{req:?}: {err:?}");
        assert!(err.to_string().contains(says), "{req:?}: {err}");
    }
    assert_eq!(payments(&sim).0, 3, "nothing changed");
}
