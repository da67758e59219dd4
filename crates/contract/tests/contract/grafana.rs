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
