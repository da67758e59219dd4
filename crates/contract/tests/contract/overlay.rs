//! Overlay patches must apply where they say, or fail the load loudly.

use opsdeck_contract::{builtin_overlay, ContractError, Patch, Spec, Vendor};
use serde_json::json;

use crate::specs;

#[test]
fn a_patch_whose_target_is_gone_fails_the_load() {
    let path = specs::specs_dir().join("alertmanager/alertmanager-api-v2.openapi.yaml");
    let patch = Patch::add(
        "/definitions/noSuchDefinition/nullable",
        json!(true),
        "made-up flaw",
    );
    let error = Spec::load_with_overlay(&path, Some(Vendor::Alertmanager), &[patch])
        .err()
        .expect("missing target must fail the load");
    assert!(matches!(error, ContractError::Overlay { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "overlay patch at /definitions/noSuchDefinition/nullable (made-up flaw): parent /definitions/noSuchDefinition does not exist or is not an object"
    );
}

#[test]
fn a_replace_patch_checks_what_it_replaces() {
    let path = specs::specs_dir().join("alertmanager/alertmanager-api-v2.openapi.yaml");
    let patch = Patch::replace(
        "/definitions/alertStatus/properties/state/type",
        json!("integer"),
        json!("string"),
        "wrong expectation",
    );
    let error = Spec::load_with_overlay(&path, None, &[patch])
        .err()
        .expect("unexpected current value must fail the load");
    assert!(
        error
            .to_string()
            .contains("expected \"integer\" there but found \"string\""),
        "{error}"
    );
}

#[test]
fn the_pagerduty_overlay_fixes_only_what_it_names() {
    let loaded = specs::pagerduty();
    assert_eq!(loaded.spec.vendor(), Some(Vendor::PagerDuty));
    assert!(builtin_overlay(Vendor::PagerDuty, "PagerDuty API")
        .iter()
        .all(|p| !p.why().is_empty()));
    // SupportHours times are `partial-time` now: a time of day passes, garbage still fails.
    let service = |start: &str| {
        json!({"service": {
            "type": "service", "name": "x",
            "escalation_policy": {"id": "P1", "type": "escalation_policy_reference"},
            "support_hours": {"type": "fixed_time_per_day", "time_zone": "America/Lima",
                "start_time": start, "end_time": "17:00:00", "days_of_week": [1, 2, 3, 4, 5]}
        }})
    };
    assert_eq!(
        loaded
            .spec
            .validate_request("POST", "/services", &service("09:00:00")),
        Ok(())
    );
    let violation = loaded
        .spec
        .validate_request("POST", "/services", &service("9am"))
        .expect_err("9am is not a partial-time");
    assert!(
        violation
            .to_string()
            .contains("\"9am\" is not a \"partial-time\""),
        "{violation}"
    );
}

#[test]
fn an_acknowledge_log_entry_matches_its_own_branch() {
    let spec = &specs::pagerduty().spec;
    let entry = |kind: &str| {
        json!({"log_entries": [{
            "id": "R1", "type": kind, "summary": "Acknowledged by Sam",
            "created_at": "2026-05-04T05:52:00Z",
            "agent": {"id": "PSAM001", "type": "user_reference"},
            "channel": {"type": "web_ui"},
            "incident": {"id": "Q0PAY0001", "type": "incident_reference"},
            "service": {"id": "PPAYAPI", "type": "service_reference"}
        }], "limit": 100, "offset": 0, "more": false, "total": null})
    };
    // What the API sends: without the patch this matched no branch of the `oneOf`.
    assert_eq!(
        spec.validate_response(
            "GET",
            "/incidents/Q0PAY0001/log_entries",
            200,
            &entry("acknowledge_log_entry")
        ),
        Ok(())
    );
    // The spec's typo is now what fails: the patch replaced it, it did not loosen the enum.
    assert!(spec
        .validate_response(
            "GET",
            "/incidents/Q0PAY0001/log_entries",
            200,
            &entry("acknowledgement_log_entry")
        )
        .is_err());
}

#[test]
fn users_me_declares_401_with_pagerduty_s_error_body() {
    let spec = &specs::pagerduty().spec;
    let body = json!({"error": {"message": "Unauthenticated", "code": 2006}});
    assert_eq!(
        spec.validate_response("GET", "/users/me", 401, &body),
        Ok(())
    );
    // Declared with the shared error schema, not as "anything goes".
    assert!(spec
        .validate_response("GET", "/users/me", 401, &json!({"error": {"code": "2006"}}))
        .is_err());
}

#[test]
fn updating_an_incident_declares_400_with_pagerduty_s_error_body() {
    let spec = &specs::pagerduty().spec;
    let body = json!({"error": {"message": "Incident Already Resolved", "code": 2001,
                                "errors": ["cannot acknowledge incident Q1: the incident is already resolved"]}});
    assert_eq!(
        spec.validate_response("PUT", "/incidents/Q1", 400, &body),
        Ok(())
    );
    assert!(spec
        .validate_response(
            "PUT",
            "/incidents/Q1",
            400,
            &json!({"error": {"errors": "x"}})
        )
        .is_err());
}

#[test]
fn the_pagerduty_overlay_patches_fail_loudly_once_applied_upstream() {
    // Applying the built-in overlay to an already patched document is what a fixed upstream
    // looks like: every patch must refuse rather than silently pass.
    let path = specs::specs_dir().join("pagerduty/pagerduty-rest-v2.openapiv3.json");
    let mut overlay = builtin_overlay(Vendor::PagerDuty, "PagerDuty API");
    let ack = overlay
        .iter()
        .find(|p| p.pointer().contains("AcknowledgeLogEntry"))
        .cloned()
        .expect("the AcknowledgeLogEntry patch is built in");
    let me = overlay
        .iter()
        .find(|p| p.pointer() == "/paths/~1users~1me/get/responses/401")
        .cloned()
        .expect("the /users/me 401 patch is built in");
    overlay.push(ack);
    let error = Spec::load_with_overlay(&path, Some(Vendor::PagerDuty), &overlay)
        .err()
        .expect("a second AcknowledgeLogEntry patch finds the fixed value");
    assert!(error.to_string().contains("fixed upstream"), "{error}");
    overlay.pop();
    overlay.push(me);
    let error = Spec::load_with_overlay(&path, Some(Vendor::PagerDuty), &overlay)
        .err()
        .expect("a second 401 patch finds the member present");
    assert!(error.to_string().contains("already present"), "{error}");
    overlay.pop();
    let update = overlay
        .iter()
        .find(|p| p.pointer() == "/paths/~1incidents~1{id}/put/responses/400")
        .cloned()
        .expect("the PUT /incidents/{id} 400 patch is built in");
    overlay.push(update);
    let error = Spec::load_with_overlay(&path, Some(Vendor::PagerDuty), &overlay)
        .err()
        .expect("a second 400 patch finds the member present");
    assert!(error.to_string().contains("already present"), "{error}");
}
