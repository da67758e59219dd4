//! The simulated Alertmanager: the shared day's `via: prometheus` alerts, silences with
//! Alertmanager's rules, and fingerprints identical to a real Alertmanager's. Every exchange is
//! checked against the Alertmanager spec when each test finishes.

use std::time::{Duration, Instant};

use opsdeck_testkit::Alertmanager;
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{shared_day_at, Sim, SAM};

async fn alerts(sim: &Sim, query: &str) -> Vec<Value> {
    let reply = Sim::send(sim.alertmanager(Method::GET, &format!("/api/v2/alerts{query}"))).await;
    assert_eq!(reply.status, 200, "{query}: {}", reply.text);
    reply.json().as_array().expect("an array").clone()
}

fn names(alerts: &[Value]) -> Vec<&str> {
    alerts
        .iter()
        .map(|a| a["labels"]["alertname"].as_str().expect("alertname"))
        .collect()
}

fn silence_body(matchers: Value, minutes: i64, sim: &Sim) -> Value {
    let now = sim.running.now();
    json!({
        "matchers": matchers,
        "startsAt": now.to_rfc3339(),
        "endsAt": (now + chrono::TimeDelta::minutes(minutes)).to_rfc3339(),
        "createdBy": SAM,
        "comment": "pool fix deploying",
    })
}

#[tokio::test]
async fn firing_prometheus_alerts_are_listed_until_they_resolve() {
    let sim = shared_day_at("06:00").await;
    let firing = alerts(&sim, "").await;
    // APIResponseTimeCritical fires via Grafana: not Alertmanager's.
    assert_eq!(names(&firing), ["DBConnectionPoolExhausted"]);
    let alert = &firing[0];
    assert_eq!(alert["labels"]["service"], "payments-api");
    assert_eq!(alert["labels"]["severity"], "warning");
    assert_eq!(
        alert["annotations"],
        json!({"summary": "connection pool 200/200 in use",
               "runbook_url": "https://runbooks.example.test/connection-pool"})
    );
    assert_eq!(alert["startsAt"], "2026-05-04T05:33:00.000Z");
    assert_eq!(alert["status"]["state"], "active");
    assert_eq!(alert["receivers"], json!([{"name": "default"}]));
    let labels = alert["labels"].as_object().expect("labels");
    assert_eq!(
        labels.len(),
        3,
        "alertname, service and severity: {labels:?}"
    );

    // Filters and receivers narrow the list; a bad one is refused with a reason.
    assert_eq!(
        alerts(&sim, "?filter=service%3D%22payments-api%22")
            .await
            .len(),
        1
    );
    assert!(alerts(&sim, "?filter=service%3D%22orders-db%22")
        .await
        .is_empty());
    assert!(alerts(&sim, "?receiver=pagerduty").await.is_empty());
    assert!(alerts(&sim, "?active=false").await.is_empty());
    let bad = Sim::send(sim.alertmanager(Method::GET, "/api/v2/alerts?filter=%3D%22x%22")).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()
            .as_str()
            .is_some_and(|m| m.contains("bad matcher")),
        "{}",
        bad.text
    );
    let bad = Sim::send(sim.alertmanager(Method::GET, "/api/v2/alerts?active=maybe")).await;
    assert_eq!(bad.status, 400, "{}", bad.text);

    // 06:09 resolves it, and Alertmanager forgets it.
    drop(
        sim.running
            .live()
            .advance_to(sim.running.now() + chrono::TimeDelta::minutes(10)),
    );
    assert!(alerts(&sim, "").await.is_empty());
    sim.finish_alertmanager().await;
}

#[tokio::test]
async fn a_silence_suppresses_until_it_is_expired() {
    let sim = shared_day_at("06:00").await;
    let matchers = json!([{"name": "alertname", "value": "DBConnection.*", "isRegex": true,
                           "isEqual": true}]);
    let reply = Sim::send(
        sim.alertmanager(Method::POST, "/api/v2/silences")
            .json(&silence_body(matchers, 120, &sim)),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let id = reply.json()["silenceID"]
        .as_str()
        .expect("silenceID")
        .to_owned();

    let firing = alerts(&sim, "").await;
    assert_eq!(firing[0]["status"]["state"], "suppressed");
    assert_eq!(firing[0]["status"]["silencedBy"], json!([id]));
    assert!(alerts(&sim, "?silenced=false").await.is_empty());

    let listed = Sim::send(sim.alertmanager(Method::GET, "/api/v2/silences"))
        .await
        .json();
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["status"]["state"], "active");
    assert_eq!(listed[0]["createdBy"], SAM);
    let one = Sim::send(sim.alertmanager(Method::GET, &format!("/api/v2/silence/{id}"))).await;
    assert_eq!(one.json()["matchers"][0]["value"], "DBConnection.*");

    let expired =
        Sim::send(sim.alertmanager(Method::DELETE, &format!("/api/v2/silence/{id}"))).await;
    assert_eq!(expired.status, 200, "{}", expired.text);
    assert_eq!(alerts(&sim, "").await[0]["status"]["state"], "active");
    let again = Sim::send(sim.alertmanager(Method::DELETE, &format!("/api/v2/silence/{id}"))).await;
    assert_eq!(again.status, 500);
    assert!(again.text.contains("already expired"), "{}", again.text);
    let one = Sim::send(sim.alertmanager(Method::GET, &format!("/api/v2/silence/{id}"))).await;
    assert_eq!(one.json()["status"]["state"], "expired");
    sim.finish_alertmanager().await;
}

#[tokio::test]
async fn bad_silences_are_refused_in_alertmanager_words() {
    let sim = shared_day_at("06:00").await;
    let post = |body: Value| {
        Sim::send(
            sim.alertmanager(Method::POST, "/api/v2/silences")
                .json(&body),
        )
    };
    let everything = post(silence_body(
        json!([{"name": "alertname", "value": ".*", "isRegex": true}]),
        60,
        &sim,
    ))
    .await;
    assert_eq!(everything.status, 400);
    assert!(
        everything.text.contains("must not match the empty string"),
        "{}",
        everything.text
    );
    let mut anonymous = silence_body(
        json!([{"name": "a", "value": "1", "isRegex": false}]),
        60,
        &sim,
    );
    anonymous["comment"] = json!("");
    let unexplained = post(anonymous).await;
    assert_eq!(unexplained.status, 400);
    assert!(
        unexplained.text.contains("comment missing"),
        "{}",
        unexplained.text
    );
    let bad_regex = post(silence_body(
        json!([{"name": "a", "value": "(", "isRegex": true}]),
        60,
        &sim,
    ))
    .await;
    assert_eq!(bad_regex.status, 400);
    assert!(
        bad_regex.text.contains("invalid label matcher"),
        "{}",
        bad_regex.text
    );
    let mut unknown = silence_body(
        json!([{"name": "a", "value": "1", "isRegex": false}]),
        60,
        &sim,
    );
    unknown["id"] = json!("00000000-0000-4000-8000-000000000000");
    assert_eq!(post(unknown).await.status, 404);
    let missing = Sim::send(sim.alertmanager(
        Method::GET,
        "/api/v2/silence/00000000-0000-4000-8000-000000000000",
    ))
    .await;
    assert_eq!(missing.status, 404);
    let not_json = Sim::send(
        sim.alertmanager(Method::POST, "/api/v2/silences")
            .header("content-type", "application/json")
            .body("{matchers"),
    )
    .await;
    assert_eq!(not_json.status, 400);
    // Nothing refused was kept.
    let listed = Sim::send(sim.alertmanager(Method::GET, "/api/v2/silences"))
        .await
        .json();
    assert_eq!(listed, json!([]));
    for path in ["/api/v2/status", "/api/v2/receivers"] {
        let reply = Sim::send(sim.alertmanager(Method::GET, path)).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    }
    sim.finish_alertmanager().await;
}

/// The same labels posted to a real Alertmanager get the fingerprint the simulator gives them,
/// so an alert keeps its identity whichever of the two serves it.
#[tokio::test]
async fn fingerprints_match_a_real_alertmanager() {
    let sim = shared_day_at("06:00").await;
    let simulated = alerts(&sim, "").await.remove(0);
    let real = Alertmanager::start().expect("Alertmanager starts (see RECIPES.md)");
    let posted = json!([{
        "labels": simulated["labels"],
        "annotations": simulated["annotations"],
        "startsAt": chrono::Utc::now().to_rfc3339(),
    }]);
    let client = reqwest::Client::new();
    let reply = client
        .post(format!("{}/api/v2/alerts", real.url()))
        .json(&posted)
        .send()
        .await
        .expect("posts");
    assert!(reply.status().is_success(), "{:?}", reply.text().await);
    let deadline = Instant::now() + Duration::from_secs(20);
    let listed = loop {
        let listed: Vec<Value> = client
            .get(format!("{}/api/v2/alerts", real.url()))
            .send()
            .await
            .expect("lists")
            .json()
            .await
            .expect("json");
        if !listed.is_empty() {
            break listed;
        }
        assert!(
            Instant::now() < deadline,
            "the real Alertmanager never listed the alert"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(listed[0]["fingerprint"], simulated["fingerprint"]);
    sim.finish_alertmanager().await;
}
