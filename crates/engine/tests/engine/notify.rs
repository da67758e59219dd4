//! Page notifications through the engine: once per page, never again after a re-sync or a
//! restart, and none for a page someone already acknowledged.

use std::sync::Arc;

use opsdeck_domain::Status;

use crate::harness::{at, config_for, day, pagerduty_source, sim, sync_ok, Home, Recorder, SOURCE};

const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
const ME: &str = "sam.okafor@example.test";

#[tokio::test]
async fn a_triggered_page_notifies_once_across_resyncs_and_restarts() {
    // 05:50: Q0PAY0001 triggered at 05:47, high urgency, assigned to me; acknowledged at 05:52.
    let running = sim("05:50", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let config = config_for(&running, vec![pagerduty_source(SOURCE, &url, TIMEOUT)]);
    let home = Home::new();

    let recorder = Arc::new(Recorder::default());
    let cockpit = home.open(&config, recorder.clone());
    let first = sync_ok(&cockpit).await;
    assert_eq!(recorder.keys(), ["page:Q0PAY0001:triggered"]);
    assert_eq!(first[0].result.as_ref().expect("ok").notified, 1);

    // Nothing changed: nothing to notify about.
    sync_ok(&cockpit).await;
    assert_eq!(recorder.keys().len(), 1);

    // The page changes (a note) but is still triggered: the entry is updated and looked at
    // again, and the store's memory of the key is what keeps it quiet.
    let note = |text: &str, h, m| {
        running
            .world
            .lock()
            .expect("world")
            .add_note("Q0PAY0001", ME, text, at(h, m))
            .expect("the note is added");
    };
    note("looking", 5, 50);
    let resynced = sync_ok(&cockpit).await;
    let outcome = resynced[0].result.as_ref().expect("ok");
    assert_eq!(outcome.updated, 1, "the note did not reach the cache");
    assert_eq!(outcome.notified, 0);
    assert_eq!(recorder.keys().len(), 1);
    drop(cockpit);

    // A restart on the same cache, with the page changed again while opsdeck was down.
    note("still looking", 5, 51);
    let after_restart = Arc::new(Recorder::default());
    let reopened = home.open(&config, after_restart.clone());
    let synced = sync_ok(&reopened).await;
    assert_eq!(synced[0].result.as_ref().expect("ok").updated, 1);
    assert_eq!(after_restart.keys(), Vec::<String>::new());
    let page = day(&reopened);
    assert_eq!(page.len(), 1);
    assert_eq!(
        page[0].status,
        Some(Status::Triggered),
        "still a page to answer"
    );
    running.stop().await;
}

#[tokio::test]
async fn an_acknowledged_page_does_not_notify() {
    let running = sim("06:00", 0.0).await;
    let url = running.url("pagerduty").expect("url").to_string();
    let config = config_for(&running, vec![pagerduty_source(SOURCE, &url, TIMEOUT)]);
    let home = Home::new();
    let recorder = Arc::new(Recorder::default());
    let cockpit = home.open(&config, recorder.clone());
    sync_ok(&cockpit).await;
    // It was synced (so silence is a decision, not an empty cache).
    let cached = day(&cockpit);
    assert_eq!(cached.len(), 1);
    assert_eq!(cached[0].status, Some(Status::Acknowledged));
    assert_eq!(recorder.keys(), Vec::<String>::new());
    running.stop().await;
}
