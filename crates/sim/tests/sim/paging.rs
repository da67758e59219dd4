//! Offset pagination over a synthetic day with 130 pages.

use std::fmt::Write;

use serde_json::Value;

use crate::harness::{load, start_sim, Sim};

const PAGES: usize = 130;

/// 130 incidents, one a minute from 06:00; every third low urgency, every fifth resolved.
fn paging_storm() -> String {
    let mut yaml = String::from(
        r#"version: 1
name: paging-storm
summary: a very noisy morning
clock: {tz: UTC, day_starts: "05:00"}
me: {name: Sam Okafor, email: sam@example.test}
services:
  - name: api
    pagerduty: {id: PAPI001, escalation_policy: Primary}
events:
"#,
    );
    for n in 0..PAGES {
        let (h, m) = (6 + n / 60, n % 60);
        let urgency = if n % 3 == 0 { "low" } else { "high" };
        let state = if n % 5 == 0 { "resolved" } else { "triggered" };
        writeln!(
            yaml,
            "  - at: \"{h:02}:{m:02}\"\n    page: {{id: QP{n:04}, service: api, title: \"Page {n}\", \
             urgency: {urgency}, assignee: me, state: {state}}}"
        )
        .expect("write to string");
    }
    yaml
}

async fn storm() -> Sim {
    start_sim(load(&paging_storm()), "09:00", 0.0).await
}

fn numbers(body: &Value) -> Vec<u64> {
    body["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .map(|i| i["incident_number"].as_u64().expect("number"))
        .collect()
}

#[tokio::test]
async fn default_pages_hold_25_and_say_more() {
    let sim = storm().await;
    let first = sim.ok("/incidents").await;
    assert_eq!(numbers(&first), (1..=25).collect::<Vec<_>>());
    assert_eq!(first["more"], true);
    assert_eq!(first["total"], Value::Null);
    let total = sim.ok("/incidents?total=true&offset=25").await;
    assert_eq!(total["total"], PAGES);
    assert_eq!(numbers(&total), (26..=50).collect::<Vec<_>>());
    sim.finish().await;
}

#[tokio::test]
async fn walking_with_limit_100_visits_every_incident_once() {
    let sim = storm().await;
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let page = sim
            .ok(&format!("/incidents?limit=100&offset={offset}"))
            .await;
        assert_eq!(page["limit"], 100);
        assert_eq!(page["offset"], offset);
        let got = numbers(&page);
        offset += got.len();
        seen.extend(got);
        if page["more"] == false {
            break;
        }
        assert!(offset < 1000, "more never became false");
    }
    assert_eq!(seen, (1..=PAGES as u64).collect::<Vec<_>>());
    sim.finish().await;
}

#[tokio::test]
async fn oversized_limits_are_capped_and_past_the_end_is_empty() {
    let sim = storm().await;
    let capped = sim.ok("/incidents?limit=500").await;
    assert_eq!(capped["limit"], 100);
    assert_eq!(numbers(&capped).len(), 100);
    let past = sim.ok("/incidents?offset=130&total=true").await;
    assert_eq!(numbers(&past), Vec::<u64>::new());
    assert_eq!(past["more"], false);
    assert_eq!(past["total"], PAGES);
    sim.finish().await;
}

#[tokio::test]
async fn filters_apply_before_paging() {
    let sim = storm().await;
    // Low urgency: n % 3 == 0 → 44 of 130; resolved: n % 5 == 0 → 26.
    let low = sim
        .ok("/incidents?urgencies[]=low&limit=40&total=true")
        .await;
    assert_eq!(low["total"], 44);
    assert_eq!(numbers(&low).len(), 40);
    assert_eq!(low["more"], true);
    assert!(low["incidents"]
        .as_array()
        .expect("incidents")
        .iter()
        .all(|i| i["urgency"] == "low"));
    let resolved = sim.ok("/incidents?statuses[]=resolved&total=true").await;
    assert_eq!(resolved["total"], 26);
    sim.finish().await;
}
