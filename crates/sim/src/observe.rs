//! Observers: every request the server answers and its response, as data, for contract tests
//! that validate all simulator traffic against the vendor's spec.

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use crate::faults::Fault;

/// Request bodies the simulated vendors take are small (a silence is a few hundred bytes).
pub(crate) const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// One request and the response served to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub method: String,
    pub path_and_query: String,
    /// The request's body parsed as JSON; `None` when empty or not JSON.
    pub request_body: Option<Value>,
    pub status: u16,
    /// The response's body parsed as JSON; `None` when empty or not JSON.
    pub body: Option<Value>,
    /// The injected fault that shaped this response, if any.
    pub fault: Option<Fault>,
}

pub type Observer = Arc<dyn Fn(&Exchange) + Send + Sync>;

#[derive(Clone, Default)]
pub(crate) struct Observers {
    list: Arc<Mutex<Vec<Observer>>>,
}

impl Observers {
    pub(crate) fn add(&self, observer: Observer) {
        self.list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(observer);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    pub(crate) fn notify(&self, exchange: &Exchange) {
        // Called without the lock held, so an observer may add another.
        let list: Vec<Observer> = self
            .list
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for observer in list {
            observer(exchange);
        }
    }
}

/// A request as observers see it, read in full before anything can refuse it, so observers
/// see what was sent whatever the answer.
pub(crate) struct Captured {
    pub method: String,
    pub path_and_query: String,
    /// The body parsed as JSON; `None` when empty or not JSON.
    pub body: Option<Value>,
    /// The body could not be read, or was larger than [`MAX_REQUEST_BODY`]: the handler gets
    /// none.
    pub unreadable: bool,
}

/// Reads `request`'s body once and hands back the request with the same bytes, for the
/// handler.
pub(crate) async fn capture(request: Request) -> (Captured, Request) {
    let method = request.method().to_string();
    let path_and_query = request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |pq| pq.as_str().to_owned(),
    );
    let (parts, body) = request.into_parts();
    let (bytes, unreadable) = match to_bytes(body, MAX_REQUEST_BODY).await {
        Ok(bytes) => (bytes, false),
        Err(_) => (Default::default(), true),
    };
    let captured = Captured {
        method,
        path_and_query,
        body: serde_json::from_slice::<Value>(&bytes).ok(),
        unreadable,
    };
    (captured, Request::from_parts(parts, Body::from(bytes)))
}

/// A response body as observers see it: an empty body is JSON's null, so a bodiless answer the
/// spec allows (a 204, a 304) validates; a body that is not JSON is `None`.
pub(crate) fn response_json(bytes: &[u8]) -> Option<Value> {
    if bytes.is_empty() {
        Some(Value::Null)
    } else {
        serde_json::from_slice(bytes).ok()
    }
}

/// Middleware that shows `observers` each request and its answer; inert (no body copies) when
/// none watch. Servers without injected faults (Alertmanager, Grafana) mount it outermost.
pub(crate) async fn record(
    State(observers): State<Observers>,
    request: Request,
    next: Next,
) -> Response {
    if observers.is_empty() {
        return next.run(request).await;
    }
    let (captured, request) = capture(request).await;
    let response = next.run(request).await;
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    let body = response_json(&bytes);
    observers.notify(&Exchange {
        method: captured.method,
        path_and_query: captured.path_and_query,
        request_body: captured.body,
        status: parts.status.as_u16(),
        body,
        fault: None,
    });
    Response::from_parts(parts, Body::from(bytes))
}
