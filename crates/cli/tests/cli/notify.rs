//! Desktop notifications through a real (private) D-Bus session bus: one Notify per newly
//! triggered high-urgency page assigned to me, never repeated, none for an acknowledged page.

use crate::dbus::{start_recording_server, PrivateBus};
use crate::support::{Sandbox, Sim, SimArgs};

const TITLE: &str = "API response time critical: 40% of API calls time out";

#[test]
fn triggered_page_notifies_once_over_dbus() {
    let (sandbox, bus) = PrivateBus::sandbox();
    // Owned before opsdeck runs, so its Notify can only reach this recorder.
    let recorded = start_recording_server(&bus.address);
    // 05:50: Q0PAY0001 triggered at 05:47, not yet acknowledged (05:52).
    let sim = Sim::frozen(&sandbox, "05:50");
    let config = sim.config.to_str().unwrap().to_string();

    // `sync --once` shows the notification before it exits, so the call is recorded by now.
    sandbox
        .run(&["--config", &config, "sync", "--once"])
        .expect_code(0);
    let calls = recorded.lock().unwrap().clone();
    assert_eq!(
        calls.len(),
        1,
        "expected exactly one Notify, got {calls:#?}"
    );
    let n = &calls[0];
    assert_eq!(n.app_name, "opsdeck");
    assert_eq!(n.replaces_id, 0, "a new page is a new notification: {n:#?}");
    assert!(
        n.summary.contains(TITLE),
        "summary lacks the incident title: {n:#?}"
    );
    assert!(
        n.body.contains("payments-api"),
        "body lacks the service: {n:#?}"
    );
    assert_eq!(
        n.urgency,
        Some(2),
        "a high-urgency page must be critical (2): {n:#?}"
    );
    assert_eq!(
        n.hints.get("x-opsdeck-incident").map(String::as_str),
        Some("Q0PAY0001"),
        "{n:#?}"
    );
    // Actions come in (key, label) pairs; the default action opens the incident.
    assert_eq!(n.actions.len() % 2, 0, "{n:#?}");
    assert!(
        n.actions.chunks(2).any(|a| a[0] == "default"),
        "no default action: {n:#?}"
    );

    let check = sandbox
        .run(&["--config", &config, "timeline", "--json"])
        .json();
    let page = check
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["external_id"] == "Q0PAY0001")
        .cloned();
    assert_eq!(
        page.map(|p| p["status"].clone()),
        Some("triggered".into()),
        "the page should still be triggered at 05:50"
    );

    // Deduplicated in the store: a second sync (and a new process) does not notify again.
    sandbox
        .run(&["--config", &config, "sync", "--once"])
        .expect_code(0);
    assert_eq!(
        recorded.lock().unwrap().len(),
        1,
        "the page notified twice: {:#?}",
        recorded.lock().unwrap()
    );
    assert!(sim.stop().success());
}

#[test]
fn acknowledged_page_does_not_notify() {
    let (sandbox, bus) = PrivateBus::sandbox();
    let recorded = start_recording_server(&bus.address);
    // 06:00 on a fresh config and cache: Q0PAY0001 is first seen already acknowledged.
    let sim = Sim::start(
        &sandbox,
        SimArgs {
            at: "06:00",
            port_base: None,
            config_name: "fresh.toml",
            alertmanager: None,
        },
    );
    let config = sim.config.to_str().unwrap().to_string();
    sandbox
        .run(&["--config", &config, "sync", "--once"])
        .expect_code(0);
    // The sync did see the page, so "no Notify" is not just "nothing synced".
    let timeline = sandbox
        .run(&["--config", &config, "timeline", "--json"])
        .json();
    assert!(timeline
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["external_id"] == "Q0PAY0001" && e["status"] == "acknowledged"));
    assert!(
        recorded.lock().unwrap().is_empty(),
        "an acknowledged page notified: {:#?}",
        recorded.lock().unwrap()
    );
    assert!(sim.stop().success());
}

#[test]
fn doctor_sends_a_test_notification() {
    let (sandbox, bus) = PrivateBus::sandbox();
    let recorded = start_recording_server(&bus.address);
    let sim = Sim::frozen(&sandbox, "06:00");
    let run = sandbox.run(&["--config", sim.config.to_str().unwrap(), "doctor"]);
    run.expect_code(0);
    let calls = recorded.lock().unwrap().clone();
    assert_eq!(
        calls.len(),
        1,
        "doctor should send one test notification: {calls:#?}\n{}",
        run.describe()
    );
    assert!(calls[0].summary.contains("test"), "{calls:#?}");
    let out = run.stdout();
    for line in [
        "source pagerduty: ok (reachable and authorised; actions: confirm)",
        "me: sam.okafor@example.test",
        "notification policy: high urgency rings, reminders every 5m",
        "paging works: sources, clock and notifications are ok",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "no line {line:?}:\n{}",
            run.describe()
        );
    }
    assert!(
        out.lines()
            .any(|l| l.starts_with("on call: yes, Payments Primary until ")),
        "{}",
        run.describe()
    );
    assert!(sim.stop().success());
}

#[test]
fn doctor_reports_unreachable_notifications() {
    // The default sandbox bus address points at nothing: the check must fail, not hang.
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "06:00");
    let run = sandbox.run(&["--config", sim.config.to_str().unwrap(), "doctor"]);
    run.expect_code(1);
    assert!(
        run.stdout()
            .lines()
            .any(|l| l.starts_with("notifications: FAILED")),
        "{}",
        run.describe()
    );
    assert!(
        run.stdout()
            .lines()
            .any(|l| l.starts_with("  fix: start a notification server")),
        "{}",
        run.describe()
    );
    assert!(
        run.stderr().contains("1 problem(s) found"),
        "{}",
        run.describe()
    );
    assert!(sim.stop().success());
}

#[test]
fn doctor_says_how_to_fix_an_unreachable_source() {
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "06:00");
    let config = std::fs::read_to_string(&sim.config).expect("config");
    assert!(sim.stop().success());
    // The simulator is gone: its port refuses connections.
    let path = sandbox.write("gone.toml", &config);
    let run = sandbox.run(&["--config", path.to_str().unwrap(), "doctor"]);
    run.expect_code(1);
    let out = run.stdout();
    assert!(
        out.lines()
            .any(|l| l.starts_with("source pagerduty: FAILED: cannot reach PagerDuty")),
        "{}",
        run.describe()
    );
    assert!(
        out.lines()
            .any(|l| l == "  fix: check the network, the VPN and the source's url"),
        "{}",
        run.describe()
    );
}
