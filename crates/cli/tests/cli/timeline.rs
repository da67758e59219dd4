//! `sync --once` then `timeline`: the timeline contract's shape, the page's facts, ordering, day
//! and window selection, the text view, and idempotent re-syncs.

use serde_json::Value;

use crate::support::{Sandbox, Sim};

/// The contract's fields (DESIGN.md "The timeline contract"): no more, no less.
const FIELDS: [&str; 12] = [
    "details",
    "ended_at",
    "external_id",
    "id",
    "kind",
    "service",
    "severity",
    "source",
    "started_at",
    "status",
    "title",
    "url",
];

fn entries(v: &Value) -> &Vec<Value> {
    v.as_array()
        .unwrap_or_else(|| panic!("timeline --json is not an array: {v}"))
}

fn page<'a>(list: &'a [Value], incident: &str) -> Option<&'a Value> {
    list.iter().find(|e| e["external_id"] == incident)
}

#[test]
fn sync_then_timeline_follows_the_contract() {
    let sandbox = Sandbox::new();
    let sim = Sim::frozen(&sandbox, "06:00");
    let config = sim.config.to_str().expect("utf-8 path").to_string();
    let opsdeck = |args: &[&str]| {
        let mut all = vec!["--config", config.as_str()];
        all.extend_from_slice(args);
        sandbox.run(&all)
    };

    let first = opsdeck(&["sync", "--once"]);
    first.expect_code(0);
    // A simulator's config keeps its cache beside it, never in the user's data dir.
    assert!(
        sandbox.path("sim.sqlite").is_file(),
        "no cache beside the config: {}",
        first.describe()
    );
    assert!(
        !sandbox.path("data/opsdeck").exists(),
        "a simulated sync touched the XDG data dir"
    );

    let run = opsdeck(&["timeline", "--json"]);
    run.expect_code(0);
    let today = run.json();
    let list = entries(&today);
    assert!(
        !list.is_empty(),
        "Today is empty after a sync: {}",
        run.describe()
    );
    for e in list {
        let mut keys: Vec<&str> = e
            .as_object()
            .expect("entry is an object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, FIELDS, "entry fields differ from the contract: {e}");
    }
    let q =
        page(list, "Q0PAY0001").unwrap_or_else(|| panic!("Q0PAY0001 missing: {}", run.stdout()));
    assert_eq!(q["source"], "pagerduty");
    assert_eq!(q["kind"], "page");
    // At 06:00 the page was acknowledged (05:52) but not resolved (08:52).
    assert_eq!(q["status"], "acknowledged");
    assert_eq!(q["severity"], "critical", "high urgency maps to critical");
    assert_eq!(q["service"], "payments-api");
    assert_eq!(
        q["title"],
        "API response time critical: 40% of API calls time out"
    );
    assert_eq!(q["started_at"], "2026-11-22T05:47:00Z");
    assert_eq!(q["ended_at"], Value::Null);
    // The simulated Alertmanager's alert (via: prometheus) is on the same timeline.
    let pool = list
        .iter()
        .find(|e| {
            e["kind"] == "alert"
                && e["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("DBConnectionPoolExhausted"))
        })
        .unwrap_or_else(|| panic!("the 05:33 alert is missing: {}", run.stdout()));
    assert_eq!(pool["source"], "alertmanager");
    assert_eq!(pool["status"], "firing");
    assert_eq!(pool["severity"], "warning");
    assert_eq!(pool["service"], "payments-api");
    assert_eq!(pool["started_at"], "2026-11-22T05:33:00Z");
    assert_eq!(pool["ended_at"], Value::Null);
    let fingerprint = pool["details"]["fingerprint"]
        .as_str()
        .expect("a fingerprint");
    assert_eq!(
        pool["external_id"],
        format!("{fingerprint}@2026-11-22T05:33:00Z")
    );
    // And the simulated Grafana's (via: grafana), with its own source.
    let latency = list
        .iter()
        .find(|e| {
            e["kind"] == "alert"
                && e["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("APIResponseTimeCritical"))
        })
        .unwrap_or_else(|| panic!("the 05:30 Grafana alert is missing: {}", run.stdout()));
    assert_eq!(latency["source"], "grafana");
    assert_eq!(latency["severity"], "critical");
    assert_eq!(latency["started_at"], "2026-11-22T05:30:00Z");
    // Nothing from later in the day has happened yet on the frozen clock.
    assert!(
        page(list, "Q0SEC0002").is_none(),
        "an 11:30 page is visible at 06:00: {}",
        run.stdout()
    );

    // Sorted by started_at, then id (RFC 3339 UTC strings of one format sort as instants).
    let order: Vec<(String, String)> = list
        .iter()
        .map(|e| {
            (
                e["started_at"].as_str().unwrap_or("").to_string(),
                e["id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(
        order, sorted,
        "timeline is not sorted by started_at then id"
    );

    // An explicit day equals Today; the day before is empty.
    let explicit = opsdeck(&["timeline", "--day", "2026-11-22", "--json"]);
    assert_eq!(explicit.expect_code(0).json(), today);
    let before = opsdeck(&["timeline", "--day", "2026-11-21", "--json"]);
    assert_eq!(
        before.expect_code(0).json(),
        serde_json::json!([]),
        "{}",
        before.describe()
    );

    // Windows: one that ends at 05:47 (exclusive) misses the page, one around it has it.
    let excl = opsdeck(&[
        "timeline",
        "--since",
        "2026-11-22T05:00:00Z",
        "--until",
        "2026-11-22T05:47:00Z",
        "--json",
    ]);
    let excl_json = excl.expect_code(0).json();
    assert!(
        page(entries(&excl_json), "Q0PAY0001").is_none(),
        "{}",
        excl.describe()
    );
    let incl = opsdeck(&[
        "timeline",
        "--since",
        "2026-11-22T05:40:00Z",
        "--until",
        "2026-11-22T05:50:00Z",
        "--json",
    ]);
    let incl_json = incl.expect_code(0).json();
    assert!(
        page(entries(&incl_json), "Q0PAY0001").is_some(),
        "{}",
        incl.describe()
    );
    // The same window in another offset is the same instant range.
    let offset = opsdeck(&[
        "timeline",
        "--since",
        "2026-11-22T06:40:00+01:00",
        "--until",
        "2026-11-22T06:50:00+01:00",
        "--json",
    ]);
    assert_eq!(offset.expect_code(0).json(), incl_json);

    // The text view, for people: local time (UTC here) and the title.
    let text = opsdeck(&["timeline"]);
    let out = text.expect_code(0).stdout();
    let line = out
        .lines()
        .find(|l| l.contains("API response time critical: 40% of API calls time out"))
        .unwrap_or_else(|| panic!("title missing from the text timeline: {}", text.describe()));
    assert!(
        line.contains("05:47"),
        "the page's line lacks its start time: {line}"
    );
    assert!(
        line.contains("payments-api"),
        "the page's line lacks its service: {line}"
    );

    // A second sync stores nothing new and duplicates nothing.
    opsdeck(&["sync", "--once"]).expect_code(0);
    let again = opsdeck(&["timeline", "--json"]);
    assert_eq!(
        again.expect_code(0).json(),
        today,
        "a re-sync changed the timeline"
    );

    assert!(sim.stop().success());
}
