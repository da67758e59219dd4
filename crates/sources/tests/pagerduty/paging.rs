//! A day with more incidents than one page of 100 holds: every one collected, none twice.

use std::collections::BTreeSet;
use std::fmt::Write;

use opsdeck_domain::Status;

use crate::harness::{frozen, load, path_of};

const PAGES: usize = 130;

/// `PAGES` incidents, one a minute from 06:00; every fifth resolved as soon as it starts, so
/// both the window list and the open list span more than one page.
fn paging_storm() -> String {
    let mut yaml = String::from(
        r#"version: 1
name: paging-storm
summary: a very noisy morning
clock: {tz: UTC, day_starts: "05:00"}
me: {name: Sam Okafor, email: sam.okafor@example.test}
services:
  - name: api
    pagerduty: {id: PAPI001, escalation_policy: Primary}
events:
"#,
    );
    for n in 0..PAGES {
        let (h, m) = (6 + n / 60, n % 60);
        let state = if n % 5 == 0 { "resolved" } else { "triggered" };
        writeln!(
            yaml,
            "  - at: \"{h:02}:{m:02}\"\n    page: {{id: QP{n:04}, service: api, title: \"Page {n}\", \
             urgency: high, assignee: me, state: {state}}}"
        )
        .expect("write to string");
    }
    yaml
}

#[tokio::test]
async fn more_than_a_page_of_incidents_is_collected_once_each() {
    let sim = frozen(load(&paging_storm()), "09:00").await;
    let source = sim.source();
    let out = sim.poll(&source, None).await;

    let ids: Vec<&str> = out.entries.iter().map(|e| e.external_id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "duplicates in {ids:?}");
    let expected: BTreeSet<String> = (0..PAGES).map(|n| format!("QP{n:04}")).collect();
    let got: BTreeSet<String> = unique.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, expected);
    let resolved = out
        .entries
        .iter()
        .filter(|e| e.status == Some(Status::Resolved))
        .count();
    assert_eq!(resolved, PAGES.div_ceil(5));

    // It really walked the pages: some list request asked past the first hundred.
    let second_pages = sim
        .exchanges()
        .iter()
        .filter(|e| path_of(e) == "/incidents" && e.path_and_query.contains("offset=100"))
        .count();
    assert!(second_pages >= 1, "no second page was requested");

    // And the next poll, with nothing changed, has nothing to say about any of them.
    let again = sim.poll(&source, out.cursor).await;
    assert!(
        again.entries.is_empty(),
        "{} re-emitted",
        again.entries.len()
    );
    sim.finish().await;
}
