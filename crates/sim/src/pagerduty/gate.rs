//! What happens around every request: injected faults, authentication, the `Accept` check,
//! the rate limit and its headers, and the observers that see each request and response.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use serde_json::{json, Value};

use super::auth;
use super::error::ApiError;
use super::PagerDutyServer;
use crate::faults::Fault;
use crate::observe::{Exchange, MAX_REQUEST_BODY};

pub(crate) async fn gate(
    State(server): State<PagerDutyServer>,
    request: Request,
    next: Next,
) -> Response {
    let (captured, request) = crate::observe::capture(request).await;
    let unreadable = captured.unreadable;
    let fault = server.inner.faults.take(request.uri().path());
    let response = match &fault {
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = ApiError::for_status(status).into_response();
            fill_budget_headers(&server, response.headers_mut());
            response
        }
        Some(Fault::RateLimited(wait) | Fault::SecondaryRateLimit(wait)) => {
            let mut response = ApiError::RateLimited {
                reset_s: wait.as_secs(),
            }
            .into_response();
            fill_budget_headers(&server, response.headers_mut());
            response
        }
        _ => admitted(&server, request, unreadable, next).await,
    };
    let (mut parts, body) = response.into_parts();
    // Bodies here are small JSON documents the handlers just built; a failure to read one
    // can only be a bug, and an empty body then shows it.
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let bytes = crate::faults::shape_body(fault.as_ref(), bytes, wrong_types);
    parts.headers.remove(header::CONTENT_LENGTH);
    crate::faults::hang(fault.as_ref(), &server.inner.stopping).await;
    if !server.inner.observers.is_empty() {
        server.inner.observers.notify(&Exchange {
            method: captured.method,
            path_and_query: captured.path_and_query,
            request_body: captured.body,
            status: parts.status.as_u16(),
            body: serde_json::from_slice(&bytes).ok(),
            fault,
        });
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The response for a request that no status fault pre-empted.
async fn admitted(
    server: &PagerDutyServer,
    request: Request,
    unreadable_body: bool,
    next: Next,
) -> Response {
    let headers = request.headers();
    let token = match auth::token(headers) {
        Ok(token) => token,
        Err(e) => {
            let mut response = e.into_response();
            fill_budget_headers(server, response.headers_mut());
            return response;
        }
    };
    if let Err(e) = auth::accept(headers) {
        let mut response = e.into_response();
        fill_budget_headers(server, response.headers_mut());
        return response;
    }
    if unreadable_body {
        let mut response = ApiError::invalid(format!(
            "request body: unreadable or larger than {MAX_REQUEST_BODY} bytes"
        ))
        .into_response();
        fill_budget_headers(server, response.headers_mut());
        return response;
    }
    match server.inner.limiter.charge(&token) {
        Ok(budget) => {
            let mut response = next.run(request).await;
            budget.write(response.headers_mut());
            response
        }
        Err(budget) => {
            let mut response = ApiError::RateLimited {
                reset_s: budget.reset_s,
            }
            .into_response();
            budget.write(response.headers_mut());
            response
        }
    }
}

/// Rate-limit headers for responses that charged nothing, keeping any already set.
fn fill_budget_headers(server: &PagerDutyServer, headers: &mut HeaderMap) {
    let mut full = HeaderMap::new();
    server.inner.limiter.untouched().write(&mut full);
    for (name, value) in full {
        if let Some(name) = name {
            headers.entry(name).or_insert(value);
        }
    }
}

/// Valid JSON with the wrong types where clients most rely on them.
fn wrong_types(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), &*v) {
                    (
                        "incident_number" | "escalation_level" | "limit" | "offset",
                        Value::Number(n),
                    ) => {
                        *v = Value::String(n.to_string());
                    }
                    ("created_at" | "updated_at" | "start" | "end", Value::String(s)) => {
                        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                            *v = json!(t.timestamp());
                        }
                    }
                    _ => wrong_types(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(wrong_types),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_turns_numbers_to_strings_and_times_to_numbers() {
        let mut body = json!({
            "incidents": [{"incident_number": 7, "created_at": "2026-05-04T05:47:00Z",
                           "title": "t", "service": {"id": "P"}}],
            "limit": 25, "more": false
        });
        wrong_types(&mut body);
        assert_eq!(
            body,
            json!({
                "incidents": [{"incident_number": "7", "created_at": 1_777_873_620,
                               "title": "t", "service": {"id": "P"}}],
                "limit": "25", "more": false
            })
        );
    }
}
