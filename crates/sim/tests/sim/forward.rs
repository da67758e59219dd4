//! The simulator driving a real Alertmanager: the scenario's `via: prometheus` alert appears
//! there with the simulator's fingerprint, and leaves once the scenario resolves it.

use std::time::{Duration, Instant};

use opsdeck_testkit::Alertmanager;
use serde_json::Value;

use crate::harness::shared_day_at;

async fn listed(client: &reqwest::Client, url: &str) -> Vec<Value> {
    client
        .get(format!("{url}/api/v2/alerts?active=true"))
        .send()
        .await
        .expect("lists")
        .json()
        .await
        .expect("JSON")
}

async fn wait_for(
    client: &reqwest::Client,
    url: &str,
    what: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let alerts = listed(client, url).await;
        if done(&alerts) {
            return alerts;
        }
        assert!(
            Instant::now() < deadline,
            "{what} never happened; last: {alerts:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn scenario_alerts_are_posted_to_a_real_alertmanager_and_resolved_there() {
    let mut sim = shared_day_at("06:00").await;
    let real = Alertmanager::start().unwrap_or_else(|e| panic!("{e}"));
    let simulated: Vec<Value> = sim
        .client
        .get(format!(
            "{}/api/v2/alerts",
            sim.running.url("alertmanager").expect("url")
        ))
        .send()
        .await
        .expect("lists")
        .json()
        .await
        .expect("JSON");
    let fingerprint = simulated[0]["fingerprint"].clone();
    sim.running.forward_alerts_to(&real.url());

    let client = reqwest::Client::new();
    let there = wait_for(
        &client,
        &real.url(),
        "the alert reaching Alertmanager",
        |a| !a.is_empty(),
    )
    .await;
    assert_eq!(there.len(), 1, "only via: prometheus alerts: {there:?}");
    assert_eq!(there[0]["fingerprint"], fingerprint);
    assert_eq!(there[0]["labels"]["alertname"], "DBConnectionPoolExhausted");
    assert_eq!(there[0]["startsAt"], simulated[0]["startsAt"]);

    // 06:09 resolves it in the scenario; the next round tells Alertmanager.
    drop(
        sim.running
            .live()
            .advance_to(sim.running.now() + chrono::TimeDelta::minutes(10)),
    );
    wait_for(&client, &real.url(), "the alert resolving", |a| {
        a.is_empty()
    })
    .await;
    sim.finish_alertmanager().await;
}
