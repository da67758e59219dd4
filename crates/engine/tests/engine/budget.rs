//! Budget-aware polling through the supervisor: a page created after start reaches the
//! notifier through the quick poll long before the full poll's interval, and the source's
//! health shows the request rate and what PagerDuty says is left; a quick poll's failure shows
//! on health like any other, and only a full poll's success clears it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use opsdeck_domain::{entry_id, HealthState, SourceKind, Status};
use opsdeck_engine::Change;
use opsdeck_sim::pagerduty::{Exchange, Fault, PathMatch};

use crate::harness::{
    at, config_for, health_of, pagerduty_source, sim, wait_for_change, Home, Recorder, SOURCE,
};

const PAGE: &str = "page:Q0PAY0001:triggered";

/// Waits until `recorder` has shown `key`; fails after `within`.
async fn until_notified(recorder: &Recorder, key: &str, within: Duration) {
    let deadline = Instant::now() + within;
    while !recorder.keys().iter().any(|k| k == key) {
        assert!(
            Instant::now() < deadline,
            "{key} not shown within {within:?}; shown: {:?}",
            recorder.keys()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_new_page_reaches_the_notifier_through_the_quick_poll() {
    // Frozen at 05:46, a minute before the day's first page.
    let running = sim("05:46", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let mut source = pagerduty_source(SOURCE, &url, Duration::from_secs(5));
    // Far longer than the test: after the first full poll, only the quick poll looks.
    source.poll_interval = Duration::from_secs(3600);
    source.fast_poll_interval = Duration::from_millis(200);
    // 300 quick polls a minute need the whole budget (they may take at most half of it).
    source.budget_share = 1.0;
    let config = config_for(&running, vec![source]);
    let home = Home::new();
    let recorder = Arc::new(Recorder::default());
    let cockpit = home.open(&config, recorder.clone());
    let mut feed = cockpit.subscribe();

    cockpit.start().await;
    // The first full poll, at once: nothing has paged yet.
    wait_for_change(
        &mut feed,
        Duration::from_secs(30),
        |c| matches!(c, Change::Health { source } if source == SOURCE),
    )
    .await;
    let health = health_of(&cockpit, SOURCE);
    assert_eq!(health.state, HealthState::Ok, "{health:?}");
    assert!(recorder.keys().is_empty(), "{:?}", recorder.keys());

    // 05:47: PagerDuty creates the page.
    drop(running.live().advance_to(at(5, 47)));
    until_notified(&recorder, PAGE, Duration::from_secs(30)).await;
    let page = cockpit
        .entry(&entry_id(SourceKind::Pagerduty, "Q0PAY0001"))
        .expect("cache reads")
        .expect("the page is cached");
    assert_eq!(page.status, Some(Status::Triggered));

    // The header's figures: this process's requests, the cap from budget_share, and what
    // PagerDuty's headers said.
    let health = health_of(&cockpit, SOURCE);
    assert_eq!(health.state, HealthState::Ok, "{health:?}");
    let sent = health.requests_per_minute.expect("requests counted");
    assert!(
        sent >= 4,
        "users/me, two lists, a quick poll at least: {health:?}"
    );
    assert_eq!(health.allowed_per_minute, Some(960));
    assert_eq!(health.vendor_limit, Some(960));
    let left = health
        .vendor_remaining
        .expect("PagerDuty said what is left");
    assert!(left < 960, "{health:?}");
    let message = health.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("PagerDuty ok · ") && message.contains("req/min of 960 allowed · "),
        "{message}"
    );
    assert!(message.ends_with("/960 left at PagerDuty"), "{message}");

    // The full poll takes the page over: stored again unchanged, and never notified twice.
    cockpit.refresh().await;
    wait_for_change(
        &mut feed,
        Duration::from_secs(30),
        |c| matches!(c, Change::Health { source } if source == SOURCE),
    )
    .await;
    cockpit.notify_due().await.expect("paging runs");
    let rung = recorder.keys().iter().filter(|k| *k == PAGE).count();
    assert_eq!(rung, 1, "{:?}", recorder.keys());
    cockpit.shutdown().await;
    running.stop().await;
}

#[tokio::test]
async fn a_failing_quick_poll_shows_on_health_until_the_full_poll_succeeds() {
    let running = sim("06:00", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let mut source = pagerduty_source(SOURCE, &url, Duration::from_secs(5));
    source.poll_interval = Duration::from_secs(3600);
    source.fast_poll_interval = Duration::from_millis(200);
    source.budget_share = 1.0;
    let config = config_for(&running, vec![source]);
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    let mut feed = cockpit.subscribe();
    let is_health = |c: &Change| matches!(c, Change::Health { source } if source == SOURCE);

    cockpit.start().await;
    wait_for_change(&mut feed, Duration::from_secs(30), is_health).await;
    assert_eq!(health_of(&cockpit, SOURCE).state, HealthState::Ok);

    // PagerDuty refuses the next quick poll: that is PagerDuty failing, whichever poll saw it.
    let listed = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&listed);
    running.pagerduty.observe(Arc::new(move |e: &Exchange| {
        if e.status == 200 && e.path_and_query.starts_with("/incidents?") {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }));
    running
        .pagerduty
        .faults()
        .push(PathMatch::exact("/incidents"), Fault::Status(403), Some(1));
    wait_for_change(&mut feed, Duration::from_secs(30), is_health).await;
    let health = health_of(&cockpit, SOURCE);
    assert_eq!(health.state, HealthState::Error, "{health:?}");
    assert!(
        health
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("403")),
        "{health:?}"
    );

    // A later quick poll works again, but says nothing about the full poll: still an error.
    let deadline = Instant::now() + Duration::from_secs(30);
    while listed.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "no quick poll after the failure");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(health_of(&cockpit, SOURCE).state, HealthState::Error);

    // The full poll succeeds: ok again.
    cockpit.refresh().await;
    wait_for_change(&mut feed, Duration::from_secs(30), is_health).await;
    let health = health_of(&cockpit, SOURCE);
    assert_eq!(health.state, HealthState::Ok, "{health:?}");
    cockpit.shutdown().await;
    running.stop().await;
}
