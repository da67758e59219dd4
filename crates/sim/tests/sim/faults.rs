//! Injected faults: each kind, counting, matching and clearing.

use std::time::{Duration, Instant};

use opsdeck_sim::pagerduty::{Fault, PathMatch};
use serde_json::{json, Value};

use crate::harness::{contract_problem, shared_day_at, spec, Sim};

#[tokio::test]
async fn status_faults_answer_with_pagerduty_errors_then_recover() {
    let sim = shared_day_at("06:00").await;
    let faults = sim.running.pagerduty.faults();
    for (status, body) in [
        (
            401,
            json!({"error": {"message": "Unauthenticated", "code": 2006}}),
        ),
        (
            403,
            json!({"error": {"message": "Access Denied", "code": 2010}}),
        ),
        (
            404,
            json!({"error": {"message": "Not Found", "code": 2100}}),
        ),
        (500, json!({"error": {"message": "Internal Server Error"}})),
        (502, json!({"error": {"message": "Bad Gateway"}})),
        (503, json!({"error": {"message": "Service Unavailable"}})),
    ] {
        faults.push(
            PathMatch::exact("/incidents"),
            Fault::Status(status),
            Some(1),
        );
        let reply = sim.get("/incidents").await;
        assert_eq!(reply.status, status);
        assert_eq!(reply.json(), body, "{status}");
        assert!(reply.header("ratelimit-limit").is_some(), "{status}");
    }
    assert_eq!(faults.pending(), 0);
    assert_eq!(sim.get("/incidents").await.status, 200);
    sim.finish().await;
}

#[tokio::test]
async fn an_injected_429_says_when_to_retry() {
    let sim = shared_day_at("06:00").await;
    sim.running
        .pagerduty
        .faults()
        .push(PathMatch::Any, Fault::Status(429), Some(2));
    for _ in 0..2 {
        let reply = sim.get("/oncalls").await;
        assert_eq!(reply.status, 429);
        assert_eq!(
            reply.json(),
            json!({"error": {"message": "Rate Limit Exceeded", "code": 2020}})
        );
        assert_eq!(reply.header("retry-after"), Some("1"));
        assert_eq!(reply.header("ratelimit-reset"), Some("1"));
        assert_eq!(reply.header("ratelimit-remaining"), Some("0"));
    }
    assert_eq!(sim.get("/oncalls").await.status, 200);
    sim.finish().await;
}

#[tokio::test]
async fn truncated_bodies_are_the_first_half_of_the_real_one() {
    let sim = shared_day_at("06:00").await;
    let whole = sim.get("/incidents/Q0PAY0001").await.text;
    sim.running.pagerduty.faults().push(
        PathMatch::prefix("/incidents/"),
        Fault::Truncated,
        Some(1),
    );
    let cut = sim.get("/incidents/Q0PAY0001").await;
    assert_eq!(cut.status, 200);
    assert_eq!(cut.text, whole[..whole.len() / 2]);
    assert!(serde_json::from_str::<Value>(&cut.text).is_err());
    sim.finish().await;
}

#[tokio::test]
async fn wrong_types_keep_json_but_break_the_contract() {
    let sim = shared_day_at("06:00").await;
    sim.running
        .pagerduty
        .faults()
        .push(PathMatch::exact("/incidents"), Fault::WrongTypes, Some(1));
    let reply = sim.get("/incidents").await;
    assert_eq!(reply.status, 200);
    let body = reply.json();
    let incident = &body["incidents"][0];
    assert_eq!(incident["incident_number"], "1");
    assert_eq!(incident["created_at"], 1_777_873_620);
    assert_eq!(body["limit"], "25");
    assert!(
        spec()
            .validate_response("GET", "/incidents", 200, &body)
            .is_err(),
        "the spec must reject {body}"
    );
    sim.finish().await;
}

#[tokio::test]
async fn malformed_bodies_are_not_json() {
    let sim = shared_day_at("06:00").await;
    sim.running
        .pagerduty
        .faults()
        .push(PathMatch::Any, Fault::Malformed, None);
    for path in ["/incidents", "/users/me"] {
        let reply = sim.get(path).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert!(
            serde_json::from_str::<Value>(&reply.text).is_err(),
            "{path}"
        );
    }
    sim.running.pagerduty.faults().clear();
    assert!(serde_json::from_str::<Value>(&sim.get("/incidents").await.text).is_ok());
    sim.finish().await;
}

#[tokio::test]
async fn a_hang_outlasts_the_client_timeout_then_answers() {
    let sim = shared_day_at("06:00").await;
    let faults = sim.running.pagerduty.faults();
    faults.push(
        PathMatch::exact("/incidents"),
        Fault::Hang(Duration::from_millis(400)),
        Some(2),
    );
    let timed_out = sim
        .request("/incidents")
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .expect_err("the client's timeout fires first");
    assert!(timed_out.is_timeout(), "{timed_out}");
    let started = Instant::now();
    let slow = sim.get("/incidents").await;
    assert_eq!(slow.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(400));
    sim.finish().await;
}

#[tokio::test]
async fn hanging_until_stopped_does_not_block_stopping() {
    let sim = shared_day_at("06:00").await;
    let faults = sim.running.pagerduty.faults();
    faults.push(PathMatch::Any, Fault::HangUntilStopped, Some(2));
    let err = sim
        .request("/oncalls")
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect_err("never answers");
    assert!(err.is_timeout(), "{err}");
    // A request still hanging while the server stops.
    let pending = tokio::spawn(sim.request("/users/me").send());
    let deadline = Instant::now() + Duration::from_secs(10);
    while faults.pending() > 0 {
        assert!(
            Instant::now() < deadline,
            "the second request never arrived"
        );
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let stopping = Instant::now();
    let exchanges = sim.exchanges.clone();
    let Sim { running, .. } = sim;
    running.stop().await;
    assert!(
        stopping.elapsed() < Duration::from_secs(4),
        "stop took {:?}",
        stopping.elapsed()
    );
    // Whatever the hanging request got, it is no longer waiting.
    let _ = tokio::time::timeout(Duration::from_secs(5), pending)
        .await
        .expect("the hanging request ended");
    let problems: Vec<String> = exchanges
        .lock()
        .expect("exchanges")
        .iter()
        .filter_map(contract_problem)
        .collect();
    assert!(problems.is_empty(), "{problems:?}");
}
