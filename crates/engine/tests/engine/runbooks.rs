//! Runbooks through the Cockpit: the day's alerts and page link to the shipped runbooks (and
//! say why), a run started on an alert is ticked, skipped with a reason and noted, its scale
//! step's action is planned from the step (filled from the alert's service), confirmed against
//! the simulated cluster, and its outcome lands on the step; every step event is on the
//! timeline; a run survives a restart of the cockpit.

use std::sync::Arc;
use std::time::Duration;

use opsdeck_domain::{ActionResult, EntryKind, RunEventKind, SourceKind, StepState};
use opsdeck_engine::config::{KubernetesTarget, ServiceConfig, SourceConfig};
use opsdeck_engine::runbooks::RunbookError;
use opsdeck_engine::{Cockpit, StepPlanError};
use opsdeck_sim::run::RunningSim;

use crate::harness::{config_for, day, pagerduty_source, sim, Home, Recorder};

fn open(home: &Home, running: &RunningSim) -> Cockpit {
    let folder = home.dir.path().join("runbooks");
    opsdeck_sim::demo_runbooks::write_demo_runbooks(&folder).expect("runbooks written");
    let kubeconfig = home.dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        running
            .kubeconfig("sim-token")
            .expect("clusters")
            .to_string(),
    )
    .expect("kubeconfig written");
    let mut k8s = SourceConfig::new(SourceKind::Kubernetes, "");
    k8s.url = None;
    k8s.name = Some("k8s-prod-eu".into());
    k8s.kubeconfig = Some(kubeconfig);
    k8s.context = Some("prod-eu".into());
    let am = SourceConfig::new(
        SourceKind::Alertmanager,
        running.url("alertmanager").expect("alertmanager"),
    );
    let pd = pagerduty_source(
        "pagerduty",
        running.url("pagerduty").expect("pagerduty"),
        Duration::from_secs(5),
    );
    let mut config = config_for(running, vec![pd, am, k8s]);
    config.runbooks.folders = vec![folder];
    config.services = vec![ServiceConfig {
        name: "payments-api".into(),
        pagerduty: Some("PPAYAPI".into()),
        kubernetes: Some(KubernetesTarget {
            context: "prod-eu".into(),
            namespace: "payments".into(),
            deployment: "payments-api".into(),
        }),
        github: None,
        prometheus: None,
    }];
    home.open(&config, Arc::new(Recorder::default()))
}

#[tokio::test]
async fn a_run_on_an_alert_ticks_skips_and_runs_its_scale_step() {
    let home = Home::new();
    let running = sim("05:50", 0.0).await;
    let cockpit = open(&home, &running);
    let syncs = cockpit.sync_once().await;
    assert!(syncs.iter().all(|s| s.result.is_ok()), "{syncs:?}");

    let library = cockpit.runbook_library();
    assert_eq!(library.runbooks.len(), 4, "{library:?}");
    assert!(library.problems.is_empty(), "{:?}", library.problems);

    let entries = day(&cockpit);
    let alert = entries
        .iter()
        .find(|e| e.kind == EntryKind::Alert && e.title.starts_with("DBConnectionPoolExhausted"))
        .expect("the pool alert");
    let linked = cockpit.entry_runbooks(&alert.id).expect("linked");
    let first = &linked.linked[0];
    assert_eq!(
        (first.slug.as_str(), first.reason.as_str()),
        ("connection-pool", "alias")
    );
    assert!(
        linked
            .linked
            .iter()
            .any(|l| l.slug == "api-latency" && l.reason == "service"),
        "{linked:?}"
    );
    assert_eq!(linked.unmatched_url, None);
    let page = entries
        .iter()
        .find(|e| e.kind == EntryKind::Page)
        .expect("the page");
    let by_service: Vec<String> = cockpit
        .entry_runbooks(&page.id)
        .expect("linked")
        .linked
        .into_iter()
        .map(|l| l.slug)
        .collect();
    assert!(
        by_service.contains(&"api-latency".to_string()),
        "{by_service:?}"
    );

    let view = cockpit
        .runbook("connection-pool", Some(&alert.id))
        .expect("the runbook");
    assert!(view.html.contains("<li data-step=\"0\">"));
    let scale = view
        .steps
        .iter()
        .find(|s| {
            s.action
                .as_deref()
                .is_some_and(|a| a.starts_with("kubernetes.scale"))
        })
        .expect("a scale step");
    assert_eq!(
        scale.action.as_deref(),
        Some("kubernetes.scale payments-api replicas=6")
    );
    assert_eq!(scale.problem, None, "its service maps to a workload");

    let run = cockpit
        .start_run("connection-pool", Some(&alert.id))
        .expect("started");
    assert_eq!((run.total, run.done), (6, 0));
    cockpit
        .record_step(&run.id, RunEventKind::Tick, Some(0), None)
        .expect("ticked");
    let no_reason = cockpit
        .record_step(&run.id, RunEventKind::Skip, Some(1), Some("  ".into()))
        .expect_err("a skip says why");
    assert!(
        matches!(no_reason, RunbookError::NeedsText { .. }),
        "{no_reason}"
    );
    cockpit
        .record_step(
            &run.id,
            RunEventKind::Skip,
            Some(1),
            Some("no deploy since Friday".into()),
        )
        .expect("skipped");
    cockpit
        .record_step(
            &run.id,
            RunEventKind::Note,
            Some(0),
            Some("3 transactions over 2 min".into()),
        )
        .expect("noted");
    let beyond = cockpit
        .record_step(&run.id, RunEventKind::Tick, Some(99), None)
        .expect_err("no such step");
    assert!(beyond.to_string().contains("has no step 99"), "{beyond}");

    let plan = cockpit
        .plan_step(&run.id, scale.index)
        .await
        .expect("planned from the step");
    assert_eq!(
        plan.summary,
        "Scale deployment payments/payments-api: 3 → 6 replicas"
    );
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
    let after = cockpit.run(&run.id).expect("the run");
    let step = &after.steps[scale.index as usize];
    assert_eq!(step.state, StepState::Done, "its action succeeded");
    assert_eq!(step.action_ok, Some(true));
    assert_eq!(step.action_id.as_deref(), Some(plan.action_id.as_str()));
    assert_eq!((after.done, after.skipped), (2, 1));

    let no_action = cockpit
        .plan_step(&run.id, 0)
        .await
        .expect_err("a command step");
    assert!(
        matches!(
            no_action,
            StepPlanError::Runbook(RunbookError::NoAction { .. })
        ),
        "{no_action}"
    );

    let steps: Vec<String> = day(&cockpit)
        .into_iter()
        .filter(|e| e.kind == EntryKind::RunbookStep)
        .map(|e| {
            assert_eq!(e.service.as_deref(), Some("payments-api"), "{}", e.title);
            e.title
        })
        .collect();
    assert_eq!(steps.len(), 4, "tick, skip, note, action: {steps:#?}");
    assert!(
        steps
            .iter()
            .any(|t| t.starts_with("connection-pool ⤼ skipped step 2")),
        "{steps:#?}"
    );

    assert_eq!(
        cockpit.run_patch(&run.id).expect("read"),
        None,
        "no edits yet"
    );
    cockpit
        .record_step(
            &run.id,
            RunEventKind::Suggest,
            Some(5),
            Some("Alert on pool usage at 70 %, with 10 minutes to act".into()),
        )
        .expect("suggested");
    let patch = cockpit.run_patch(&run.id).expect("read").expect("an edit");
    assert!(patch.starts_with("--- a/connection-pool.md\n"), "{patch}");
    assert!(
        patch.contains("+- [ ] Alert on pool usage at 70 %, with 10 minutes to act\n"),
        "{patch}"
    );
    cockpit
        .record_step(&run.id, RunEventKind::End, None, None)
        .expect("ended");
    let ended = cockpit
        .record_step(&run.id, RunEventKind::Tick, Some(4), None)
        .expect_err("ended");
    assert!(matches!(ended, RunbookError::Ended(_)));
    drop(cockpit);

    // A restart keeps the run and its log.
    let again = open(&home, &running);
    let runs = again.runs_of_entry(&alert.id).expect("runs");
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0].steps[1].skip_reason.as_deref(),
        Some("no deploy since Friday")
    );
    assert!(runs[0].ended_at.is_some());
    let unknown = again.start_run("nope", None).expect_err("no such runbook");
    assert!(
        unknown.to_string().contains("api-latency, connection-pool"),
        "{unknown}"
    );

    // A step whose action aims at a workload that is not there: a clear refusal at the plan.
    std::fs::write(
        home.dir.path().join("runbooks/ghost.md"),
        "---\nservices: [payments-api]\n---\n- [ ] Scale the ghost\n\n  ```opsdeck\n  \
         action: kubernetes.scale\n  target: prod-eu/payments/ghost\n  replicas: 2\n  ```\n",
    )
    .expect("written");
    let ghost = again
        .start_run("ghost", None)
        .expect("re-read: the new file is there");
    let refused = again
        .plan_step(&ghost.id, 0)
        .await
        .expect_err("no such deployment");
    match &refused {
        StepPlanError::Action(e) => assert!(e.is_bad_input(), "{e}"),
        other => panic!("not the cluster's refusal: {other}"),
    }
    assert!(refused.to_string().contains("ghost"), "{refused}");
    running.stop().await;
}
