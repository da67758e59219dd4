//! Grafana's (stale, flawed) specs load; a flaw fails only its own operation.

use opsdeck_contract::Violation;
use serde_json::json;

use crate::specs;

#[test]
fn a_dangling_response_ref_fails_only_that_operation() {
    let spec = &specs::grafana_alerting().spec;
    let violation = spec
        .validate_response("GET", "/api/v1/rules/history", 200, &json!({}))
        .expect_err("#/responses/StateHistory does not exist");
    assert!(
        matches!(violation, Violation::Unusable { .. }),
        "{violation}"
    );
    assert!(
        violation.to_string().contains("#/responses/StateHistory"),
        "{violation}"
    );
}

#[test]
fn ngalert_paths_are_matched_as_written_despite_base_path() {
    let spec = &specs::grafana_alerting().spec;
    let op = spec
        .operation("GET", "/api/alertmanager/grafana/api/v2/alerts?active=true")
        .expect("Grafana-managed Alertmanager alerts");
    assert_eq!(op.template, "/api/alertmanager/grafana/api/v2/alerts");
    assert_eq!(op.operation_id.as_deref(), Some("RouteGetGrafanaAMAlerts"));
    let other = spec
        .operation("GET", "/api/alertmanager/abc123/api/v2/alerts")
        .expect("data-source Alertmanager alerts");
    assert_eq!(
        other.template,
        "/api/alertmanager/{DatasourceUID}/api/v2/alerts"
    );
}

#[test]
fn the_http_api_spec_loads_and_matches_under_api() {
    let spec = &specs::grafana().spec;
    assert!(spec.operations().count() > 150);
    let op = spec
        .operation("GET", "/api/search?query=x")
        .expect("search");
    assert_eq!(
        (op.template.as_str(), op.operation_id.as_deref()),
        ("/search", Some("search"))
    );
}

/// An alert list as Grafana 9.5's built-in Alertmanager serves it.
fn grafana_alerts() -> serde_json::Value {
    json!([{
        "labels": {"alertname": "DBHighCPU", "grafana_folder": "opsdeck-sim",
                   "__alert_rule_uid__": "g0abc123def456"},
        "annotations": {"summary": "CPU 95%"},
        "receivers": [{"name": "grafana-default-email"}],
        "fingerprint": "3b1f0c2a9d8e7f6a",
        "startsAt": "2026-05-04T22:24:00.000Z",
        "updatedAt": "2026-05-04T22:24:00.000Z",
        "endsAt": "2026-05-04T22:28:00.000Z",
        "generatorURL": "http://127.0.0.1:3000/alerting/grafana/g0abc123def456/view",
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}
    }])
}

#[test]
fn the_lenient_alerting_spec_fixes_the_stale_parts_and_still_checks_types() {
    use opsdeck_contract::shared::grafana_alerting;
    const ALERTS: &str = "/api/alertmanager/grafana/api/v2/alerts";
    // Verbatim, no real alert passes: the state enum is one bracketed string, and receivers
    // must carry fields no alert has.
    let verbatim = &specs::grafana_alerting().spec;
    let violation = verbatim
        .validate_response("GET", ALERTS, 200, &grafana_alerts())
        .expect_err("the verbatim spec refuses every real state");
    assert!(
        violation.to_string().contains("/0/status/state"),
        "{violation}"
    );
    let lenient = grafana_alerting();
    assert_eq!(
        lenient.validate_response("GET", ALERTS, 200, &grafana_alerts()),
        Ok(())
    );
    let mut wrong = grafana_alerts();
    wrong[0]["status"]["state"] = json!("firing");
    assert!(lenient
        .validate_response("GET", ALERTS, 200, &wrong)
        .is_err());
    let mut wrong = grafana_alerts();
    wrong[0]["labels"]["severity"] = json!(2);
    assert!(lenient
        .validate_response("GET", ALERTS, 200, &wrong)
        .is_err());
    // Grafana's error body, on the statuses it answers with.
    let unauthorized = json!({"message": "Unauthorized"});
    assert_eq!(
        lenient.validate_response("GET", ALERTS, 401, &unauthorized),
        Ok(())
    );
    assert!(lenient
        .validate_response("GET", ALERTS, 400, &json!({"msg": "bad"}))
        .is_err());
    let silences = "/api/alertmanager/grafana/api/v2/silences";
    assert_eq!(
        lenient.validate_response("POST", silences, 202, &json!({"silenceID": "x"})),
        Ok(())
    );
    assert!(matches!(
        lenient.validate_response("POST", silences, 201, &json!({"silenceID": "x"})),
        Err(Violation::UndeclaredStatus { .. })
    ));
}

#[test]
fn the_lenient_http_spec_describes_health_and_refusals() {
    use opsdeck_contract::shared::{grafana_for, grafana_http};
    let spec = grafana_http();
    let health = json!({"commit": "abc", "database": "ok", "version": "9.5.0"});
    assert_eq!(
        spec.validate_response("GET", "/api/health", 200, &health),
        Ok(())
    );
    assert!(spec
        .validate_response("GET", "/api/health", 200, &json!({"database": 1}))
        .is_err());
    assert_eq!(
        spec.validate_response(
            "GET",
            "/api/annotations?from=x",
            400,
            &json!({"message": "invalid from"})
        ),
        Ok(())
    );
    assert!(std::ptr::eq(grafana_for("/api/annotations?limit=1"), spec));
    assert!(std::ptr::eq(
        grafana_for("/api/prometheus/grafana/api/v1/rules"),
        opsdeck_contract::shared::grafana_alerting()
    ));
}
