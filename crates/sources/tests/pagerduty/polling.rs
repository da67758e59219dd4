//! The source polling the simulated shared day: what the first poll maps, that unchanged polls
//! are empty, that changes come through, the overlap window, and the re-fetch of incidents that
//! were open last time.

use chrono::{DateTime, Utc};
use opsdeck_domain::{EntryKind, NewEntry, Severity, SourceKind, Status};
use opsdeck_sim::scenario::bundled_day;
use serde_json::json;

use crate::harness::{date, frozen, load, path_of, ME};

/// `HH:MM` UTC on the replayed date (the scenarios here are in UTC).
fn at(h: u32, m: u32) -> DateTime<Utc> {
    date().and_hms_opt(h, m, 0).expect("valid time").and_utc()
}

fn only<'a>(entries: &'a [NewEntry], id: &str) -> &'a NewEntry {
    let found: Vec<&NewEntry> = entries.iter().filter(|e| e.external_id == id).collect();
    assert_eq!(found.len(), 1, "{id} once in {entries:#?}");
    found[0]
}

fn log_types(entry: &NewEntry) -> Vec<String> {
    entry.details["log_entries"]
        .as_array()
        .expect("log_entries")
        .iter()
        .map(|l| l["type"].as_str().expect("type").to_string())
        .collect()
}

#[tokio::test]
async fn the_first_poll_maps_the_morning_page() {
    let sim = frozen(bundled_day(), "06:00").await;
    let source = sim.source();
    let out = sim.poll(&source, None).await;
    assert_eq!(out.me.as_deref(), Some(ME));
    // At 06:00 only the 05:47 page exists; the day's others come later.
    let ids: Vec<&str> = out.entries.iter().map(|e| e.external_id.as_str()).collect();
    assert_eq!(ids, ["Q0PAY0001"]);
    let page = only(&out.entries, "Q0PAY0001");
    assert_eq!(
        (page.source, page.kind, page.severity, page.status),
        (
            SourceKind::Pagerduty,
            EntryKind::Page,
            Severity::Critical,
            Some(Status::Acknowledged)
        )
    );
    assert_eq!(page.service.as_deref(), Some("payments-api"));
    assert_eq!(page.started_at, at(5, 47));
    assert_eq!(page.ended_at, None);
    assert_eq!(page.details["assigned_to_me"], json!(true));
    assert_eq!(page.details["urgency"], json!("high"));
    assert_eq!(
        page.details["acknowledged_at"],
        json!("2026-05-04T05:52:00Z")
    );
    // The vendor lists newest first; the timeline reads oldest first, and the trigger and the
    // assignment share a timestamp, so their order must come from the log, not from ids.
    assert_eq!(log_types(page), ["trigger", "assign", "acknowledge"]);
    let times: Vec<&str> = page.details["log_entries"]
        .as_array()
        .expect("log_entries")
        .iter()
        .map(|l| l["at"].as_str().expect("at"))
        .collect();
    assert_eq!(
        times,
        [
            "2026-05-04T05:47:00Z",
            "2026-05-04T05:47:00Z",
            "2026-05-04T05:52:00Z"
        ]
    );
    assert!(
        page.title.starts_with("API response time critical"),
        "{}",
        page.title
    );
    assert_eq!(page.raw["incident"]["id"], json!("Q0PAY0001"));
    sim.finish().await;
}

#[tokio::test]
async fn polls_are_incremental_and_pick_up_an_incident_resolved_outside_the_window() {
    let sim = frozen(bundled_day(), "06:00").await;
    let source = sim.source();
    let first = sim.poll(&source, None).await;
    assert_eq!(first.entries.len(), 1);

    // Nothing changed: nothing to store again.
    let second = sim.poll(&source, first.cursor.clone()).await;
    assert!(second.entries.is_empty(), "{:#?}", second.entries);
    assert!(second.cursor.is_some());

    // Resolved now (06:00), long after it was created (05:47): it is in neither the window of
    // this poll (since 05:55) nor the open list, so only the "open incidents we held" re-fetch
    // can see how it ended.
    sim.running
        .world
        .lock()
        .expect("world")
        .resolve("Q0PAY0001", ME, sim.running.now())
        .expect("the page resolves");
    let before = sim.exchanges().len();
    let third = sim.poll(&source, second.cursor.clone()).await;
    let page = only(&third.entries, "Q0PAY0001");
    assert_eq!(page.status, Some(Status::Resolved));
    assert_eq!(page.ended_at, Some(at(6, 0)));
    assert_eq!(log_types(page).last().map(String::as_str), Some("resolve"));
    let refetched = sim.exchanges()[before..]
        .iter()
        .any(|e| path_of(e) == "/incidents/Q0PAY0001" && e.status == 200);
    assert!(refetched, "the held incident was not re-fetched");

    // Resolved and seen: no longer watched, so the next poll neither re-emits nor re-fetches it.
    let before = sim.exchanges().len();
    let fourth = sim.poll(&source, third.cursor.clone()).await;
    assert!(fourth.entries.is_empty(), "{:#?}", fourth.entries);
    assert!(
        sim.exchanges()[before..]
            .iter()
            .all(|e| path_of(e) != "/incidents/Q0PAY0001"),
        "a resolved incident is still being re-fetched"
    );
    sim.finish().await;
}

/// One day, seen by PagerDuty's (eventually consistent) list at two moments: `lagging` has not
/// listed the 05:58 flap yet, `caught_up` has. The same scenario name keeps the minted ids the
/// same, as one account's would be.
fn flapping_day(caught_up: bool) -> String {
    let mut yaml = String::from(
        r#"version: 1
name: flapping-morning
summary: a check that flapped just before a poll
clock: {tz: UTC, day_starts: "05:00"}
me: {name: Sam Okafor, email: sam.okafor@example.test}
services:
  - name: api
    pagerduty: {id: PAPI001, escalation_policy: Primary}
events:
  - at: "05:10"
    page: {id: QOLD00001, service: api, title: "Old page", urgency: low, assignee: me, state: triggered}
  - at: "05:20"
    page: {id: QOLD00001, state: resolved, by: me}
"#,
    );
    if caught_up {
        yaml.push_str(
            r#"  - at: "05:58"
    page: {id: QFLAP0001, service: api, title: "Flapping check", urgency: high, assignee: me, state: triggered}
  - at: "05:59"
    page: {id: QFLAP0001, state: resolved, by: me}
"#,
        );
    }
    yaml
}

#[tokio::test]
async fn the_overlap_window_catches_what_the_previous_poll_could_not_see_yet() {
    let lagging = frozen(load(&flapping_day(false)), "06:00").await;
    let first = lagging.poll(&lagging.source(), None).await;
    let ids: Vec<&str> = first
        .entries
        .iter()
        .map(|e| e.external_id.as_str())
        .collect();
    assert_eq!(
        ids,
        ["QOLD00001"],
        "the backfill finds the resolved old page"
    );
    lagging.finish().await;

    // Two minutes later the list has caught up with a page created (05:58) and resolved (05:59)
    // before the previous poll (06:00): never open, so only the overlap can find it.
    let caught_up = frozen(load(&flapping_day(true)), "06:02").await;
    let with_overlap = caught_up
        .poll(&caught_up.source(), first.cursor.clone())
        .await;
    let ids: Vec<&str> = with_overlap
        .entries
        .iter()
        .map(|e| e.external_id.as_str())
        .collect();
    assert_eq!(ids, ["QFLAP0001"]);
    let flap = only(&with_overlap.entries, "QFLAP0001");
    assert_eq!(flap.status, Some(Status::Resolved));
    assert_eq!(flap.ended_at, Some(at(5, 59)));

    // The same poll without an overlap misses it: the window is what found it.
    let without = caught_up
        .poll(
            &caught_up.source_with_overlap(chrono::Duration::zero()),
            first.cursor.clone(),
        )
        .await;
    assert!(without.entries.is_empty(), "{:#?}", without.entries);
    caught_up.finish().await;
}

#[tokio::test]
async fn a_cursor_from_the_future_starts_over_from_the_backfill() {
    // A simulator restarted earlier in the day (or a clock set back) must not leave the source
    // asking for an empty window forever.
    let late = frozen(bundled_day(), "12:00").await;
    let cursor = late.poll(&late.source(), None).await.cursor;
    late.finish().await;
    let early = frozen(bundled_day(), "06:00").await;
    let out = early.poll(&early.source(), cursor).await;
    let ids: Vec<&str> = out.entries.iter().map(|e| e.external_id.as_str()).collect();
    assert_eq!(ids, ["Q0PAY0001"]);
    early.finish().await;
}

#[tokio::test]
async fn every_page_of_the_day_reads_its_log_in_the_order_it_happened() {
    let sim = frozen(bundled_day(), "23:59").await;
    let out = sim.poll(&sim.source(), None).await;
    let ids: Vec<&str> = out.entries.iter().map(|e| e.external_id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    for page in &out.entries {
        // The trigger and the assignment happen in the same second; only the vendor's list
        // order (not the entry ids, which are opaque) says which came first.
        assert_eq!(
            log_types(page)[..2],
            ["trigger", "assign"],
            "{}",
            page.external_id
        );
        assert_eq!(page.status, Some(Status::Resolved), "{}", page.external_id);
        assert_eq!(log_types(page).last().map(String::as_str), Some("resolve"));
    }
    sim.finish().await;
}
