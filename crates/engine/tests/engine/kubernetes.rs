//! Kubernetes through the Cockpit: an action from the command layer the UI calls reaches the
//! simulated cluster and comes back over the watch onto the timeline; protection per context
//! (type-to-confirm types the context, read-only refuses); an unreachable context fails on its
//! own health while the other keeps working; the workload view and pod logs by context.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use opsdeck_domain::{
    ActionKind, ActionResult, EntryKind, HealthState, Protection, Refusal, SourceKind,
};
use opsdeck_engine::config::{KubernetesTarget, ServiceConfig, SourceConfig};
use opsdeck_engine::{ActionFailure, Cockpit};
use opsdeck_sim::run::RunningSim;

use crate::harness::{config_for, day, health_of, request, sim, Home, Recorder};

const PAYMENTS: &str = "prod-eu/payments/payments-api";

/// The simulator's kubeconfig plus a context `gone` whose server does not listen.
fn kubeconfig(running: &RunningSim, dir: &Path) -> std::path::PathBuf {
    let mut k = running.kubeconfig("sim-token").expect("clusters");
    k["clusters"]
        .as_array_mut()
        .expect("clusters")
        .push(serde_json::json!({"name": "gone", "cluster": {"server": "http://127.0.0.1:1"}}));
    k["contexts"].as_array_mut().expect("contexts").push(
        serde_json::json!({"name": "gone", "context": {"cluster": "gone", "user": "opsdeck-sim"}}),
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, k.to_string()).expect("kubeconfig written");
    path
}

fn context_source(kubeconfig: &Path, context: &str, protection: Protection) -> SourceConfig {
    let mut s = SourceConfig::new(SourceKind::Kubernetes, "");
    s.url = None;
    s.name = Some(format!("k8s-{context}"));
    s.kubeconfig = Some(kubeconfig.to_path_buf());
    s.context = Some(context.into());
    s.protection = protection;
    s.timeout = Duration::from_secs(5);
    s
}

async fn cockpit(home: &Home, protection: Protection) -> (RunningSim, Cockpit) {
    let running = sim("05:50", 0.0).await;
    let kubeconfig = kubeconfig(&running, home.dir.path());
    let mut config = config_for(
        &running,
        vec![
            context_source(&kubeconfig, "prod-eu", protection),
            context_source(&kubeconfig, "gone", Protection::Confirm),
        ],
    );
    config.services = vec![ServiceConfig {
        name: "payments-api".into(),
        pagerduty: None,
        kubernetes: Some(KubernetesTarget {
            context: "prod-eu".into(),
            namespace: "payments".into(),
            deployment: "payments-api".into(),
        }),
        github: None,
        prometheus: None,
    }];
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    (running, cockpit)
}

#[tokio::test]
async fn scale_from_the_command_layer_comes_back_over_the_watch() {
    let home = Home::new();
    let (running, cockpit) = cockpit(&home, Protection::TypeToConfirm).await;
    cockpit.sync_once().await;

    let plan = cockpit
        .plan_action(request(
            ActionKind::KubernetesScale,
            PAYMENTS,
            &[("replicas", "6")],
        ))
        .await
        .expect("plan");
    assert_eq!(plan.source, "k8s-prod-eu", "routed by the target's context");
    assert_eq!(plan.type_to_confirm.as_deref(), Some("prod-eu"));
    assert!(plan.environment.contains("prod-eu") && plan.environment.contains("payments"));
    let refused = cockpit
        .confirm_action(&plan.token, Some("payments-api"))
        .await
        .expect_err("the context must be typed");
    assert!(matches!(
        refused,
        ActionFailure::Refused(Refusal::TypeToConfirm { .. })
    ));
    let outcome = cockpit
        .confirm_action(&plan.token, Some("prod-eu"))
        .await
        .expect("confirmed");
    assert_eq!(
        outcome.result,
        ActionResult::Succeeded,
        "{}",
        outcome.message
    );

    let deadline = Instant::now() + Duration::from_secs(20);
    let scale = loop {
        if let Some(e) = day(&cockpit)
            .into_iter()
            .find(|e| e.kind == EntryKind::Scale)
        {
            break e;
        }
        assert!(Instant::now() < deadline, "no scale entry on the timeline");
        cockpit.sync_once().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(scale.title, "payments-api scaled 3 → 6");
    assert_eq!(scale.service.as_deref(), Some("payments-api"));
    assert_eq!(scale.source, SourceKind::Kubernetes);
    running.stop().await;
}

#[tokio::test]
async fn a_read_only_context_refuses_and_an_unreachable_one_fails_alone() {
    let home = Home::new();
    let (running, cockpit) = cockpit(&home, Protection::ReadOnly).await;
    let syncs = cockpit.sync_once().await;
    let result = |name: &str| {
        syncs
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.result.clone())
            .expect("synced")
    };
    assert!(result("k8s-prod-eu").is_ok());
    let gone = result("k8s-gone").expect_err("port 1 refuses");
    assert!(gone.contains("http://127.0.0.1:1"), "{gone}");
    assert_eq!(health_of(&cockpit, "k8s-prod-eu").state, HealthState::Ok);
    assert_eq!(health_of(&cockpit, "k8s-gone").state, HealthState::Error);

    let refused = cockpit
        .plan_action(request(
            ActionKind::KubernetesScale,
            PAYMENTS,
            &[("replicas", "6")],
        ))
        .await
        .expect_err("read-only");
    assert!(
        matches!(refused, ActionFailure::Refused(Refusal::ReadOnly { .. })),
        "{refused}"
    );
    let nowhere = cockpit
        .plan_action(request(
            ActionKind::KubernetesRestart,
            "staging/payments/payments-api",
            &[],
        ))
        .await
        .expect_err("no such context");
    assert!(nowhere.is_bad_input());
    assert!(
        nowhere.to_string().contains("prod-eu, gone"),
        "names the configured contexts: {nowhere}"
    );

    // The workload view: prod-eu's Deployment, and the unreachable context in words.
    let view = cockpit.workloads("payments-api").await;
    assert_eq!(view.workloads.len(), 1, "{view:#?}");
    assert_eq!(view.workloads[0].target, PAYMENTS);
    assert_eq!(view.workloads[0].desired, 3, "scaled only at 06:04");
    assert!(
        view.problems.iter().any(|p| p.starts_with("k8s-gone: ")),
        "{:?}",
        view.problems
    );
    let pod = {
        let world = running.live().advance();
        let cluster = world.kubernetes().cluster("prod-eu").expect("cluster");
        let pod = cluster
            .pods
            .values()
            .find(|p| p.meta.namespace.as_deref() == Some("payments"))
            .expect("a payments pod");
        pod.meta.name.clone()
    };
    let logs = cockpit
        .pod_logs("prod-eu", "payments", &pod, 20)
        .await
        .expect("read");
    assert_eq!(logs.lines.len(), 20);
    assert_eq!(logs.pod, pod);
    let elsewhere = cockpit
        .pod_logs("staging", "payments", &pod, 20)
        .await
        .expect_err("no such context");
    assert!(
        elsewhere.to_string().contains("prod-eu, gone"),
        "{elsewhere}"
    );
    running.stop().await;
}
