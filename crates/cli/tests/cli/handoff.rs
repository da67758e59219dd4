//! `opsdeck handoff`, `shifts`, `shift edit|start|stop` and `postmortem` on a synced day: the
//! handoff contract's JSON shape, the file export equal to what stdout prints, edits kept, and
//! errors that say what to fix.

use serde_json::Value;

use crate::support::{Sandbox, Sim};

#[test]
fn the_handoff_of_the_synced_shift() {
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "+1 08:30");
    let config = sim.config.to_str().expect("utf-8 path").to_string();
    let opsdeck = |args: &[&str]| {
        let mut all = vec!["--config", config.as_str()];
        all.extend_from_slice(args);
        sandbox.run(&all)
    };
    // Before any sync there is no shift: exit 2 and what to do.
    let none = opsdeck(&["handoff"]);
    none.expect_code(2);
    assert!(
        none.stderr().contains("no shift yet"),
        "{}",
        none.describe()
    );

    opsdeck(&["sync", "--once"]).expect_code(0);
    let listing = opsdeck(&["shifts", "--json"]);
    listing.expect_code(0);
    let shifts = listing.json();
    assert_eq!(
        shifts.as_array().map(Vec::len),
        Some(1),
        "{}",
        listing.describe()
    );
    assert_eq!(shifts[0]["schedule"], "Payments Primary");
    let id = shifts[0]["id"].as_str().expect("id").to_string();

    let run = opsdeck(&["handoff", "--format", "json"]);
    run.expect_code(0);
    let report = run.json();
    for key in [
        "shift",
        "pages",
        "open_items",
        "alerts",
        "actions",
        "runbook_runs",
        "notes",
    ] {
        assert!(report.get(key).is_some(), "no {key}: {}", run.describe());
    }
    for key in ["user", "schedule", "start", "end"] {
        assert!(report["shift"].get(key).is_some(), "no shift.{key}");
    }
    assert_eq!(report["shift"]["user"], "Sam Okafor");
    assert_eq!(report["shift"]["id"], id.as_str());
    assert_eq!(report["in_progress"], true);
    let pages = report["pages"].as_array().expect("pages");
    let db = pages
        .iter()
        .find(|p| p["id"] == "Q0DB00003")
        .unwrap_or_else(|| panic!("the 22:30 page: {}", run.describe()));
    let fields: Vec<&str> = db
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "id",
        "title",
        "service",
        "urgency",
        "triggered_at",
        "acknowledged_at",
        "resolved_at",
        "time_to_acknowledge_s",
        "time_to_resolve_s",
    ] {
        assert!(fields.contains(&key), "page has no {key}: {db}");
    }
    assert_eq!(db["time_to_acknowledge_s"], 8 * 60);
    assert_eq!(db["time_to_resolve_s"], 88 * 60);
    assert!(report["alerts"]["fired"].is_u64());
    let open: Vec<(&str, &str)> = report["open_items"]
        .as_array()
        .expect("open items")
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap_or(""),
                i["id"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(open.contains(&("ci_failure", "9011")), "{open:?}");
    for item in report["open_items"].as_array().expect("open items") {
        for key in ["kind", "id", "title", "since"] {
            assert!(item.get(key).is_some(), "open item without {key}: {item}");
        }
    }

    // Edits show in both formats; the file written equals what stdout prints.
    opsdeck(&[
        "shift",
        "edit",
        "--summary",
        "Three pages, all resolved",
        "--watch",
        "orders-db batch at 22:00",
        "--watch",
        "CI on payments-api main",
    ])
    .expect_code(0);
    let json = opsdeck(&["handoff", "--format", "json", "--shift", &id]);
    json.expect_code(0);
    let edited: Value = json.json();
    assert_eq!(edited["summary"], "Three pages, all resolved");
    assert_eq!(
        edited["watch_next"],
        serde_json::json!(["orders-db batch at 22:00", "CI on payments-api main"])
    );
    let out = sandbox.path("handoff.json");
    let out_arg = out.to_str().expect("utf-8");
    opsdeck(&["handoff", "--format", "json", "--out", out_arg]).expect_code(0);
    let written = std::fs::read_to_string(&out).expect("written");
    assert_eq!(written, json.stdout());
    let back: Value = serde_json::from_str(&written).expect("the export parses");
    assert_eq!(back, edited);

    let md = opsdeck(&["handoff"]);
    md.expect_code(0);
    let text = md.stdout();
    assert!(text.starts_with("# Handoff: Payments Primary\n"), "{text}");
    assert!(text.contains("> Three pages, all resolved"), "{text}");
    assert!(text.contains("- orders-db batch at 22:00"), "{text}");
    assert!(text.contains("| Q0DB00003 |"), "{text}");

    let unknown = opsdeck(&["handoff", "--shift", "s-nope"]);
    unknown.expect_code(2);
    assert!(
        unknown.stderr().contains("no shift s-nope"),
        "{}",
        unknown.describe()
    );

    // The postmortem timeline of the 22:30 page in another timezone.
    let pm = opsdeck(&["postmortem", "Q0DB00003", "--tz", "America/New_York"]);
    pm.expect_code(0);
    let pm_text = pm.stdout();
    assert!(
        pm_text.contains("times in America/New_York (UTC-05:00)"),
        "{pm_text}"
    );
    // 22:30 UTC is 17:30 in New York in November.
    assert!(
        pm_text.contains("- **17:30:00** page: triggered: Q0DB00003"),
        "{pm_text}"
    );
    let bad_tz = opsdeck(&["postmortem", "Q0DB00003", "--tz", "Mars/Olympus"]);
    bad_tz.expect_code(2);
    assert!(
        bad_tz.stderr().contains("Mars/Olympus"),
        "{}",
        bad_tz.describe()
    );
    opsdeck(&["postmortem", "Q0NOPE"]).expect_code(2);

    // Search finds the page by a word of its resolution note, marked in the snippet.
    let found = opsdeck(&["search", "finished", "--kind", "page", "--json"]);
    found.expect_code(0);
    let hits = found.json();
    let hits = hits.as_array().expect("hits");
    assert_eq!(hits.len(), 1, "{}", found.describe());
    assert_eq!(hits[0]["entry"]["external_id"], "Q0DB00003");
    assert!(
        hits[0]["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("[finished]")),
        "{}",
        found.describe()
    );
    let hostile = opsdeck(&["search", "\"", "AND", "(", "NEAR("]);
    hostile.expect_code(0);
    let empty = opsdeck(&["search"]);
    empty.expect_code(2);
    assert!(
        empty.stderr().contains("no words and no filter"),
        "{}",
        empty.describe()
    );

    // Retention: a day is the least; what is younger stays findable.
    opsdeck(&["prune", "--older-than", "1h"]).expect_code(2);
    let pruned = opsdeck(&["prune", "--older-than", "1d", "--json"]);
    pruned.expect_code(0);
    assert!(pruned.json()["entries"].is_u64(), "{}", pruned.describe());
    let still = opsdeck(&["search", "finished", "--kind", "page", "--json"]);
    still.expect_code(0);
    assert_eq!(still.json().as_array().map(Vec::len), Some(1));

    // A shift by hand: started, refused twice, stopped.
    opsdeck(&["shift", "start"]).expect_code(0);
    let twice = opsdeck(&["shift", "start"]);
    twice.expect_code(2);
    assert!(
        twice.stderr().contains("already running"),
        "{}",
        twice.describe()
    );
    opsdeck(&["shift", "stop"]).expect_code(0);
    opsdeck(&["shift", "stop"]).expect_code(2);
}
