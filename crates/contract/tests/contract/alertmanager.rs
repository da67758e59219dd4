//! The Alertmanager v2 Swagger 2.0 spec, served under its base path `/api/v2`.

use serde_json::{json, Value};

use crate::specs;

fn alerts() -> Value {
    json!([{
        "labels": {"alertname": "HighLatency", "severity": "page"},
        "annotations": {"summary": "p99 latency above 2s"},
        "receivers": [{"name": "pagerduty"}],
        "fingerprint": "3b1f0c2a9d8e7f6a",
        "startsAt": "2026-11-22T10:00:00.000Z",
        "updatedAt": "2026-11-22T10:05:00.000Z",
        "endsAt": "2026-11-22T10:09:00.000Z",
        "generatorURL": "http://prometheus.local:9090/graph?g0.expr=up",
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []}
    }])
}

#[test]
fn a_valid_alert_list_passes_under_the_base_path() {
    let spec = &specs::alertmanager().spec;
    assert_eq!(spec.title(), "Alertmanager API");
    assert_eq!(
        spec.validate_response(
            "GET",
            "/api/v2/alerts?active=true&silenced=false",
            200,
            &alerts()
        ),
        Ok(())
    );
    assert_eq!(
        spec.validate_response("GET", "/alerts", 200, &alerts()),
        Ok(())
    );
    let op = spec.operation("GET", "/api/v2/alerts").expect("getAlerts");
    assert_eq!(op.operation_id.as_deref(), Some("getAlerts"));
}

#[test]
fn a_wrong_type_fails_with_a_readable_path() {
    let spec = &specs::alertmanager().spec;
    let mut body = alerts();
    body[0]["status"]["silencedBy"] = json!("none");
    let violation = spec
        .validate_response("GET", "/api/v2/alerts", 200, &body)
        .expect_err("silencedBy must be an array");
    let text = violation.to_string();
    assert!(
        text.starts_with("GET /alerts (getAlerts) response 200: 1 schema error(s)"),
        "{text}"
    );
    assert!(text.contains("at /0/status/silencedBy: \"none\" is not of type \"array\" [schema /definitions/alertStatus/properties/silencedBy/type]"), "{text}");
}

#[test]
fn the_current_spec_requires_muted_by() {
    let spec = &specs::alertmanager().spec;
    let mut body = alerts();
    if let Some(status) = body[0]["status"].as_object_mut() {
        status.remove("mutedBy");
    }
    let violation = spec
        .validate_response("GET", "/api/v2/alerts", 200, &body)
        .expect_err("Alertmanager 0.34 requires status.mutedBy");
    assert_eq!(
        violation.errors()[0].instance_path,
        "/0/status",
        "{violation}"
    );
    assert!(
        violation
            .to_string()
            .contains("\"mutedBy\" is a required property"),
        "{violation}"
    );
}

#[test]
fn posted_alerts_are_validated_from_the_body_parameter() {
    let spec = &specs::alertmanager().spec;
    let ok = json!([{"labels": {"alertname": "x"}, "startsAt": "2026-11-22T10:00:00Z"}]);
    assert_eq!(spec.validate_request("POST", "/api/v2/alerts", &ok), Ok(()));
    let bad = json!([{"labels": {"alertname": 1}}]);
    let violation = spec
        .validate_request("POST", "/api/v2/alerts", &bad)
        .expect_err("label values are strings");
    assert_eq!(
        violation.errors()[0].instance_path,
        "/0/labels/alertname",
        "{violation}"
    );
}
