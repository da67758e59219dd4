//! The vendors' descriptions in `shared/specs/` beside this checkout, and the one rule for
//! checking what a simulator served against them — for the test-suites of the crates that talk
//! to the simulators (this crate is only ever a dev-dependency, so a missing spec panics with a
//! message that says where it was looked for).

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::{Patch, Spec, Vendor, Violation};

/// `shared/specs/` beside the checkout.
pub fn specs_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/specs");
    assert!(
        dir.join("SOURCES.md").is_file(),
        "vendor specs not found at {} (expected shared/specs/ beside the checkout)",
        dir.display()
    );
    dir
}

/// PagerDuty's REST API v2 with the built-in overlay, loaded once per process.
pub fn pagerduty_rest() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = specs_dir().join("pagerduty/pagerduty-rest-v2.openapiv3.json");
        Spec::load_as(&path, Vendor::PagerDuty)
            .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
    })
}

/// Alertmanager's API v2 (the v0.34 description), loaded once per process. The simulated
/// Alertmanager implements this release, so nothing is relaxed.
pub fn alertmanager() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = specs_dir().join("alertmanager/alertmanager-api-v2.openapi.yaml");
        Spec::load_as(&path, Vendor::Alertmanager)
            .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
    })
}

/// Grafana's HTTP API (`/api/...`, the 9.5.0-pre `openapi3` description), loaded once per
/// process with [`grafana_http_overlay`]: the description is stale, and the overlay relaxes it
/// where Grafana 9.5 answers otherwise.
pub fn grafana_http() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = specs_dir().join("grafana/openapi3.grafana-9.5.0-pre.json");
        Spec::load_with_overlay(&path, Some(Vendor::Grafana), &grafana_http_overlay())
            .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
    })
}

/// Grafana's alerting API (its built-in Alertmanager under `/api/alertmanager/grafana/`, the
/// rules under `/api/prometheus/grafana/`, the ruler; the 9.5.0-pre `ngalert` description),
/// loaded once per process with [`grafana_alerting_overlay`]. Its paths already start with
/// `/api/`, so its `basePath` never applies.
pub fn grafana_alerting() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = specs_dir().join("grafana/ngalert-post.grafana-9.5.0-pre.swagger2.json");
        Spec::load_with_overlay(&path, Some(Vendor::Grafana), &grafana_alerting_overlay())
            .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
    })
}

/// Which of Grafana's two descriptions covers a request path: the alerting one for the
/// alerting API's prefixes, the HTTP API's otherwise.
pub fn grafana_for(path_and_query: &str) -> &'static Spec {
    const ALERTING: [&str; 4] = [
        "/api/alertmanager/",
        "/api/prometheus/",
        "/api/ruler/",
        "/api/v1/provisioning/",
    ];
    if ALERTING.iter().any(|p| path_and_query.starts_with(p)) {
        grafana_alerting()
    } else {
        grafana_http()
    }
}

/// Grafana's error body, `{"message": "..."}` (its `response.Error`), as a Swagger 2.0
/// response.
fn grafana_error(description: &str) -> Value {
    json!({
        "description": description,
        "schema": {
            "type": "object",
            "required": ["message"],
            "properties": {"message": {"type": "string"}}
        }
    })
}

/// Where the stale HTTP API description differs from what Grafana 9.5 serves.
pub fn grafana_http_overlay() -> Vec<Patch> {
    vec![
        // Grafana serves GET /api/health without authentication (a load balancer's probe), but
        // its generated description leaves the endpoint out; this describes what it answers.
        Patch::add(
            "/paths/~1health",
            json!({"get": {
                "operationId": "getHealth",
                "responses": {"200": {
                    "description": "Grafana and its database are up.",
                    "content": {"application/json": {"schema": {
                        "type": "object",
                        "required": ["database", "version"],
                        "properties": {
                            "commit": {"type": "string"},
                            "database": {"type": "string"},
                            "enterpriseCommit": {"type": "string"},
                            "version": {"type": "string"}
                        }
                    }}}
                }}
            }}),
            "Grafana serves GET /api/health; the generated description leaves it out",
        ),
        // GET /annotations answers 400 with Grafana's error body (an unknown `dashboardUID`
        // is refused so), but only 200, 401 and 500 are declared. The simulator also refuses
        // unparsable numbers with it (where Grafana reads 0); see opsdeck-sim's grafana module.
        Patch::add(
            "/paths/~1annotations/get/responses/400",
            json!({"$ref": "#/components/responses/badRequestError"}),
            "GET /annotations answers 400 to a query it refuses; the description declares none",
        ),
    ]
}

/// Where the stale alerting description differs from what Grafana 9.5 serves.
pub fn grafana_alerting_overlay() -> Vec<Patch> {
    const AM: &str = "/paths/~1api~1alertmanager~1grafana~1api~1v2";
    let unauthorized = "answers 401 without a valid token, like every authenticated endpoint";
    let mut patches = vec![
        // go-swagger printed each of Alertmanager's enums as a single Go-formatted string, so
        // no real value matches; Alertmanager's own description lists the words.
        Patch::replace(
            "/definitions/alertStatus/properties/state/enum",
            json!(["[unprocessed active suppressed]"]),
            json!(["unprocessed", "active", "suppressed"]),
            "alertStatus.state is one of three words, not one bracketed string",
        ),
        Patch::replace(
            "/definitions/silenceStatus/properties/state/enum",
            json!(["[expired active pending]"]),
            json!(["expired", "active", "pending"]),
            "silenceStatus.state is one of three words, not one bracketed string",
        ),
        Patch::replace(
            "/definitions/clusterStatus/properties/status/enum",
            json!(["[ready settling disabled]"]),
            json!(["ready", "settling", "disabled"]),
            "clusterStatus.status is one of three words, not one bracketed string",
        ),
        // This `receiver` is Grafana's receiver-status model (with its integrations); an
        // alert's `receivers` name the receivers only, as in Alertmanager's own description.
        Patch::replace(
            "/definitions/receiver/required",
            json!(["active", "integrations", "name"]),
            json!(["name"]),
            "an alert's receivers carry their name only",
        ),
        // Grafana's alerting handlers refuse with its usual `{"message": "..."}`
        // (`response.Error`); no handler sends the declared `msg`.
        Patch::replace(
            "/definitions/ValidationError",
            json!({"properties": {"msg": {"example": "error message", "type": "string"}},
                   "type": "object"}),
            json!({"properties": {"message": {"type": "string"}},
                   "required": ["message"], "type": "object"}),
            "Grafana's alerting errors are {\"message\": ...}",
        ),
        // Creating a silence answers 202 Accepted (RouteCreateSilence), not 201; updating an
        // unknown silence answers 404.
        Patch::replace(
            &format!("{AM}~1silences/post/responses"),
            json!({
                "201": {"description": "postSilencesOKBody",
                        "schema": {"$ref": "#/definitions/postSilencesOKBody"}},
                "400": {"description": "ValidationError",
                        "schema": {"$ref": "#/definitions/ValidationError"}}
            }),
            json!({
                "202": {"description": "postSilencesOKBody",
                        "schema": {"$ref": "#/definitions/postSilencesOKBody"}},
                "400": {"description": "ValidationError",
                        "schema": {"$ref": "#/definitions/ValidationError"}},
                "401": grafana_error("Unauthorized"),
                "404": grafana_error("silence not found")
            }),
            "POST silences answers 202, 401 and 404 as well as 400",
        ),
        // A silence that does not exist is 404; expiring an expired one fails inside
        // Alertmanager, which Grafana reports as 500.
        Patch::add(
            &format!("{AM}~1silence~1{{SilenceId}}/get/responses/404"),
            grafana_error("silence not found"),
            "GET silence/{id} answers 404 for an unknown silence",
        ),
        Patch::add(
            &format!("{AM}~1silence~1{{SilenceId}}/delete/responses/404"),
            grafana_error("silence not found"),
            "DELETE silence/{id} answers 404 for an unknown silence",
        ),
        Patch::add(
            &format!("{AM}~1silence~1{{SilenceId}}/delete/responses/500"),
            grafana_error("silence already expired"),
            "DELETE silence/{id} answers 500 for a silence that already expired",
        ),
    ];
    let operations = [
        (format!("{AM}~1alerts/get"), "GET alerts"),
        (format!("{AM}~1silences/get"), "GET silences"),
        (
            format!("{AM}~1silence~1{{SilenceId}}/get"),
            "GET silence/{id}",
        ),
        (
            format!("{AM}~1silence~1{{SilenceId}}/delete"),
            "DELETE silence/{id}",
        ),
        (format!("{AM}~1status/get"), "GET status"),
        (
            "/paths/~1api~1prometheus~1grafana~1api~1v1~1rules/get".to_owned(),
            "GET rules",
        ),
    ];
    for (operation, what) in operations {
        patches.push(Patch::add(
            &format!("{operation}/responses/401"),
            grafana_error("Unauthorized"),
            &format!("{what} {unauthorized}"),
        ));
    }
    patches
}

/// One response as a simulator served it.
#[derive(Debug, Clone, Copy)]
pub struct Served<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    pub status: u16,
    /// `None` when the body was not JSON.
    pub body: Option<&'a Value>,
    /// A test injected a fault into this response.
    pub injected: bool,
    /// ... and that fault breaks the body on purpose (truncated, wrong types, not JSON).
    pub corrupted: bool,
}

/// Why a served response breaks the spec, or `None` when it matches or is exempt: bodies a
/// fault corrupted on purpose, injected statuses the operation does not declare (any 5xx, a 404
/// on a list), and 404s for paths the spec does not have (answering 404 there is right).
pub fn served_problem(spec: &Spec, served: &Served<'_>) -> Option<String> {
    if served.corrupted {
        return None;
    }
    let Some(body) = served.body else {
        return Some(format!(
            "{} {} -> {}: body is not JSON",
            served.method, served.path_and_query, served.status
        ));
    };
    match spec.validate_response(served.method, served.path_and_query, served.status, body) {
        Ok(()) => None,
        Err(Violation::UndeclaredStatus { .. }) if served.injected => None,
        Err(Violation::NoOperation { .. }) if served.status == 404 => None,
        Err(violation) => Some(format!("{violation}\n    body: {body}")),
    }
}

/// One request as a simulator received it, and the status it answered with.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    pub method: &'a str,
    pub path_and_query: &'a str,
    /// `None` when the request had no body or it was not JSON.
    pub body: Option<&'a Value>,
    /// The status the simulator answered with.
    pub status: u16,
}

/// Why a request the simulator accepted (answered 2xx) breaks the spec, or `None`.
///
/// Requests it refused are exempt: tests send bad bodies on purpose, and refusing them is the
/// simulator's job. An accepted request the spec refuses means the simulator takes what the
/// vendor would not, so a client tested against it could break against the real service.
pub fn request_problem(spec: &Spec, received: &Received<'_>) -> Option<String> {
    if !(200..300).contains(&received.status) {
        return None;
    }
    let body = received.body.unwrap_or(&Value::Null);
    match spec.validate_request(received.method, received.path_and_query, body) {
        Ok(()) => None,
        Err(violation) => Some(format!(
            "{violation}\n    accepted with {}; request body: {body}",
            received.status
        )),
    }
}
