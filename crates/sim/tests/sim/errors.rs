//! Refusals in PagerDuty's own error format, and the headers every response carries.

use serde_json::json;

use crate::harness::{shared_day_at, Sim};

#[tokio::test]
async fn requests_without_a_token_get_401() {
    let sim = shared_day_at("06:00").await;
    let bare = Sim::send(sim.client.get(sim.url("/incidents"))).await;
    assert_eq!(bare.status, 401);
    assert_eq!(
        bare.json(),
        json!({"error": {"message": "Unauthenticated", "code": 2006}})
    );
    for header in ["Token token=", "Basic dXNlcjpwdw==", "token"] {
        let refused = Sim::send(
            sim.client
                .get(sim.url("/users/me"))
                .header("authorization", header),
        )
        .await;
        assert_eq!(refused.status, 401, "{header}");
    }
    let bearer = Sim::send(
        sim.client
            .get(sim.url("/users/me"))
            .header("authorization", "Bearer oauth-token"),
    )
    .await;
    assert_eq!(bearer.status, 200);
    sim.finish().await;
}

#[tokio::test]
async fn unknown_incidents_and_paths_get_404() {
    let sim = shared_day_at("06:00").await;
    for path in [
        "/incidents/QNOPE",
        "/incidents/QNOPE/log_entries",
        // Not created yet at 06:00.
        "/incidents/Q0SEC0002",
        "/no/such/endpoint",
    ] {
        let reply = sim.get(path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert_eq!(
            reply.json(),
            json!({"error": {"message": "Not Found", "code": 2100}}),
            "{path}"
        );
    }
    sim.finish().await;
}

#[tokio::test]
async fn bad_query_values_get_400_naming_the_parameter() {
    let sim = shared_day_at("06:00").await;
    for (query, parameter) in [
        ("/incidents?limit=abc", "limit"),
        ("/incidents?offset=-3", "offset"),
        ("/incidents?limit=0", "limit"),
        ("/incidents?total=maybe", "total"),
        ("/incidents?since=yesterday", "since"),
        ("/incidents?until=2026-13-01", "until"),
        ("/incidents?statuses[]=exploded", "statuses[]"),
        ("/incidents?urgencies[]=medium", "urgencies[]"),
        ("/incidents?date_range=week", "date_range"),
        ("/incidents?time_zone=Mars/Olympus", "time_zone"),
        (
            "/incidents?since=2026-05-04T10:00:00Z&until=2026-05-04T09:00:00Z",
            "until",
        ),
        ("/incidents/Q0PAY0001/log_entries?limit=x", "limit"),
        ("/oncalls?since=soon", "since"),
        ("/oncalls?earliest=1", "earliest"),
    ] {
        let reply = sim.get(query).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
        let body = reply.json();
        assert_eq!(
            body["error"]["message"], "Invalid Input Provided",
            "{query}"
        );
        assert_eq!(body["error"]["code"], 2001, "{query}");
        let errors = body["error"]["errors"].as_array().expect("errors");
        assert!(
            errors
                .iter()
                .any(|e| e.as_str().is_some_and(|e| e.starts_with(parameter))),
            "{query}: {body}"
        );
    }
    sim.finish().await;
}

#[tokio::test]
async fn an_unsupported_accept_is_refused() {
    let sim = shared_day_at("06:00").await;
    let reply = Sim::send(
        sim.client
            .get(sim.url("/incidents"))
            .header("authorization", "Token token=t")
            .header("accept", "application/vnd.pagerduty+json;version=1"),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert!(reply.text.contains("Accept"), "{}", reply.text);
    let none = Sim::send(
        sim.client
            .get(sim.url("/incidents"))
            .header("authorization", "Token token=t"),
    )
    .await;
    assert_eq!(none.status, 200);
    sim.finish().await;
}

#[tokio::test]
async fn every_response_carries_rate_limit_headers_counting_down_per_token() {
    let sim = shared_day_at("06:00").await;
    let first = sim.get("/incidents").await;
    let second = sim.get("/oncalls").await;
    let remaining = |r: &crate::harness::Reply| -> u32 {
        r.header("ratelimit-remaining")
            .expect("ratelimit-remaining")
            .parse()
            .expect("number")
    };
    assert_eq!(first.header("ratelimit-limit"), Some("960"));
    assert_eq!(remaining(&first), 959);
    assert_eq!(remaining(&second), 958);
    let reset: u64 = second
        .header("ratelimit-reset")
        .expect("ratelimit-reset")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&reset), "{reset}");
    let other_token = Sim::send(
        sim.client
            .get(sim.url("/oncalls"))
            .header("authorization", "Token token=someone-else"),
    )
    .await;
    assert_eq!(remaining(&other_token), 959);
    for reply in [
        sim.get("/incidents/QNOPE").await,
        sim.get("/incidents?limit=abc").await,
        Sim::send(sim.client.get(sim.url("/incidents"))).await,
    ] {
        assert!(
            reply.header("ratelimit-limit").is_some(),
            "{}",
            reply.status
        );
        assert!(reply.header("ratelimit-remaining").is_some());
        assert!(reply.header("ratelimit-reset").is_some());
    }
    sim.finish().await;
}
