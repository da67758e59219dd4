//! The background supervisor: polls on its interval and publishes on the change feed, polls at
//! once on refresh, and stops within its bound even while a source hangs.

use std::sync::Arc;
use std::time::{Duration, Instant};

use opsdeck_domain::{entry_id, SourceKind, Status};
use opsdeck_engine::Change;
use opsdeck_sim::pagerduty::{Fault, PathMatch};

use crate::harness::{
    at, config_for, day, pagerduty_source, sim, wait_for_change, Home, Recorder, SOURCE,
};

fn page_entry_id() -> String {
    entry_id(SourceKind::Pagerduty, "Q0PAY0001")
}

fn is_page_change(change: &Change) -> bool {
    matches!(change, Change::Entries { source, ids } if source == SOURCE && ids.contains(&page_entry_id()))
}

#[tokio::test]
async fn the_poll_loop_brings_the_page_onto_the_change_feed() {
    // 600×: the 05:47 page is 0.7 s of real time after 05:40.
    let running = sim("05:40", 600.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let mut source = pagerduty_source(SOURCE, &url, Duration::from_secs(5));
    source.poll_interval = Duration::from_secs(1);
    let config = config_for(&running, vec![source]);
    let home = Home::new();
    let recorder = Arc::new(Recorder::default());
    let cockpit = home.open(&config, recorder.clone());
    let mut feed = cockpit.subscribe();

    cockpit.start().await;
    wait_for_change(&mut feed, Duration::from_secs(30), is_page_change).await;
    let cached = day(&cockpit);
    assert!(
        cached.iter().any(|e| e.id == page_entry_id()),
        "the change names an entry the cache does not have: {cached:?}"
    );
    let started = Instant::now();
    cockpit.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    running.stop().await;
}

#[tokio::test]
async fn refresh_polls_before_the_interval() {
    // Frozen, so nothing changes unless the test changes it.
    let running = sim("06:00", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let mut source = pagerduty_source(SOURCE, &url, Duration::from_secs(5));
    // Far longer than the test: any poll after the first comes from refresh.
    source.poll_interval = Duration::from_secs(3600);
    let config = config_for(&running, vec![source]);
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    let mut feed = cockpit.subscribe();

    cockpit.start().await;
    // The first tick polls at once and finds the acknowledged page.
    wait_for_change(&mut feed, Duration::from_secs(30), is_page_change).await;
    running
        .world
        .lock()
        .expect("world")
        .resolve("Q0PAY0001", "sam.okafor@example.test", running.now())
        .expect("the page resolves");
    cockpit.refresh().await;
    wait_for_change(&mut feed, Duration::from_secs(30), is_page_change).await;
    let page = cockpit
        .entry(&page_entry_id())
        .expect("cache reads")
        .expect("the page is cached");
    assert_eq!(page.status, Some(Status::Resolved));
    assert_eq!(page.ended_at, Some(at(6, 0)));
    cockpit.shutdown().await;
    running.stop().await;
}

#[tokio::test]
async fn shutdown_is_bounded_while_a_source_hangs() {
    let running = sim("06:00", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    // The client's own timeout is far away: only the supervisor's bound can end this.
    let source = pagerduty_source(SOURCE, &url, Duration::from_secs(120));
    let config = config_for(&running, vec![source]);
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    let faults = running.pagerduty.faults();
    faults.push(PathMatch::Any, Fault::HangUntilStopped, Some(1));

    cockpit.start().await;
    // The fault is used up once the first request arrived and is hanging.
    let deadline = Instant::now() + Duration::from_secs(30);
    while faults.pending() > 0 {
        assert!(
            Instant::now() < deadline,
            "the first poll never reached the simulator"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    cockpit.shutdown().await;
    let took = started.elapsed();
    // The engine's bound is 3 s; a little slack for a loaded machine.
    assert!(took < Duration::from_secs(4), "shutdown took {took:?}");
    running.stop().await;
}
