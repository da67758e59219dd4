//! After a gap: the simulated Alertmanager has forgotten DBConnectionPoolExhausted (05:33–06:09)
//! by 06:30, and a real Prometheus seeded with the day's series still has its `ALERTS` samples.
//! A poll at 05:20 then one at 06:30 puts the missed occurrence on the timeline, resolved, with
//! the identity Alertmanager gave it; without a gap, or without Prometheus, nothing is invented.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use opsdeck_domain::{EntryKind, NewEntry, Status};
use opsdeck_sim::run::{start, RunningSim, SimOptions};
use opsdeck_sim::scenario::bundled_day;
use opsdeck_sources::alertmanager::{AlertmanagerConfig, AlertmanagerSource};
use opsdeck_sources::http::HttpOptions;
use opsdeck_sources::prometheus::{PrometheusConfig, PrometheusSource};
use opsdeck_sources::{PollContext, Source};
use opsdeck_testkit::Prometheus;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 4).expect("date")
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0)
        .single()
        .expect("valid")
}

async fn day_prometheus() -> Prometheus {
    tokio::task::spawn_blocking(|| {
        opsdeck_sim::prometheus::start(Arc::new(bundled_day()), date(), None)
    })
    .await
    .expect("joins")
    .unwrap_or_else(|e| panic!("Prometheus with the day's series: {e}"))
}

async fn sim_at(time: &str) -> RunningSim {
    let scenario = bundled_day();
    let at = scenario.parse_time(time).expect("time");
    start(SimOptions {
        scenario: Arc::new(scenario),
        date: date(),
        at,
        speed: 0.0,
        port_base: None,
    })
    .await
    .expect("simulator starts")
}

fn source(sim: &RunningSim, prometheus: Option<&Prometheus>) -> AlertmanagerSource {
    let http = HttpOptions {
        timeout: Duration::from_secs(10),
        ..HttpOptions::default()
    };
    AlertmanagerSource::new(AlertmanagerConfig {
        name: "alertmanager".into(),
        url: sim.url("alertmanager").expect("url").into(),
        token: None,
        services: HashMap::new(),
        http: http.clone(),
        backfill: prometheus.map(|p| {
            Arc::new(
                PrometheusSource::new(PrometheusConfig {
                    name: "prometheus".into(),
                    url: p.url(),
                    token: None,
                    http: http.clone(),
                })
                .expect("builds"),
            )
        }),
    })
    .expect("builds")
}

fn ctx(now: DateTime<Utc>, cursor: Option<String>) -> PollContext {
    PollContext {
        now,
        cursor,
        backfill: chrono::Duration::hours(24),
    }
}

fn pool(entries: &[NewEntry]) -> Vec<&NewEntry> {
    entries
        .iter()
        .filter(|e| e.title.starts_with("DBConnectionPoolExhausted"))
        .collect()
}

#[tokio::test]
async fn what_fired_and_resolved_during_a_gap_comes_back_from_prometheus() {
    let prometheus = day_prometheus().await;
    let sim = sim_at("05:20").await;
    let am = source(&sim, Some(&prometheus));
    let before = am
        .poll(&ctx(at(5, 20), None))
        .await
        .expect("polls at 05:20");
    assert!(pool(&before.entries).is_empty());

    // The laptop sleeps until 06:30.
    drop(sim.live().advance_to(at(6, 30)));
    let after = am
        .poll(&ctx(at(6, 30), before.cursor.clone()))
        .await
        .expect("polls at 06:30");
    let missed = pool(&after.entries);
    assert_eq!(missed.len(), 1, "{:#?}", after.entries);
    let e = missed[0];
    assert_eq!(e.kind, EntryKind::Alert);
    assert_eq!(e.status, Some(Status::Resolved));
    assert_eq!(e.started_at, at(5, 33));
    // Its last evaluation as firing; Prometheus saw it resolved at the next one.
    assert_eq!(e.ended_at, Some(at(6, 8)));
    assert_eq!(e.service.as_deref(), Some("payments-api"));
    let fingerprint = opsdeck_domain::matchers::fingerprint(
        &[
            ("alertname", "DBConnectionPoolExhausted"),
            ("service", "payments-api"),
            ("severity", "warning"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect(),
    );
    assert_eq!(e.external_id, format!("{fingerprint}@2026-05-04T05:33:00Z"));
    assert!(e.details["backfilled_from"]
        .as_str()
        .is_some_and(|s| s.contains("ALERTS")));

    // The next poll, with no gap, asks nothing more and invents nothing.
    let again = am
        .poll(&ctx(at(6, 31), after.cursor.clone()))
        .await
        .expect("polls at 06:31");
    assert!(pool(&again.entries).is_empty(), "{:#?}", again.entries);
    sim.stop().await;
}

#[tokio::test]
async fn without_prometheus_a_gap_is_only_what_alertmanager_still_knows() {
    let sim = sim_at("05:20").await;
    let am = source(&sim, None);
    let before = am.poll(&ctx(at(5, 20), None)).await.expect("polls");
    drop(sim.live().advance_to(at(6, 30)));
    let after = am
        .poll(&ctx(at(6, 30), before.cursor.clone()))
        .await
        .expect("polls");
    assert!(pool(&after.entries).is_empty(), "{:#?}", after.entries);
    sim.stop().await;
}
