//! Prints load and validation costs (`cargo test -p opsdeck-contract -- --nocapture timings`).
//! Nothing here asserts on time: the figures go into the report by hand.

use std::time::Instant;

use serde_json::json;

use crate::specs;

#[test]
fn timings() {
    for (name, loaded) in [
        ("pagerduty rest", specs::pagerduty()),
        ("pagerduty events", specs::pagerduty_events()),
        ("github", specs::github()),
        ("alertmanager", specs::alertmanager()),
        ("grafana", specs::grafana()),
        ("grafana alerting", specs::grafana_alerting()),
    ] {
        println!(
            "load {name}: {:?} ({} operations)",
            loaded.took,
            loaded.spec.operations().count()
        );
    }
    let spec = &specs::pagerduty().spec;
    let body = json!({"incidents": [], "limit": 25, "offset": 0, "more": false, "total": null});
    let first = Instant::now();
    assert_eq!(
        spec.validate_response("GET", "/incidents", 200, &body),
        Ok(())
    );
    let compiled = first.elapsed();
    let rounds: u32 = 1000;
    let started = Instant::now();
    for _ in 0..rounds {
        assert_eq!(
            spec.validate_response("GET", "/incidents", 200, &body),
            Ok(())
        );
    }
    println!(
        "GET /incidents 200: first validation (compile) {compiled:?}, then {:?} each",
        started.elapsed() / rounds
    );
}
