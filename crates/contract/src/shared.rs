//! The vendors' descriptions in `shared/specs/` beside this checkout, and the one rule for
//! checking what a simulator served against them — for the test-suites of the crates that talk
//! to the simulators (this crate is only ever a dev-dependency, so a missing spec panics with a
//! message that says where it was looked for).

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::{Spec, Vendor, Violation};

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
