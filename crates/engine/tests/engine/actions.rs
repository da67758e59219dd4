//! Two-phase actions through the Cockpit against the simulated PagerDuty: a plan states what
//! will happen, only its token executes it, once, before it expires; every step is in the audit
//! log and on the timeline; the vendor's refusal is a failed action with its message.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use opsdeck_domain::{
    ActionKind, ActionRequest, ActionResult, AuditEvent, EntryKind, Protection, Refusal, Risk,
    SourceKind, Status, TimelineEntry,
};
use opsdeck_engine::config::SourceConfig;
use opsdeck_engine::{ActionFailure, Cockpit};
use opsdeck_sim::pagerduty::{Fault, PathMatch};
use opsdeck_sim::run::RunningSim;

use crate::harness::{
    config_for, day, pagerduty_source, request, sim, sync_ok, Home, Recorder, TOKEN,
};

const SOURCE: &str = "pagerduty";
const ME: &str = "sam.okafor@example.test";
const INCIDENT: &str = "Q0PAY0001";

fn source(running: &RunningSim, protection: Protection) -> SourceConfig {
    let url = running.url("pagerduty").expect("pagerduty url");
    let mut s = pagerduty_source(SOURCE, url, Duration::from_secs(5));
    s.protection = protection;
    s
}

/// 05:48 on the shared day, frozen: Q0PAY0001 was triggered a minute ago.
async fn paged(home: &Home, protection: Protection) -> (RunningSim, Cockpit) {
    let running = sim("05:48", 0.0).await;
    let mut config = config_for(&running, vec![source(&running, protection)]);
    config.me = Some(ME.into());
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    sync_ok(&cockpit).await;
    (running, cockpit)
}

fn page(cockpit: &Cockpit) -> TimelineEntry {
    day(cockpit)
        .into_iter()
        .find(|e| e.kind == EntryKind::Page && e.external_id == INCIDENT)
        .expect("the page is on the timeline")
}

fn action_entry(cockpit: &Cockpit, action_id: &str) -> TimelineEntry {
    cockpit
        .timeline_between(
            Utc::now() - chrono::Duration::days(3650),
            Utc::now() + chrono::Duration::days(3650),
        )
        .expect("timeline reads")
        .into_iter()
        .find(|e| e.source == SourceKind::Opsdeck && e.external_id == action_id)
        .unwrap_or_else(|| panic!("no timeline entry for action {action_id}"))
}

fn events(cockpit: &Cockpit, action_id: &str) -> Vec<AuditEvent> {
    cockpit
        .audit_of(action_id)
        .expect("audit reads")
        .iter()
        .map(|r| r.event)
        .collect()
}

fn log_types(entry: &TimelineEntry) -> Vec<String> {
    entry.details["log_entries"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|e| e["type"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn acknowledge_is_planned_confirmed_and_seen_in_the_incident_log() {
    let home = Home::new();
    let (running, cockpit) = paged(&home, Protection::Confirm).await;
    assert_eq!(page(&cockpit).status, Some(Status::Triggered));

    let plan = cockpit
        .plan_action(request(ActionKind::PagerdutyAcknowledge, INCIDENT, &[]))
        .await
        .expect("plan");
    assert!(
        plan.summary
            .starts_with("Acknowledge PagerDuty incident Q0PAY0001"),
        "{}",
        plan.summary
    );
    assert!(plan.summary.contains(ME), "{}", plan.summary);
    assert!(
        plan.target.contains("API response time critical"),
        "{}",
        plan.target
    );
    assert!(
        plan.environment.contains("payments-api") || plan.environment.contains("PPAYAPI"),
        "{}",
        plan.environment
    );
    assert_eq!(plan.risk, Risk::Low);
    assert_eq!(plan.type_to_confirm, None);
    assert!(plan.token.starts_with("odk_") && plan.token.len() > 40);
    assert!(plan.expires_at > Utc::now());
    assert!(
        plan.details.iter().any(|d| d.contains("triggered")),
        "{:?}",
        plan.details
    );
    // Planning changes nothing at the vendor.
    assert_eq!(
        running
            .world
            .lock()
            .unwrap()
            .incident(INCIDENT)
            .unwrap()
            .status,
        opsdeck_sim::scenario::PageState::Triggered
    );
    let planned = action_entry(&cockpit, &plan.action_id);
    assert_eq!(planned.status, Some(Status::Planned));
    assert_eq!(planned.kind, EntryKind::Action);

    let outcome = cockpit
        .confirm_action(&plan.token, None)
        .await
        .expect("confirm");
    assert_eq!(
        outcome.result,
        ActionResult::Succeeded,
        "{}",
        outcome.message
    );
    assert!(
        outcome.message.contains("acknowledged"),
        "{}",
        outcome.message
    );
    assert_eq!(
        events(&cockpit, &plan.action_id),
        [
            AuditEvent::Planned,
            AuditEvent::Confirmed,
            AuditEvent::Succeeded
        ]
    );
    let done = action_entry(&cockpit, &plan.action_id);
    assert_eq!(done.status, Some(Status::Succeeded));
    assert_eq!(done.service.as_deref(), page(&cockpit).service.as_deref());
    // The engine synced after the action: the page shows it, with the API's log entry.
    let after = page(&cockpit);
    assert_eq!(after.status, Some(Status::Acknowledged));
    assert!(
        log_types(&after).iter().any(|t| t == "acknowledge"),
        "{:?}",
        log_types(&after)
    );

    // The token worked once.
    let replay = cockpit.confirm_action(&plan.token, None).await.unwrap_err();
    assert!(
        matches!(replay, ActionFailure::Refused(Refusal::Used { .. })),
        "{replay}"
    );
    assert!(replay.is_bad_input());
    assert_eq!(
        events(&cockpit, &plan.action_id).last(),
        Some(&AuditEvent::Refused)
    );
    running.stop().await;
}

#[tokio::test]
async fn forged_and_expired_tokens_are_refused_and_audited() {
    let home = Home::new();
    let running = sim("05:48", 0.0).await;
    let mut config = config_for(&running, vec![source(&running, Protection::Confirm)]);
    config.me = Some(ME.into());
    config.actions.token_lifetime = Duration::from_millis(300);
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    sync_ok(&cockpit).await;

    let forged = cockpit
        .confirm_action("odk_0000000000000000000000000000000000000000", None)
        .await
        .unwrap_err();
    assert!(
        matches!(forged, ActionFailure::Refused(Refusal::UnknownToken)),
        "{forged}"
    );
    let refusals: Vec<TimelineEntry> = day(&cockpit)
        .into_iter()
        .filter(|e| e.kind == EntryKind::Action)
        .collect();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert_eq!(refusals[0].status, Some(Status::Refused));
    assert!(refusals[0].title.contains("unknown confirmation token"));

    let plan = cockpit
        .plan_action(request(ActionKind::PagerdutyAcknowledge, INCIDENT, &[]))
        .await
        .expect("plan");
    // Token lifetimes run on real time: wait for this one's to pass.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Utc::now() <= plan.expires_at {
        assert!(Instant::now() < deadline, "the token never expired");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let expired = cockpit.confirm_action(&plan.token, None).await.unwrap_err();
    assert!(
        matches!(expired, ActionFailure::Refused(Refusal::Expired { .. })),
        "{expired}"
    );
    assert_eq!(
        events(&cockpit, &plan.action_id),
        [AuditEvent::Planned, AuditEvent::Refused]
    );
    assert_eq!(
        running
            .world
            .lock()
            .unwrap()
            .incident(INCIDENT)
            .unwrap()
            .status,
        opsdeck_sim::scenario::PageState::Triggered,
        "nothing reached PagerDuty"
    );
    running.stop().await;
}

#[tokio::test]
async fn a_read_only_source_refuses_to_plan_and_to_confirm() {
    let home = Home::new();
    let (running, cockpit) = paged(&home, Protection::ReadOnly).await;
    let refused = cockpit
        .plan_action(request(ActionKind::PagerdutyResolve, INCIDENT, &[]))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, ActionFailure::Refused(Refusal::ReadOnly { .. })),
        "{refused}"
    );
    assert!(refused.to_string().contains("read-only"), "{refused}");
    let entries: Vec<TimelineEntry> = day(&cockpit)
        .into_iter()
        .filter(|e| e.kind == EntryKind::Action)
        .collect();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].status, Some(Status::Refused));
    drop(cockpit);

    // Planned while the source allowed it, confirmed after it became read-only.
    let mut config = config_for(&running, vec![source(&running, Protection::Confirm)]);
    config.me = Some(ME.into());
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    let plan = cockpit
        .plan_action(request(ActionKind::PagerdutyResolve, INCIDENT, &[]))
        .await
        .expect("plan");
    drop(cockpit);
    config.sources[0].protection = Protection::ReadOnly;
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    let refused = cockpit.confirm_action(&plan.token, None).await.unwrap_err();
    assert!(
        matches!(refused, ActionFailure::Refused(Refusal::ReadOnly { .. })),
        "{refused}"
    );
    assert_eq!(
        running
            .world
            .lock()
            .unwrap()
            .incident(INCIDENT)
            .unwrap()
            .status,
        opsdeck_sim::scenario::PageState::Triggered
    );
    running.stop().await;
}

#[tokio::test]
async fn type_to_confirm_needs_the_target_typed() {
    let home = Home::new();
    let (running, cockpit) = paged(&home, Protection::TypeToConfirm).await;
    let plan = cockpit
        .plan_action(request(ActionKind::PagerdutyAcknowledge, INCIDENT, &[]))
        .await
        .expect("plan");
    assert_eq!(plan.type_to_confirm.as_deref(), Some(INCIDENT));
    for typed in [None, Some("Q0PAY0002"), Some("")] {
        let refused = cockpit
            .confirm_action(&plan.token, typed)
            .await
            .unwrap_err();
        assert!(
            matches!(&refused, ActionFailure::Refused(Refusal::TypeToConfirm { expected }) if expected == INCIDENT),
            "{typed:?}: {refused}"
        );
    }
    // A typo does not burn the token.
    let outcome = cockpit
        .confirm_action(&plan.token, Some(INCIDENT))
        .await
        .expect("confirm");
    assert_eq!(outcome.result, ActionResult::Succeeded);
    running.stop().await;
}

#[tokio::test]
async fn a_vendor_error_is_a_failed_action_with_its_message() {
    let home = Home::new();
    let (running, cockpit) = paged(&home, Protection::Confirm).await;
    let plan = cockpit
        .plan_action(request(ActionKind::PagerdutyAcknowledge, INCIDENT, &[]))
        .await
        .expect("plan");
    running.pagerduty.faults().push(
        PathMatch::exact("/incidents/Q0PAY0001"),
        Fault::Status(500),
        Some(1),
    );
    let outcome = cockpit
        .confirm_action(&plan.token, None)
        .await
        .expect("confirmed");
    assert_eq!(outcome.result, ActionResult::Failed);
    assert!(outcome.message.contains("500"), "{}", outcome.message);
    assert!(!outcome.message.contains(TOKEN));
    let entry = action_entry(&cockpit, &plan.action_id);
    assert_eq!(entry.status, Some(Status::Failed));
    assert!(entry.title.starts_with("Failed: "), "{}", entry.title);
    assert_eq!(
        events(&cockpit, &plan.action_id),
        [
            AuditEvent::Planned,
            AuditEvent::Confirmed,
            AuditEvent::Failed
        ]
    );
    assert_eq!(page(&cockpit).status, Some(Status::Triggered));
    running.stop().await;
}

#[tokio::test]
async fn bad_requests_are_refused_before_any_token_exists() {
    let home = Home::new();
    let (running, cockpit) = paged(&home, Protection::Confirm).await;
    let cases: Vec<(ActionRequest, &str)> = vec![
        (
            request(ActionKind::PagerdutyAcknowledge, "Q0NOPE999", &[]),
            "no incident Q0NOPE999",
        ),
        (
            request(
                ActionKind::PagerdutyAcknowledge,
                INCIDENT,
                &[("force", "yes")],
            ),
            "does not take `force`",
        ),
        (
            request(ActionKind::PagerdutySnooze, INCIDENT, &[]),
            "needs `duration=…`",
        ),
        (
            request(
                ActionKind::PagerdutySnooze,
                INCIDENT,
                &[("duration", "soon")],
            ),
            "not a duration",
        ),
        (
            request(ActionKind::PagerdutySnooze, INCIDENT, &[("duration", "8d")]),
            "1s to 7 days",
        ),
        (
            request(ActionKind::PagerdutySnooze, INCIDENT, &[("duration", "1h")]),
            "snoozes only acknowledged",
        ),
        (
            request(ActionKind::PagerdutyReassign, INCIDENT, &[]),
            "needs `to=EMAIL`",
        ),
        (
            request(ActionKind::PagerdutyReassign, INCIDENT, &[("level", "0")]),
            "whole number from 1",
        ),
        (
            request(ActionKind::PagerdutyNote, INCIDENT, &[]),
            "needs `text=…`",
        ),
        (
            request(
                ActionKind::KubernetesScale,
                "prod-eu/payments/payments-api",
                &[],
            ),
            "no kubernetes source watches context \"prod-eu\"",
        ),
    ];
    for (req, says) in cases {
        let err = cockpit.plan_action(req.clone()).await.unwrap_err();
        assert!(err.to_string().contains(says), "{req:?}: {err}");
        assert!(err.is_bad_input(), "{req:?}: {err}");
        assert!(!err.to_string().contains(TOKEN));
    }
    let refused = day(&cockpit)
        .into_iter()
        .filter(|e| e.kind == EntryKind::Action && e.status == Some(Status::Refused))
        .count();
    assert_eq!(refused, 10, "every refusal is on the timeline");
    running.stop().await;
}

#[tokio::test]
async fn a_cancelled_plan_cannot_be_confirmed_later() {
    let home = Home::new();
    let (running, cockpit) = paged(&home, Protection::Confirm).await;
    let plan = cockpit
        .plan_action(request(ActionKind::PagerdutyResolve, INCIDENT, &[]))
        .await
        .expect("plan");
    cockpit.cancel_action(&plan.token).expect("cancelled");
    let entry = action_entry(&cockpit, &plan.action_id);
    assert_eq!(entry.status, Some(Status::Refused));
    assert!(
        entry.title.starts_with("Cancelled: Resolve"),
        "{}",
        entry.title
    );
    let late = cockpit.confirm_action(&plan.token, None).await.unwrap_err();
    assert!(
        matches!(late, ActionFailure::Refused(Refusal::Used { .. })),
        "{late}"
    );
    assert_eq!(
        events(&cockpit, &plan.action_id),
        [
            AuditEvent::Planned,
            AuditEvent::Cancelled,
            AuditEvent::Refused
        ]
    );
    assert_eq!(page(&cockpit).status, Some(Status::Triggered));
    running.stop().await;
}
