//! The request budget: a client with a cap never sends more than its pace allows, as the
//! simulator sees the requests arrive; `budget()` counts what was sent and keeps what PagerDuty's
//! rate-limit headers said; the quick poll brings a new page with one cheap request on a lane
//! of its own, leaving the cursor and the page's log to the full poll.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use opsdeck_domain::Status;
use opsdeck_sim::pagerduty::Exchange;
use opsdeck_sim::scenario::bundled_day;
use opsdeck_sources::http::{HttpOptions, JsonClient, Pace};
use opsdeck_sources::Source;
use reqwest::header::AUTHORIZATION;
use serde_json::Value;

use crate::harness::{date, frozen, path_of, TOKEN};

/// `HH:MM` UTC on the replayed date (the bundled day is in UTC).
fn at(h: u32, m: u32) -> DateTime<Utc> {
    date().and_hms_opt(h, m, 0).expect("valid time").and_utc()
}

/// Waits for `done`, failing the test after 10 s.
async fn wait_until(done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "condition not met within 10 s");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";

#[tokio::test]
async fn a_capped_client_never_sends_more_than_its_pace_allows() {
    let sim = frozen(bundled_day(), "06:00").await;
    let arrived: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let log = Arc::clone(&arrived);
    sim.running.pagerduty.observe(Arc::new(move |_: &Exchange| {
        log.lock().expect("arrivals").push(Instant::now());
    }));
    // 120/min: a burst of 20, then one every 600 ms.
    let pace = Pace::per_minute(120);
    let client = JsonClient::new(
        "PagerDuty",
        sim.url(),
        Some((AUTHORIZATION, &format!("Token token={TOKEN}"))),
        &[],
        HttpOptions {
            timeout: Duration::from_secs(10),
            max_per_minute: Some(120),
            ..HttpOptions::default()
        },
    )
    .expect("client builds");

    // All at once, as several polls and actions might: only the limiter spreads them out.
    let sent = pace.burst as usize + 6;
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..sent {
        let client = client.clone();
        requests.spawn(async move {
            client
                .get_json::<Value>("users/me", &[], ACCEPT)
                .await
                .map(|_| ())
        });
    }
    while let Some(done) = requests.join_next().await {
        done.expect("request task").expect("request succeeds");
    }

    let arrived = arrived.lock().expect("arrivals").clone();
    assert_eq!(arrived.len(), sent);
    // The most any one-second window may hold: the burst and the refills due within it, plus
    // one for the time between a request leaving and the simulator seeing it.
    let most = pace.most_within(Duration::from_secs(1)) as usize + 1;
    assert!(most < sent, "the test must send more than a second allows");
    for (i, start) in arrived.iter().enumerate() {
        let within = arrived[i..]
            .iter()
            .filter(|t| t.duration_since(*start) < Duration::from_secs(1))
            .count();
        assert!(
            within <= most,
            "{within} requests within one second from request {i}, at most {most} allowed"
        );
    }
    let budget = client.budget();
    assert_eq!(budget.requests_last_minute as usize, sent);
    assert_eq!(budget.allowed_per_minute, Some(120));
    sim.finish().await;
}

#[tokio::test]
async fn budget_counts_the_requests_and_keeps_what_pagerduty_said_is_left() {
    let sim = frozen(bundled_day(), "06:00").await;
    let source = sim.source_with(
        chrono::Duration::minutes(5),
        HttpOptions {
            max_per_minute: Some(96),
            ..HttpOptions::default()
        },
    );
    let before = source.budget().expect("PagerDuty counts its requests");
    assert_eq!(
        (
            before.requests_last_minute,
            before.vendor_limit,
            before.vendor_remaining
        ),
        (0, None, None)
    );
    sim.poll(&source, None).await;
    let sent = u32::try_from(sim.exchanges().len()).expect("a few requests");
    assert!(
        sent >= 3,
        "users/me and two incident lists at least: {sent}"
    );
    let budget = source.budget().expect("PagerDuty counts its requests");
    assert_eq!(budget.requests_last_minute, sent);
    assert_eq!(budget.allowed_per_minute, Some(96));
    // The simulator's 960/min per token, charged once per request of this fresh simulator.
    assert_eq!(budget.vendor_limit, Some(960));
    assert_eq!(budget.vendor_remaining, Some(960 - sent));
    assert!(
        budget
            .vendor_reset_in
            .is_some_and(|r| r <= Duration::from_secs(60)),
        "{budget:?}"
    );
    sim.finish().await;
}

#[tokio::test]
async fn the_quick_poll_brings_a_new_page_with_one_request_and_leaves_the_cursor() {
    // 05:46: the day's first page (05:47) has not happened yet.
    let sim = frozen(bundled_day(), "05:46").await;
    let source = sim.source();
    let full = sim.poll(&source, None).await;
    assert!(full.entries.is_empty(), "{:#?}", full.entries);
    let cursor = full.cursor.clone();

    // Nothing new: one request, nothing handed over.
    let before = sim.exchanges().len();
    let quiet = sim.poll_new(&source, cursor.clone()).await;
    assert!(quiet.entries.is_empty(), "{:#?}", quiet.entries);
    assert_eq!(quiet.cursor, None, "the quick poll never writes the cursor");
    let asked = &sim.exchanges()[before..];
    assert_eq!(asked.len(), 1, "{asked:#?}");
    let query = &asked[0].path_and_query;
    assert_eq!(path_of(&asked[0]), "/incidents");
    for part in [
        "statuses%5B%5D=triggered",
        "date_range=all",
        "time_zone=UTC",
        "limit=25",
        "sort_by=created_at%3Adesc",
    ] {
        assert!(query.contains(part), "{query} lacks {part}");
    }

    // The page arrives: the quick poll hands it over as listed, with that one request.
    drop(sim.running.live().advance_to(at(5, 47)));
    let before = sim.exchanges().len();
    let quick = sim.poll_new(&source, cursor.clone()).await;
    assert_eq!(quick.cursor, None);
    let ids: Vec<&str> = quick
        .entries
        .iter()
        .map(|e| e.external_id.as_str())
        .collect();
    assert_eq!(ids, ["Q0PAY0001"]);
    let page = &quick.entries[0];
    assert_eq!(page.status, Some(Status::Triggered));
    assert_eq!(page.details["assigned_to_me"], Value::Bool(true));
    let exchanges = sim.exchanges();
    let paths: Vec<&str> = exchanges[before..].iter().map(path_of).collect();
    assert_eq!(paths, ["/incidents"]);

    // Handed over once: the next quick poll (same stored cursor) asks once and brings nothing.
    let before = sim.exchanges().len();
    let again = sim.poll_new(&source, cursor.clone()).await;
    assert!(again.entries.is_empty(), "{:#?}", again.entries);
    assert_eq!(sim.exchanges().len() - before, 1);

    // The full poll, from the cursor the quick poll left alone, finds the page new and adds
    // its log; everything else maps the same way.
    let full = sim.poll(&source, cursor).await;
    let same: Vec<_> = full
        .entries
        .iter()
        .filter(|e| e.external_id == "Q0PAY0001")
        .collect();
    assert_eq!(same.len(), 1, "{:#?}", full.entries);
    let mut without_log = same[0].clone();
    assert!(
        without_log.details["log_entries"]
            .as_array()
            .is_some_and(|log| !log.is_empty()),
        "{:#?}",
        without_log.details
    );
    without_log.details["log_entries"] = Value::Array(vec![]);
    without_log.raw["log_entries"] = Value::Array(vec![]);
    assert_eq!(&without_log, page);

    // From the cursor that knows it, neither poll brings it again.
    let after = sim.poll_new(&source, full.cursor.clone()).await;
    assert!(after.entries.is_empty(), "{:#?}", after.entries);
    sim.finish().await;
}

#[tokio::test]
async fn a_new_page_never_waits_behind_detail_fetches() {
    let sim = frozen(bundled_day(), "06:00").await;
    let arrived: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&arrived);
    sim.running.pagerduty.observe(Arc::new(move |x: &Exchange| {
        log.lock().expect("arrivals").push(x.path_and_query.clone());
    }));
    // 3/min with one quick poll a minute: the urgent lane keeps 2, the bulk lane 1 (one
    // request, then the next a minute later).
    let client = JsonClient::new(
        "PagerDuty",
        sim.url(),
        Some((AUTHORIZATION, &format!("Token token={TOKEN}"))),
        &[],
        HttpOptions {
            max_per_minute: Some(3),
            urgent_per_minute: Some(1),
            ..HttpOptions::default()
        },
    )
    .expect("client builds");

    // A full poll's detail fetches: the first goes out, the rest queue on the bulk lane.
    let mut details = tokio::task::JoinSet::new();
    for _ in 0..3 {
        let client = client.clone();
        details.spawn(async move {
            client
                .get_json::<Value>("users/me", &[], ACCEPT)
                .await
                .map(|_| ())
        });
    }
    wait_until(|| arrived.lock().expect("arrivals").len() == 1).await;

    // The quick poll goes out on its own lane, ahead of the queued details: on theirs it would
    // wait the rest of the minute, past this deadline.
    let quick = client.urgent();
    tokio::time::timeout(
        Duration::from_secs(30),
        quick.get_json::<Value>(
            "incidents",
            &[("statuses[]", "triggered".to_string())],
            ACCEPT,
        ),
    )
    .await
    .expect("the quick poll is not held behind the detail fetches")
    .expect("the quick poll succeeds");
    let seen = arrived.lock().expect("arrivals").clone();
    assert_eq!(seen.len(), 2, "{seen:#?}");
    assert!(seen[1].starts_with("/incidents"), "{seen:#?}");
    details.abort_all();
    // One budget: both lanes count, against the one cap.
    let budget = client.budget();
    assert_eq!(budget.requests_last_minute, 2);
    assert_eq!(budget.allowed_per_minute, Some(3));
    sim.finish().await;
}
