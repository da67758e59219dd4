//! What happens around every request: injected faults, authentication, the primary rate
//! limit and its headers, conditional requests (`ETag` / `If-None-Match`), and the observers
//! that see each request and response.
//!
//! Every successful GET carries a weak `ETag` (a digest of the body) with GitHub's caching
//! headers; repeating the request with that tag in `If-None-Match` answers 304 without a
//! body, and, as on GitHub, does not count against the rate limit. `GET /rate_limit` never
//! counts either.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::DateTime;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::auth;
use super::error::ApiError;
use super::ratelimit::Budget;
use super::GitHubServer;
use crate::faults::Fault;
use crate::observe::Exchange;

/// Free of the rate limit (GitHub: "Accessing this endpoint does not count").
pub(crate) const RATE_LIMIT_PATH: &str = "/rate_limit";

/// GitHub's caching headers on a successful GET.
const CACHE_CONTROL: &str = "private, max-age=60, s-maxage=60";
const VARY: &str = "Accept, Authorization";

/// The caller's token, for handlers that report on it (`/rate_limit`).
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub String);

pub(crate) async fn gate(
    State(server): State<GitHubServer>,
    request: Request,
    next: Next,
) -> Response {
    let (captured, request) = crate::observe::capture(request).await;
    let unreadable = captured.unreadable;
    let fault = server.inner.faults.take(request.uri().path());
    // An injected refusal counts nothing and reports the caller's budget as it is.
    let budget = auth::token(request.headers())
        .map_or_else(|_| Budget::anonymous(), |t| server.inner.limiter.peek(&t));
    let refused = |e: ApiError| {
        let mut response = e.into_response();
        budget.write(response.headers_mut());
        response
    };
    let response = match &fault {
        Some(Fault::Status(code)) => refused(ApiError::for_status(
            StatusCode::from_u16(*code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )),
        Some(Fault::RateLimited(wait)) => refused(ApiError::SecondaryRateLimit {
            status: 429,
            retry_after_s: wait.as_secs(),
        }),
        Some(Fault::SecondaryRateLimit(wait)) => refused(ApiError::SecondaryRateLimit {
            status: 403,
            retry_after_s: wait.as_secs(),
        }),
        _ => admitted(&server, request, unreadable, next).await,
    };
    let (mut parts, body) = response.into_parts();
    // Bodies here are small JSON documents the handlers just built; a failure to read one
    // can only be a bug, and an empty body then shows it.
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let bytes = crate::faults::shape_body(fault.as_ref(), bytes, wrong_types);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        "x-github-media-type",
        HeaderValue::from_static("github.v3; format=json"),
    );
    parts.headers.insert(
        "x-github-api-version-selected",
        HeaderValue::from_static("2022-11-28"),
    );
    crate::faults::hang(fault.as_ref(), &server.inner.stopping).await;
    if !server.inner.observers.is_empty() {
        let body = crate::observe::response_json(&bytes);
        server.inner.observers.notify(&Exchange {
            method: captured.method,
            path_and_query: captured.path_and_query,
            request_body: captured.body,
            status: parts.status.as_u16(),
            body,
            fault,
        });
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The response for a request no fault pre-empted.
async fn admitted(
    server: &GitHubServer,
    mut request: Request,
    unreadable_body: bool,
    next: Next,
) -> Response {
    let token = match auth::token(request.headers()) {
        Ok(token) => token,
        Err(e) => {
            let mut response = e.into_response();
            Budget::anonymous().write(response.headers_mut());
            return response;
        }
    };
    let limiter = &server.inner.limiter;
    let free = request.uri().path() == RATE_LIMIT_PATH;
    let budget = if free {
        limiter.peek(&token)
    } else {
        match limiter.charge(&token) {
            Ok(budget) => budget,
            Err(budget) => {
                let user_id = server.inner.actor_id;
                let mut response = ApiError::RateLimited {
                    user_id,
                    reset: budget.reset,
                }
                .into_response();
                budget.write(response.headers_mut());
                return response;
            }
        }
    };
    if unreadable_body {
        let mut response = ApiError::ProblemsParsingJson.into_response();
        budget.write(response.headers_mut());
        return response;
    }
    let conditional = if_none_match(request.headers());
    let cacheable = matches!(*request.method(), Method::GET | Method::HEAD);
    request.extensions_mut().insert(Caller(token.clone()));
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let mut budget = budget;
    let body = if cacheable && parts.status == StatusCode::OK {
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let tag = etag(&bytes);
        let headers = &mut parts.headers;
        if let Ok(value) = HeaderValue::from_str(&tag) {
            headers.insert(header::ETAG, value);
        }
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
        headers.insert(header::VARY, HeaderValue::from_static(VARY));
        if conditional.iter().any(|t| same_entity(t, &tag)) {
            parts.status = StatusCode::NOT_MODIFIED;
            parts.headers.remove(header::CONTENT_TYPE);
            if !free {
                budget = limiter.refund(&token);
            }
            Body::empty()
        } else {
            Body::from(bytes)
        }
    } else {
        body
    };
    budget.write(&mut parts.headers);
    Response::from_parts(parts, body)
}

/// A weak entity tag: the body's SHA-256 in hex, as GitHub's look.
fn etag(body: &[u8]) -> String {
    format!("W/\"{}\"", hex::encode(Sha256::digest(body)))
}

/// The tags of `If-None-Match`, each as sent (`*` included).
fn if_none_match(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The weak comparison `If-None-Match` uses: the tags match ignoring `W/`; `*` matches any.
fn same_entity(sent: &str, ours: &str) -> bool {
    let opaque = |t: &str| t.strip_prefix("W/").unwrap_or(t).to_owned();
    sent == "*" || opaque(sent) == opaque(ours)
}

/// Valid JSON with the wrong types where clients most rely on them: ids and counts as
/// strings, timestamps as Unix seconds.
fn wrong_types(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), &*v) {
                    (
                        "id" | "run_id" | "run_number" | "run_attempt" | "total_count",
                        Value::Number(n),
                    ) => {
                        *v = Value::String(n.to_string());
                    }
                    (
                        "created_at" | "updated_at" | "started_at" | "completed_at"
                        | "run_started_at",
                        Value::String(s),
                    ) => {
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
    fn etags_compare_weakly_and_star_matches() {
        let ours = etag(b"{}");
        assert!(ours.starts_with("W/\"") && ours.len() == 64 + 4);
        assert!(same_entity(&ours, &ours));
        assert!(same_entity(ours.trim_start_matches("W/"), &ours));
        assert!(same_entity("*", &ours));
        assert!(!same_entity(&etag(b"[]"), &ours));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b\""),
        );
        assert_eq!(if_none_match(&headers), ["\"a\"", "W/\"b\""]);
    }

    #[test]
    fn wrong_types_turns_ids_to_strings_and_times_to_numbers() {
        let mut body = json!({"total_count": 1, "workflow_runs": [
            {"id": 9011, "created_at": "2026-05-04T16:05:00Z", "name": "ci", "run_number": 3}
        ]});
        wrong_types(&mut body);
        assert_eq!(
            body,
            json!({"total_count": "1", "workflow_runs": [
                {"id": "9011", "created_at": 1_777_910_700, "name": "ci", "run_number": "3"}
            ]})
        );
    }
}
