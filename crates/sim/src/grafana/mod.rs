//! The simulated Grafana (9.5): the scenario's `via: grafana` alerts through Grafana's
//! built-in Alertmanager and its Prometheus-style rules API, and Grafana's annotations (the
//! scenario's `annotation` events and the alerts' state history).
//!
//! - `GET /api/health` (no authentication, as in Grafana)
//! - `GET /api/alertmanager/grafana/api/v2/alerts` with Alertmanager's parameters
//! - `GET|POST /api/alertmanager/grafana/api/v2/silences`,
//!   `GET|DELETE /api/alertmanager/grafana/api/v2/silence/{id}`
//! - `GET /api/alertmanager/grafana/api/v2/status`
//! - `GET /api/prometheus/grafana/api/v1/rules`
//! - `GET /api/annotations` (`from`, `to`, `limit`, `type`, `tags`, `matchAny`, `alertId`, …)
//!
//! Every other `/api` endpoint wants `Authorization: Bearer <token>`, as Grafana's service
//! accounts send it; any non-empty token is accepted. Errors are Grafana's
//! `{"message": "..."}`. The Alertmanager endpoints are `crate::alerting`'s, shared with the
//! simulated Alertmanager; Grafana's alerts carry its `__alert_rule_uid__` and `grafana_folder`
//! labels and link to the rule's page. [`GrafanaServer::observe`] shows tests every exchange,
//! for the contract check.

mod annotations;
mod routes;
mod rules;

use std::sync::Arc;

use axum::Router;
use chrono::{DateTime, Utc};

use crate::live::LiveWorld;
use crate::observe::Observers;
pub use crate::observe::{Exchange, Observer};

/// The version the simulator answers as; the specs it is checked against are 9.5's.
pub const VERSION: &str = "9.5.0";

/// The contact point Grafana routes every alert to out of the box.
pub const RECEIVER: &str = "grafana-default-email";

/// One simulated Grafana; clones share it.
#[derive(Clone)]
pub struct GrafanaServer {
    inner: Arc<Inner>,
}

struct Inner {
    live: LiveWorld,
    api_base: String,
    /// When it started, on the simulated clock, for the Alertmanager status' `uptime`.
    started: DateTime<Utc>,
    observers: Observers,
}

impl GrafanaServer {
    /// A server for `live`, reachable at `api_base` (`http://127.0.0.1:PORT`).
    pub fn new(live: LiveWorld, api_base: &str) -> Self {
        GrafanaServer {
            inner: Arc::new(Inner {
                started: live.now(),
                live,
                api_base: api_base.trim_end_matches('/').to_owned(),
                observers: Observers::default(),
            }),
        }
    }

    pub fn router(&self) -> Router {
        routes::router(self.clone())
    }

    /// The base URL clients use (Grafana's root URL); the API is under `/api`.
    pub fn url(&self) -> &str {
        &self.inner.api_base
    }

    /// Test-only: calls `observer` with every response served from now on.
    pub fn observe(&self, observer: Observer) {
        self.inner.observers.add(observer);
    }
}
