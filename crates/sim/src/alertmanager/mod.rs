//! The simulated Prometheus Alertmanager, API v2: the scenario's `via: prometheus` alerts as
//! Prometheus would have posted them, and silences with Alertmanager's rules. Alertmanager has
//! no authentication of its own (a proxy in front of it may ask for a bearer token), so any or
//! no `Authorization` is accepted.
//!
//! - `GET /api/v2/alerts` (`active`, `silenced`, `inhibited`, `unprocessed`, `filter`,
//!   `receiver`)
//! - `GET|POST /api/v2/silences`, `GET|DELETE /api/v2/silence/{id}`
//! - `GET /api/v2/status`, `GET /api/v2/receivers`, `GET /-/healthy`, `GET /-/ready`
//!
//! As in Alertmanager, an alert that has resolved is no longer listed. There are no inhibition
//! rules or mute intervals, so `inhibitedBy` and `mutedBy` stay empty.
//! [`AlertmanagerServer::observe`] shows tests every exchange, for the contract check. The
//! endpoints themselves are `crate::alerting`'s, which Grafana's built-in Alertmanager shares.

pub(crate) mod routes;

use std::sync::Arc;

use axum::Router;
use chrono::{DateTime, Utc};

use crate::live::LiveWorld;
use crate::observe::Observers;
pub use crate::observe::{Exchange, Observer};

/// The one receiver the simulated configuration routes every alert to.
pub const RECEIVER: &str = "default";

/// Where `generatorURL`s point: a Prometheus that does not exist (the simulator serves no
/// Prometheus UI); the link is there because Prometheus always sends one.
pub const PROMETHEUS_UI: &str = "http://prometheus.example.test:9090";

/// One simulated Alertmanager; clones share it.
#[derive(Clone)]
pub struct AlertmanagerServer {
    inner: Arc<Inner>,
}

struct Inner {
    live: LiveWorld,
    api_base: String,
    /// When it started, on the simulated clock, for `/status`'s `uptime`.
    started: DateTime<Utc>,
    observers: Observers,
}

impl AlertmanagerServer {
    /// A server for `live`, reachable at `api_base` (`http://127.0.0.1:PORT`).
    pub fn new(live: LiveWorld, api_base: &str) -> Self {
        AlertmanagerServer {
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

    /// The base URL clients use; the API is under `/api/v2`.
    pub fn url(&self) -> &str {
        &self.inner.api_base
    }

    /// Test-only: calls `observer` with every response served from now on.
    pub fn observe(&self, observer: Observer) {
        self.inner.observers.add(observer);
    }
}
