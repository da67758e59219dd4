//! `opsdeck action plan … --json` then `opsdeck action confirm TOKEN` across two processes:
//! the plan's contract fields, the exit codes for refusals and vendor failures, and the
//! outcome on the timeline after the confirmation.

use serde_json::Value;

use crate::support::{Sandbox, Sim};

/// DESIGN.md "The `opsdeck` command": what `action plan --json` prints (opsdeck adds a few more).
const PLAN_FIELDS: [&str; 8] = [
    "token",
    "expires_at",
    "summary",
    "target",
    "environment",
    "risk",
    "undo",
    "type_to_confirm",
];

#[test]
fn plan_then_confirm_in_separate_processes() {
    let sandbox = Sandbox::new();
    // 05:48: Q0PAY0001 is triggered.
    let sim = Sim::frozen(&sandbox, "05:48");
    let config = sim.config.to_str().expect("utf-8 path").to_string();
    let opsdeck = |args: &[&str]| {
        let mut all = vec!["--config", config.as_str()];
        all.extend_from_slice(args);
        sandbox.run(&all)
    };

    let planned = opsdeck(&[
        "action",
        "plan",
        "pagerduty.acknowledge",
        "Q0PAY0001",
        "--json",
    ]);
    planned.expect_code(0);
    let plan = planned.json();
    for field in PLAN_FIELDS {
        assert!(plan.get(field).is_some(), "plan lacks `{field}`: {plan}");
    }
    assert_eq!(plan["type_to_confirm"], Value::Null);
    assert_eq!(plan["risk"], "low");
    let token = plan["token"]
        .as_str()
        .expect("token is a string")
        .to_string();

    let confirmed = opsdeck(&["action", "confirm", &token]);
    confirmed.expect_code(0);
    assert!(
        confirmed.stdout().contains("acknowledged"),
        "{}",
        confirmed.describe()
    );

    // The same token again: refused, exit 2, and the message says what to do.
    let replay = opsdeck(&["action", "confirm", &token]);
    replay.expect_code(2);
    assert!(
        replay.stderr().contains("already used"),
        "{}",
        replay.describe()
    );
    let forged = opsdeck(&["action", "confirm", "odk_forged"]);
    forged.expect_code(2);
    assert!(
        forged.stderr().contains("unknown confirmation token"),
        "{}",
        forged.describe()
    );

    // The confirmation synced the source: the page is acknowledged, and the action is on the
    // timeline with its outcome.
    let timeline = opsdeck(&["timeline", "--json"]);
    timeline.expect_code(0);
    let entries = timeline.json();
    let list = entries.as_array().expect("array");
    let page = list
        .iter()
        .find(|e| e["external_id"] == "Q0PAY0001")
        .unwrap_or_else(|| panic!("no page: {}", timeline.stdout()));
    assert_eq!(page["status"], "acknowledged");
    let actions: Vec<&Value> = list
        .iter()
        .filter(|e| e["source"] == "opsdeck" && e["kind"] == "action")
        .collect();
    let statuses: Vec<&str> = actions
        .iter()
        .filter_map(|e| e["status"].as_str())
        .collect();
    assert!(statuses.contains(&"succeeded"), "{statuses:?}");
    assert!(
        statuses.contains(&"refused"),
        "the forged token is on the timeline: {statuses:?}"
    );
    sim.stop();
}

#[test]
fn bad_requests_exit_2_and_vendor_refusals_exit_1() {
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "05:48");
    let config = sim.config.to_str().expect("utf-8 path").to_string();
    let opsdeck = |args: &[&str]| {
        let mut all = vec!["--config", config.as_str()];
        all.extend_from_slice(args);
        sandbox.run(&all)
    };
    for (args, says) in [
        (
            vec!["action", "plan", "pagerduty.ack", "Q0PAY0001"],
            "unknown action kind",
        ),
        (
            vec![
                "action",
                "plan",
                "pagerduty.snooze",
                "Q0PAY0001",
                "duration",
            ],
            "not key=value",
        ),
        (
            vec!["action", "plan", "pagerduty.acknowledge", "Q0NOPE999"],
            "no incident Q0NOPE999",
        ),
        (
            vec!["action", "plan", "github.rerun", "acme/payments-api/1"],
            "acme/payments-api has no workflow run 1",
        ),
    ] {
        let run = opsdeck(&args);
        run.expect_code(2);
        assert!(run.stderr().contains(says), "{args:?}: {}", run.describe());
    }

    // A plan made, then the incident resolved at PagerDuty before the confirmation: the
    // vendor refuses, and that is a failed action (exit 1) with PagerDuty's reason.
    let planned = opsdeck(&[
        "action",
        "plan",
        "pagerduty.acknowledge",
        "Q0PAY0001",
        "--json",
    ]);
    planned.expect_code(0);
    let token = planned.json()["token"].as_str().expect("token").to_string();
    let resolve = opsdeck(&["action", "plan", "pagerduty.resolve", "Q0PAY0001", "--json"]);
    resolve.expect_code(0);
    let resolve_token = resolve.json()["token"].as_str().expect("token").to_string();
    opsdeck(&["action", "confirm", &resolve_token]).expect_code(0);
    let late = opsdeck(&["action", "confirm", &token]);
    late.expect_code(1);
    assert!(late.stderr().contains("resolved"), "{}", late.describe());
    sim.stop();
}
