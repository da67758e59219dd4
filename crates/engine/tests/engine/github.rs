//! GitHub through the Cockpit: the day's runs and deployments reach the timeline with their
//! services and the source's health carries GitHub's rate limit; a re-run of failed jobs from
//! the command layer comes back on the next sync; approving a deployment needs the repository
//! typed even on a `confirm` source.

use std::sync::Arc;

use opsdeck_domain::{
    ActionKind, ActionResult, EntryKind, HealthState, Refusal, SourceKind, Status,
};
use opsdeck_engine::config::{ServiceConfig, SourceConfig};
use opsdeck_engine::{ActionFailure, Cockpit};
use opsdeck_sim::run::RunningSim;

use crate::harness::{config_for, day, health_of, request, sim, Home, Recorder};

async fn cockpit(home: &Home) -> (RunningSim, Cockpit) {
    let running = sim("17:00", 0.0).await;
    let mut github = SourceConfig::new(SourceKind::Github, running.url("github").expect("github"));
    github.token = Some("sim-token".into());
    github.repos = vec!["acme/user-dashboard".into()];
    let mut config = config_for(&running, vec![github]);
    config.services = vec![ServiceConfig {
        name: "payments-api".into(),
        pagerduty: None,
        kubernetes: None,
        github: Some("acme/payments-api".into()),
        prometheus: None,
    }];
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    (running, cockpit)
}

#[tokio::test]
async fn runs_reach_the_timeline_and_a_rerun_comes_back() {
    let home = Home::new();
    let (running, cockpit) = cockpit(&home).await;
    let syncs = cockpit.sync_once().await;
    assert!(syncs.iter().all(|s| s.result.is_ok()), "{syncs:?}");

    let entries = day(&cockpit);
    let run = |id: &str| {
        entries
            .iter()
            .find(|e| {
                e.source == SourceKind::Github && e.kind == EntryKind::CiRun && e.external_id == id
            })
            .cloned()
            .unwrap_or_else(|| panic!("no run {id}"))
    };
    let failed = run("9011");
    assert_eq!(failed.status, Some(Status::Failure));
    assert_eq!(
        failed.service.as_deref(),
        Some("payments-api"),
        "from [[services]] github"
    );
    assert_eq!(
        run("9010").service,
        None,
        "a repo from `repos` maps to no service"
    );
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.source == SourceKind::Github && e.kind == EntryKind::Deployment)
            .count(),
        2
    );
    let health = health_of(&cockpit, "github");
    assert_eq!(health.state, HealthState::Ok);
    assert_eq!(
        health.vendor_limit,
        Some(5000),
        "GitHub's rate limit is shown"
    );
    assert!(
        health.vendor_remaining.is_some_and(|r| r < 5000),
        "{health:?}"
    );
    assert!(
        health
            .message
            .as_deref()
            .is_some_and(|m| m.contains("5000")),
        "{:?}",
        health.message
    );

    let plan = cockpit
        .plan_action(request(
            ActionKind::GithubRerunFailed,
            "acme/payments-api/9011",
            &[],
        ))
        .await
        .expect("plan");
    assert_eq!(plan.type_to_confirm, None, "a confirm source");
    assert_eq!(plan.environment, "GitHub repository acme/payments-api");
    let outcome = cockpit
        .confirm_action(&plan.token, None)
        .await
        .expect("confirmed");
    assert_eq!(
        outcome.result,
        ActionResult::Succeeded,
        "{}",
        outcome.message
    );
    cockpit.sync_once().await;
    let rerun = day(&cockpit)
        .into_iter()
        .find(|e| e.kind == EntryKind::CiRun && e.external_id == "9011")
        .expect("still one entry");
    assert_eq!(rerun.status, Some(Status::InProgress));
    assert_eq!(rerun.id, failed.id, "updated in place");

    // A deployment waiting for a reviewer: approving it always needs the repository typed.
    {
        let mut world = running.live().advance();
        let now = running.live().now();
        world
            .rerun_workflow_run("acme/payments-api", 9003, now)
            .expect("re-run");
        world
            .wait_for_approval("acme/payments-api", 9003, "production", now)
            .expect("waits");
    }
    let plan = cockpit
        .plan_action(request(
            ActionKind::GithubApproveDeployment,
            "acme/payments-api/9003",
            &[("comment", "hotfix verified on staging")],
        ))
        .await
        .expect("plan");
    assert_eq!(plan.type_to_confirm.as_deref(), Some("acme/payments-api"));
    let refused = cockpit
        .confirm_action(&plan.token, None)
        .await
        .expect_err("must be typed");
    assert!(
        matches!(
            refused,
            ActionFailure::Refused(Refusal::TypeToConfirm { .. })
        ),
        "{refused}"
    );
    let approved = cockpit
        .confirm_action(&plan.token, Some("acme/payments-api"))
        .await
        .expect("typed");
    assert_eq!(
        approved.result,
        ActionResult::Succeeded,
        "{}",
        approved.message
    );
    running.stop().await;
}
