//! The wire types against the spec: a body with only the spec's required fields decodes, so
//! does what the older Alertmanager in use sends, and what the real server sends differs from
//! the current spec in exactly the two known fields.

use chrono::Duration;
use opsdeck_sources::alertmanager::wire::{Alert, Silence};
use opsdeck_sources::http::decode;
use opsdeck_sources::SourceError;
use serde_json::{json, Value};

use crate::harness::{now, older_server_spec, strict_spec, Harness};

fn minimal_alert() -> Value {
    json!({
        "labels": {},
        "annotations": {},
        "receivers": [],
        "fingerprint": "0123456789abcdef",
        "startsAt": "2026-11-22T10:00:00.000Z",
        "updatedAt": "2026-11-22T10:00:00.000Z",
        "endsAt": "2026-11-22T10:05:00.000Z",
        "status": {"state": "active", "silencedBy": [], "inhibitedBy": [], "mutedBy": []}
    })
}

fn minimal_silence() -> Value {
    json!({
        "id": "3f0c2a9d-8e7f-4a6b-9c1d-2e3f4a5b6c7d",
        "status": {"state": "active"},
        "updatedAt": "2026-11-22T10:00:00.000Z",
        "annotations": {},
        "matchers": [{"name": "alertname", "value": "x", "isRegex": false}],
        "startsAt": "2026-11-22T10:00:00.000Z",
        "endsAt": "2026-11-22T12:00:00.000Z",
        "createdBy": "sam@example.test",
        "comment": "c"
    })
}

fn decodes<T: serde::de::DeserializeOwned>(path: &str, body: &Value) -> Result<T, SourceError> {
    decode::<T>("Alertmanager", path, body.to_string().as_bytes()).map(|d| d.value)
}

#[test]
fn a_body_with_only_the_required_fields_decodes() {
    let alerts = json!([minimal_alert()]);
    let silences = json!([minimal_silence()]);
    // Minimal, and valid under the current spec.
    let spec = strict_spec();
    assert_eq!(
        spec.validate_response("GET", "/api/v2/alerts", 200, &alerts),
        Ok(())
    );
    assert_eq!(
        spec.validate_response("GET", "/api/v2/silences", 200, &silences),
        Ok(())
    );

    let alert = &decodes::<Vec<Alert>>("/api/v2/alerts", &alerts).expect("decodes")[0];
    assert_eq!(alert.fingerprint, "0123456789abcdef");
    assert_eq!(alert.generator_url, None);
    let silence = &decodes::<Vec<Silence>>("/api/v2/silences", &silences).expect("decodes")[0];
    // `isEqual` is absent: the spec's default, true.
    assert!(silence.matchers[0].is_equal);
}

#[test]
fn what_older_servers_leave_out_and_unknown_fields_are_tolerated() {
    let mut alert = minimal_alert();
    alert["status"]
        .as_object_mut()
        .expect("status")
        .remove("mutedBy");
    alert["someFutureField"] = json!({"nested": [1, 2]});
    let mut silence = minimal_silence();
    silence
        .as_object_mut()
        .expect("silence")
        .remove("annotations");
    let alert = &decodes::<Vec<Alert>>("/api/v2/alerts", &json!([alert])).expect("decodes")[0];
    assert!(alert.status.muted_by.is_empty());
    let silence = decodes::<Silence>("/api/v2/silence/x", &silence).expect("decodes");
    assert!(silence.annotations.is_empty());
}

#[test]
fn a_missing_field_opsdeck_needs_is_named() {
    let mut alert = minimal_alert();
    alert.as_object_mut().expect("alert").remove("fingerprint");
    let err = decodes::<Vec<Alert>>("/api/v2/alerts", &json!([alert])).expect_err("no fingerprint");
    let text = err.to_string();
    assert!(text.contains("/api/v2/alerts"), "{text}");
    assert!(text.contains("fingerprint"), "{text}");
}

#[tokio::test]
async fn the_real_servers_bodies_differ_from_the_spec_only_where_known() {
    let h = Harness::start().await;
    h.post_alerts(json!([{"labels": {"alertname": "X"}, "startsAt": (now() - Duration::minutes(1)).to_rfc3339()}]))
        .await;
    let silence = json!({
        "matchers": [{"name": "alertname", "value": "X", "isRegex": false, "isEqual": true}],
        "startsAt": now().to_rfc3339(),
        "endsAt": (now() + Duration::hours(1)).to_rfc3339(),
        "createdBy": "sam@example.test",
        "comment": "contract check"
    });
    assert_eq!(
        strict_spec().validate_request("POST", "/api/v2/silences", &silence),
        Ok(())
    );
    let created = h
        .http
        .post(format!("{}/api/v2/silences", h.am.url()))
        .json(&silence)
        .send()
        .await
        .expect("answers");
    assert!(created.status().is_success());
    for path in ["/api/v2/alerts", "/api/v2/silences"] {
        let body: Value = h
            .http
            .get(format!("{}{path}", h.am.url()))
            .send()
            .await
            .expect("answers")
            .json()
            .await
            .expect("JSON");
        assert!(
            body.as_array().is_some_and(|a| a.len() == 1),
            "{path}: {body}"
        );
        match strict_spec().validate_response("GET", path, 200, &body) {
            Ok(()) => {}
            Err(violation) => {
                // Only an older server may differ, and only by the two known requirements.
                assert!(h.version < (0, 34), "{violation}");
                for error in violation.errors() {
                    let known = error.message.contains("\"mutedBy\" is a required property")
                        || error
                            .message
                            .contains("\"annotations\" is a required property");
                    assert!(known, "{path}: unexpected {error:?}\nbody: {body}");
                }
                assert_eq!(
                    older_server_spec().validate_response("GET", path, 200, &body),
                    Ok(()),
                    "{path}"
                );
            }
        }
    }
}
