//! Bad input and faults: a source that fails says why on its health, keeps the cache exactly
//! as it was, recovers when the fault clears, and never stops the other sources.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use opsdeck_domain::{HealthState, TimelineEntry};
use opsdeck_engine::Cockpit;
use opsdeck_sim::pagerduty::{Exchange, Fault, PathMatch};
use opsdeck_sim::run::RunningSim;

use crate::harness::{
    assert_healthy, closed_port, config_for, day, health_of, pagerduty_source, result_of, sim,
    sync_ok, Home, Recorder, SOURCE, TOKEN,
};

/// Short enough that a hang fails the test quickly; long enough for a loaded machine.
const TIMEOUT: Duration = Duration::from_secs(2);

/// The shared day frozen at noon: one resolved page (05:47) and one still open (11:30), so the
/// failing polls also have open incidents to re-check.
async fn synced_at_noon(home: &Home) -> (RunningSim, Cockpit, Vec<TimelineEntry>) {
    let running = sim("12:00", 0.0).await;
    let url = running.url("pagerduty").expect("pagerduty url").to_string();
    let config = config_for(&running, vec![pagerduty_source(SOURCE, &url, TIMEOUT)]);
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    sync_ok(&cockpit).await;
    let cached = day(&cockpit);
    let ids: Vec<&str> = cached.iter().map(|e| e.external_id.as_str()).collect();
    assert_eq!(ids, ["Q0PAY0001", "Q0SEC0002"]);
    assert_healthy(&cockpit, SOURCE);
    (running, cockpit, cached)
}

fn assert_unchanged(cockpit: &Cockpit, before: &[TimelineEntry], after_what: &str) {
    let now = day(cockpit);
    let ids: Vec<&str> = now.iter().map(|e| e.id.as_str()).collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "{after_what}: duplicated entries {ids:?}"
    );
    assert_eq!(now, before, "{after_what}: the cache changed");
}

/// Syncs with the fault armed and checks the failure; returns the error text.
async fn sync_fails(
    cockpit: &Cockpit,
    before: &[TimelineEntry],
    what: &str,
    words: &[&str],
) -> String {
    let syncs = cockpit.sync_once().await;
    let error = result_of(&syncs, SOURCE)
        .result
        .as_ref()
        .err()
        .unwrap_or_else(|| panic!("{what}: the sync succeeded"))
        .clone();
    for word in words {
        assert!(
            error.to_lowercase().contains(&word.to_lowercase()),
            "{what}: {error:?} does not say {word:?}"
        );
    }
    assert!(!error.contains(TOKEN), "{what}: the token leaked: {error}");
    let health = health_of(cockpit, SOURCE);
    assert_eq!(health.state, HealthState::Error, "{what}: {health:?}");
    // The hover line: the reason first, then the request budget.
    let message = health.message.clone().unwrap_or_default();
    assert!(
        message.starts_with(&format!("{error} · ")) && message.contains("req/min of 96 allowed"),
        "{what}: {message}"
    );
    assert_eq!(health.last_error.as_deref(), Some(error.as_str()), "{what}");
    assert_unchanged(cockpit, before, what);
    error
}

async fn recovers(cockpit: &Cockpit, before: &[TimelineEntry], what: &str) {
    let syncs = cockpit.sync_once().await;
    assert!(
        result_of(&syncs, SOURCE).result.is_ok(),
        "{what}: no recovery: {:?}",
        result_of(&syncs, SOURCE).result
    );
    let health = health_of(cockpit, SOURCE);
    assert_eq!(health.state, HealthState::Ok, "{what}: {health:?}");
    let message = health.message.clone().unwrap_or_default();
    assert!(message.starts_with("PagerDuty ok · "), "{what}: {message}");
    assert_unchanged(cockpit, before, &format!("{what}, recovered"));
}

#[tokio::test]
async fn bad_bodies_and_error_statuses_fail_the_source_clearly_and_lose_nothing() {
    let home = Home::new();
    let (running, cockpit, before) = synced_at_noon(&home).await;
    let faults = running.pagerduty.faults();
    let cases: &[(Fault, &[&str])] = &[
        (Fault::Truncated, &["truncated", "/incidents"]),
        // The first list this poll reads is empty, so the wrongly typed `limit` is what
        // fails; the message names the field, not just "somewhere".
        (
            Fault::WrongTypes,
            &["cannot read", "unexpected shape at limit"],
        ),
        (Fault::Malformed, &["malformed"]),
        (Fault::Status(401), &["401", "token"]),
        (Fault::Status(403), &["403", "access"]),
        (Fault::Status(404), &["404", "/incidents"]),
        // Retried (transient), then reported.
        (Fault::Status(500), &["500"]),
        (Fault::Status(503), &["503"]),
        // The simulator's 429 asks for 1 s: short enough to retry inline, but one that never
        // ends must still give up after the client's retries.
        (Fault::Status(429), &["429", "rate limit"]),
    ];
    for (fault, words) in cases {
        let what = format!("{fault:?}");
        faults.push(PathMatch::exact("/incidents"), fault.clone(), None);
        tokio::time::timeout(
            Duration::from_secs(30),
            sync_fails(&cockpit, &before, &what, words),
        )
        .await
        .unwrap_or_else(|_| panic!("{what}: the failing sync did not end within 30 s"));
        faults.clear();
        recovers(&cockpit, &before, &what).await;
    }
    running.stop().await;
}

#[tokio::test]
async fn a_short_rate_limit_is_retried_and_the_sync_succeeds() {
    let home = Home::new();
    let (running, cockpit, before) = synced_at_noon(&home).await;
    let faults = running.pagerduty.faults();
    faults.push(PathMatch::exact("/incidents"), Fault::Status(429), Some(1));
    let started = Instant::now();
    sync_ok(&cockpit).await;
    assert_eq!(faults.pending(), 0, "the 429 was served");
    // The simulator said "retry after 1 s", and the client waited for it.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_healthy(&cockpit, SOURCE);
    assert_unchanged(&cockpit, &before, "a retried 429");
    running.stop().await;
}

#[tokio::test]
async fn a_hang_past_the_timeout_fails_the_source_then_recovers() {
    let home = Home::new();
    let (running, cockpit, before) = synced_at_noon(&home).await;
    let faults = running.pagerduty.faults();
    faults.push(
        PathMatch::exact("/incidents"),
        Fault::Hang(TIMEOUT * 3),
        None,
    );
    let error = sync_fails(&cockpit, &before, "hang", &["did not answer", "within 2s"]).await;
    assert!(error.contains("/incidents"), "{error}");
    faults.clear();
    recovers(&cockpit, &before, "hang").await;
    running.stop().await;
}

#[tokio::test]
async fn a_long_rate_limit_surfaces_at_once_and_the_source_recovers_after_it() {
    let home = Home::new();
    let (running, cockpit, before) = synced_at_noon(&home).await;
    // Count the 429s served: a Retry-After this long must fail the poll, not be slept through
    // (nor retried) inside it.
    let limited = Arc::new(AtomicUsize::new(0));
    let seen = limited.clone();
    running.pagerduty.observe(Arc::new(move |ex: &Exchange| {
        if ex.status == 429 {
            seen.fetch_add(1, Ordering::SeqCst);
        }
    }));
    let faults = running.pagerduty.faults();
    faults.push(
        PathMatch::Any,
        Fault::RateLimited(Duration::from_secs(120)),
        None,
    );
    let error = sync_fails(
        &cockpit,
        &before,
        "long 429",
        &["429", "rate limit", "120s"],
    )
    .await;
    assert_eq!(
        limited.load(Ordering::SeqCst),
        1,
        "one request, no inline retries: {error}"
    );
    faults.clear();
    recovers(&cockpit, &before, "long 429").await;
    running.stop().await;
}

#[tokio::test]
async fn an_unreachable_source_fails_alone() {
    let running = sim("12:00", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let offline = format!("http://127.0.0.1:{}", closed_port());
    let config = config_for(
        &running,
        vec![
            pagerduty_source(SOURCE, &url, TIMEOUT),
            pagerduty_source("pagerduty-offline", &offline, TIMEOUT),
        ],
    );
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    let syncs = cockpit.sync_once().await;
    let ok = result_of(&syncs, SOURCE)
        .result
        .as_ref()
        .expect("the reachable source syncs");
    assert_eq!(ok.inserted, 2);
    let error = result_of(&syncs, "pagerduty-offline")
        .result
        .as_ref()
        .expect_err("nothing listens there");
    assert!(error.contains("cannot reach"), "{error}");
    assert!(error.contains(&offline), "names where: {error}");
    assert!(!error.contains(TOKEN), "{error}");
    assert_healthy(&cockpit, SOURCE);
    let offline_health = health_of(&cockpit, "pagerduty-offline");
    assert_eq!(offline_health.state, HealthState::Error);
    let message = offline_health.message.clone().unwrap_or_default();
    assert!(message.starts_with(&format!("{error} · ")), "{message}");
    let ids: Vec<String> = day(&cockpit).into_iter().map(|e| e.external_id).collect();
    assert_eq!(ids, ["Q0PAY0001", "Q0SEC0002"]);
    running.stop().await;
}
