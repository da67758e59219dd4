//! Who is on call, from the simulated PagerDuty's `/oncalls`, through the Cockpit.

use std::sync::Arc;
use std::time::Duration;

use crate::harness::{at, config_for, pagerduty_source, sim, sync_ok, Home, Recorder};

#[tokio::test]
async fn my_shift_and_who_else_holds_my_policy() {
    let running = sim("06:00", 0.0).await;
    let url = running.url("pagerduty").expect("pagerduty url").to_string();
    // No `me` in the config: PagerDuty's /users/me says who I am.
    let config = config_for(
        &running,
        vec![pagerduty_source("pagerduty", &url, Duration::from_secs(5))],
    );
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    let before = cockpit.oncall().expect("reads");
    assert_eq!(before.current, None);
    assert_eq!(before.fetched_at, None);

    sync_ok(&cockpit).await;
    let summary = cockpit.oncall().expect("reads");
    let current = summary.current.expect("Sam is on call at 06:00");
    assert_eq!(current.user_name, "Sam Okafor");
    assert_eq!(current.schedule.as_deref(), Some("Payments Primary"));
    // The shift runs from 05:00 to 09:00 the next day.
    assert_eq!(current.end, Some(at(9, 0) + chrono::Duration::days(1)));
    assert_eq!(summary.next, None);
    let now: Vec<&str> = summary.now.iter().map(|s| s.user_name.as_str()).collect();
    assert_eq!(now, ["Sam Okafor"], "{:?}", summary.now);
    assert_eq!(summary.fetched_at, Some(at(6, 0)));
    assert_eq!(
        cockpit.me().expect("reads").as_deref(),
        Some("sam.okafor@example.test")
    );
    running.stop().await;
}
