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
