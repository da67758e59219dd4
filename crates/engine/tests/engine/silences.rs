//! Silences through the Cockpit against the simulated Alertmanager: the source that acts is the
//! one named (several Alertmanagers), and a silence tied to a PagerDuty incident ends when the
//! incident resolves — expired by opsdeck as an audited action.

use std::sync::Arc;
use std::time::Duration;

use opsdeck_domain::{ActionKind, ActionResult, EntryKind, SourceKind, Status};
use opsdeck_engine::config::SourceConfig;
use opsdeck_engine::ActionFailure;

use crate::harness::{
    at, config_for, day, pagerduty_source, request, sim, sync_ok, Home, Recorder,
};

const SAM: &str = "sam.okafor@example.test";

#[tokio::test]
async fn a_silence_tied_to_an_incident_ends_when_it_resolves() {
    let running = sim("06:00", 0.0).await;
    let pd = running.url("pagerduty").expect("url").to_string();
    let am = running.url("alertmanager").expect("url").to_string();
    let mut am_eu = SourceConfig::new(SourceKind::Alertmanager, &am);
    am_eu.name = Some("am-eu".into());
    let mut am_us = SourceConfig::new(SourceKind::Alertmanager, &am);
    am_us.name = Some("am-us".into());
    let config = config_for(
        &running,
        vec![
            pagerduty_source("pagerduty", &pd, Duration::from_secs(5)),
            am_eu,
            am_us,
        ],
    );
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    sync_ok(&cockpit).await;
    let pool = day(&cockpit)
        .into_iter()
        .find(|e| e.kind == EntryKind::Alert && e.title.starts_with("DBConnectionPoolExhausted"))
        .expect("the 05:33 alert is cached");
    let fingerprint = pool.details["fingerprint"].as_str().expect("fingerprint");

    // The named source acts; a name that is no Alertmanager is refused as bad input.
    let silence = ActionKind::AlertmanagerSilence;
    let nope = cockpit
        .plan_action(request(
            silence,
            fingerprint,
            &[("comment", "x"), ("source", "am-ap")],
        ))
        .await
        .expect_err("no such source");
    assert!(
        matches!(nope, ActionFailure::NoNamedSource { .. }),
        "{nope}"
    );
    assert!(nope.to_string().contains("am-eu, am-us"), "{nope}");
    let plan = cockpit
        .plan_action(request(
            silence,
            fingerprint,
            &[
                ("comment", "pool fix deploying"),
                ("until_resolved", "Q0PAY0001"),
                ("source", "am-us"),
            ],
        ))
        .await
        .expect("plans");
    assert_eq!(plan.source, "am-us");
    assert!(
        plan.details
            .iter()
            .any(|d| d.contains("Q0PAY0001 resolves")),
        "{:?}",
        plan.details
    );
    let made = cockpit
        .confirm_action(&plan.token, None)
        .await
        .expect("silences");
    assert_eq!(made.result, ActionResult::Succeeded, "{}", made.message);
    let silence_id = {
        let world = running.world.lock().expect("world");
        let s = &world.alertmanager_silences().all()[0];
        assert!(
            s.comment.starts_with("pool fix deploying [opsdeck:"),
            "{}",
            s.comment
        );
        assert_eq!(s.created_by, SAM);
        s.id.clone()
    };

    // Acknowledged, not resolved: the silence stays.
    assert!(cockpit.release_resolved().await.is_empty());

    // Resolved at PagerDuty, seen by the next sync: the silence is expired, as an action.
    running
        .world
        .lock()
        .expect("world")
        .resolve("Q0PAY0001", SAM, at(6, 0))
        .expect("resolves");
    sync_ok(&cockpit).await;
    let released = cockpit.release_resolved().await;
    assert_eq!(released.len(), 1, "{released:?}");
    assert_eq!(released[0].silence, silence_id);
    assert_eq!(released[0].incident, "Q0PAY0001");
    let outcome = released[0].outcome.as_ref().expect("expired");
    assert_eq!(
        outcome.result,
        ActionResult::Succeeded,
        "{}",
        outcome.message
    );
    {
        let world = running.world.lock().expect("world");
        let s = world
            .alertmanager_silences()
            .get(&silence_id)
            .expect("the silence");
        assert_eq!(
            s.state(running.now()),
            opsdeck_sim::world::SilenceState::Expired
        );
    }
    let action = day(&cockpit)
        .into_iter()
        .find(|e| {
            e.kind == EntryKind::Action && e.details["action_kind"] == "alertmanager.expire_silence"
        })
        .expect("the expiry is on the timeline");
    assert_eq!(action.status, Some(Status::Succeeded));
    assert_eq!(
        action.details["params"]["reason"],
        "PagerDuty incident Q0PAY0001 resolved"
    );
    // Done once: nothing tied is left in force.
    assert!(cockpit.release_resolved().await.is_empty());
    running.stop().await;
}
