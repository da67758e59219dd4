//! The contract check itself: it sees every endpoint and catches a body that drifts.

use opsdeck_sim::pagerduty::{Exchange, Fault};
use serde_json::json;

use crate::harness::{contract_problem, request_contract_problem, shared_day_at};

#[tokio::test]
async fn every_endpoint_and_error_is_observed_and_valid() {
    let sim = shared_day_at("09:00").await;
    for path in [
        "/incidents?total=true",
        "/incidents/Q0PAY0001",
        "/incidents/Q0PAY0001/log_entries",
        "/oncalls",
        "/users/me",
        "/incidents/QNOPE",
        "/incidents?limit=abc",
    ] {
        sim.get(path).await;
    }
    let bare = sim
        .client
        .get(sim.url("/users/me"))
        .send()
        .await
        .expect("sent");
    assert_eq!(bare.status().as_u16(), 401);
    let seen: Vec<(String, u16)> = sim
        .exchanges()
        .iter()
        .map(|e| (e.path_and_query.clone(), e.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("/incidents?total=true".to_owned(), 200),
            ("/incidents/Q0PAY0001".to_owned(), 200),
            ("/incidents/Q0PAY0001/log_entries".to_owned(), 200),
            ("/oncalls".to_owned(), 200),
            ("/users/me".to_owned(), 200),
            ("/incidents/QNOPE".to_owned(), 404),
            ("/incidents?limit=abc".to_owned(), 400),
            ("/users/me".to_owned(), 401),
        ]
    );
    sim.finish().await;
}

#[test]
fn the_check_catches_a_drifted_body_but_not_a_deliberately_corrupted_one() {
    let drifted = Exchange {
        method: "GET".into(),
        path_and_query: "/incidents/Q1".into(),
        request_body: None,
        status: 200,
        body: Some(json!({"incident": {"id": "Q1", "type": "incident", "status": "snoozed"}})),
        fault: None,
    };
    let problem = contract_problem(&drifted).expect("an unknown status must fail");
    assert!(problem.contains("status"), "{problem}");
    let corrupted = Exchange {
        fault: Some(Fault::WrongTypes),
        ..drifted.clone()
    };
    assert_eq!(contract_problem(&corrupted), None);
    let not_json = Exchange {
        body: None,
        ..drifted
    };
    assert!(contract_problem(&not_json).is_some());
}

#[test]
fn the_check_catches_an_accepted_request_the_spec_refuses() {
    let accepted = Exchange {
        method: "POST".into(),
        path_and_query: "/incidents/Q1/snooze".into(),
        request_body: Some(json!({"duration": "3600"})),
        status: 201,
        body: None,
        fault: None,
    };
    let problem = request_contract_problem(&accepted).expect("a string duration must fail");
    assert!(problem.contains("duration"), "{problem}");
    let refused = Exchange {
        status: 400,
        ..accepted.clone()
    };
    assert_eq!(request_contract_problem(&refused), None);
    let valid = Exchange {
        request_body: Some(json!({"duration": 3600})),
        ..accepted
    };
    assert_eq!(request_contract_problem(&valid), None);
}
