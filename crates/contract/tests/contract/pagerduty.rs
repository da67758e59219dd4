//! Hand-written PagerDuty bodies: what must fail, what must pass, and how it reads.

use opsdeck_contract::Violation;
use serde_json::{json, Value};

use crate::specs;

fn incident() -> Value {
    json!({
        "id": "PT4KHLK",
        "type": "incident",
        "summary": "[#1234] The server is on fire.",
        "self": "https://api.pagerduty.com/incidents/PT4KHLK",
        "html_url": "https://subdomain.pagerduty.com/incidents/PT4KHLK",
        "incident_number": 1234,
        "title": "The server is on fire.",
        "created_at": "2015-10-06T21:30:42Z",
        "updated_at": "2015-10-06T21:40:23Z",
        "status": "resolved",
        "incident_key": "baf7cf21b1da41b4b0221008339ff357",
        "service": {"id": "PIJ90N7", "type": "service_reference"},
        "assignments": [],
        "acknowledgements": [],
        "last_status_change_at": "2015-10-06T21:38:23Z",
        "last_status_change_by": {"id": "PXPGF42", "type": "user_reference"},
        "first_trigger_log_entry": {"id": "Q02JTSNZWHSEKV", "type": "trigger_log_entry_reference"},
        "escalation_policy": {"id": "PT20YPA", "type": "escalation_policy_reference"},
        "teams": [],
        "urgency": "high",
        "resolved_at": null,
        "x-opsdeck-extra": {"anything": true}
    })
}

fn list(incidents: Vec<Value>) -> Value {
    json!({"incidents": incidents, "limit": 25, "offset": 0, "more": false, "total": null})
}

#[test]
fn a_plausible_incident_list_passes_with_query_and_extra_fields() {
    let spec = &specs::pagerduty().spec;
    let result = spec.validate_response(
        "GET",
        "/incidents?statuses[]=triggered&limit=25",
        200,
        &list(vec![incident()]),
    );
    assert_eq!(result, Ok(()));
}

#[test]
fn a_wrong_type_names_the_incident_path_and_the_operation() {
    let spec = &specs::pagerduty().spec;
    let mut bad = incident();
    bad["incident_number"] = json!("1234");
    let violation = spec
        .validate_response("GET", "/incidents", 200, &list(vec![bad]))
        .expect_err("incident_number as a string must fail");
    let errors = violation.errors();
    assert_eq!(errors.len(), 1, "{violation}");
    assert_eq!(errors[0].instance_path, "/incidents/0/incident_number");
    assert!(
        errors[0]
            .schema_path
            .starts_with("/components/schemas/Incident/"),
        "{violation}"
    );
    let text = violation.to_string();
    assert!(
        text.starts_with("GET /incidents (listIncidents) response 200: 1 schema error(s)"),
        "{text}"
    );
    assert!(
        text.contains("at /incidents/0/incident_number: \"1234\" is not of type \"integer\""),
        "{text}"
    );
}

#[test]
fn an_unknown_enum_value_fails() {
    let spec = &specs::pagerduty().spec;
    let mut bad = incident();
    bad["status"] = json!("on_fire");
    let violation = spec
        .validate_response("GET", "/incidents/PT4KHLK", 200, &json!({"incident": bad}))
        .expect_err("unknown status must fail");
    assert_eq!(
        violation.errors()[0].instance_path,
        "/incident/status",
        "{violation}"
    );
    assert!(
        violation
            .to_string()
            .contains("GET /incidents/{id} (getIncident)"),
        "{violation}"
    );
}

#[test]
fn a_missing_required_field_fails() {
    let spec = &specs::pagerduty().spec;
    let violation = spec
        .validate_request(
            "POST",
            "/incidents",
            &json!({"incident": {"type": "incident", "title": "x"}}),
        )
        .expect_err("service is required");
    assert!(
        violation
            .to_string()
            .contains("\"service\" is a required property"),
        "{violation}"
    );
}

#[test]
fn literal_path_segments_beat_parameters() {
    let spec = &specs::pagerduty().spec;
    let me = spec.operation("GET", "/users/me").expect("users/me");
    assert_eq!(
        (me.template.as_str(), me.operation_id.as_deref()),
        ("/users/me", Some("getCurrentUser"))
    );
    let other = spec
        .operation("get", "/users/PXPGF42?include[]=teams")
        .expect("users/{id}");
    assert_eq!(
        (other.template.as_str(), other.operation_id.as_deref()),
        ("/users/{id}", Some("getUser"))
    );
}

#[test]
fn unknown_paths_methods_and_statuses_are_their_own_errors() {
    let spec = &specs::pagerduty().spec;
    let missing = spec
        .validate_response("GET", "/foo", 200, &json!({}))
        .expect_err("no /foo");
    assert_eq!(
        missing.to_string(),
        "no operation GET /foo in PagerDuty API"
    );
    assert!(matches!(
        spec.validate_request("PATCH", "/incidents", &json!({})),
        Err(Violation::NoOperation { .. })
    ));
    let status = spec
        .validate_response("GET", "/incidents", 418, &json!({}))
        .expect_err("418 is not declared");
    assert!(status.to_string().starts_with("GET /incidents (listIncidents): status 418 is not declared (declared: 200, 400, 401, 402, 403, 429)"), "{status}");
}

#[test]
fn declared_error_statuses_validate_error_bodies() {
    let spec = &specs::pagerduty().spec;
    let body = json!({"error": {"code": 2001, "message": "Invalid Input Provided", "errors": ["Status is invalid."]}});
    assert_eq!(
        spec.validate_response("GET", "/incidents", 400, &body),
        Ok(())
    );
    let wrong = json!({"error": {"code": "2001"}});
    assert!(spec
        .validate_response("GET", "/incidents", 400, &wrong)
        .is_err());
}

#[test]
fn a_body_where_none_is_declared_fails() {
    let spec = &specs::pagerduty().spec;
    assert_eq!(
        spec.validate_response("DELETE", "/services/PIJ90N7", 204, &Value::Null),
        Ok(())
    );
    let violation = spec
        .validate_response("DELETE", "/services/PIJ90N7", 204, &json!({}))
        .expect_err("204 has no body");
    assert!(
        matches!(violation, Violation::UnexpectedBody { .. }),
        "{violation}"
    );
}

#[test]
fn only_requests_a_simulator_accepted_are_held_to_the_spec() {
    use opsdeck_contract::shared::{request_problem, Received};

    let spec = &specs::pagerduty().spec;
    let snooze = |body: &Value, status: u16| {
        request_problem(
            spec,
            &Received {
                method: "POST",
                path_and_query: "/incidents/Q1/snooze",
                body: Some(body),
                status,
            },
        )
    };
    assert_eq!(snooze(&json!({"duration": 3600}), 201), None);
    let problem = snooze(&json!({"duration": 0}), 201).expect("0 is below the minimum");
    assert!(problem.contains("accepted with 201"), "{problem}");
    // Refusing a bad body is right, whatever the body.
    assert_eq!(snooze(&json!({"duration": 0}), 400), None);
    let noteless = json!({"content": "at the top"});
    let misplaced = Received {
        method: "POST",
        path_and_query: "/incidents/Q1/notes",
        body: Some(&noteless),
        status: 200,
    };
    let problem = request_problem(spec, &misplaced).expect("note is required");
    assert!(
        problem.contains("\"note\" is a required property"),
        "{problem}"
    );
    let get = Received {
        method: "GET",
        path_and_query: "/incidents/Q1/notes",
        body: None,
        status: 200,
    };
    assert_eq!(request_problem(spec, &get), None);
}
