//! The simulated PagerDuty REST API v2, served from the shared world on the simulated clock,
//! with PagerDuty's authentication, errors and rate-limit headers.
//!
//! Reads: `GET /incidents`, `/incidents/{id}`, `/incidents/{id}/log_entries`,
//! `/incidents/{id}/notes`, `/oncalls`, `/users` (with `query`) and `/users/me`.
//!
//! Writes, which change the world at once and need a `From` header naming a user of the
//! account: `PUT /incidents/{id}` (acknowledge, resolve with a `resolution`, reassign to a
//! user, escalate to a level), `POST /incidents/{id}/snooze` and `POST /incidents/{id}/notes`.
//!
//! Two hooks exist for tests and are inert otherwise: [`PagerDutyServer::faults`] injects
//! failures, [`PagerDutyServer::observe`] sees every request and response served.

mod actions;
mod auth;
mod body;
mod error;
mod filters;
mod gate;
mod query;
mod ratelimit;
mod render;
mod routes;

use std::sync::Arc;

use axum::Router;
use chrono_tz::Tz;
use tokio::sync::watch;

pub use crate::faults::{Fault, Faults, PathMatch};
pub use crate::observe::{Exchange, Observer};
pub use error::ApiError;

use crate::live::LiveWorld;
use crate::observe::Observers;
use crate::world::World;
use ratelimit::RateLimiter;
use render::{Render, Urls};

/// One simulated PagerDuty account; clones share it.
#[derive(Clone)]
pub struct PagerDutyServer {
    inner: Arc<Inner>,
}

struct Inner {
    live: LiveWorld,
    urls: Urls,
    api_base: String,
    scenario_name: String,
    account_tz: Tz,
    faults: Faults,
    observers: Observers,
    limiter: RateLimiter,
    /// Becomes true when the server stops; hanging responses end then.
    stopping: watch::Receiver<bool>,
}

impl PagerDutyServer {
    /// A server for `live`, reachable at `api_base` (such as `http://127.0.0.1:PORT`, which
    /// `self` links use).
    pub fn new(live: LiveWorld, api_base: &str, stopping: watch::Receiver<bool>) -> Self {
        let (scenario_name, account_tz) = {
            let world = live
                .world()
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (world.scenario().name.clone(), world.scenario().clock.tz)
        };
        PagerDutyServer {
            inner: Arc::new(Inner {
                urls: Urls::new(api_base, &scenario_name),
                api_base: api_base.trim_end_matches('/').to_owned(),
                scenario_name,
                account_tz,
                live,
                faults: Faults::default(),
                observers: Observers::default(),
                limiter: RateLimiter::new(ratelimit::PER_MINUTE),
                stopping,
            }),
        }
    }

    /// The HTTP service.
    pub fn router(&self) -> Router {
        routes::router(self.clone())
    }

    /// The base URL clients use.
    pub fn url(&self) -> &str {
        &self.inner.api_base
    }

    /// Test-only: the fault list this server consults before each response.
    pub fn faults(&self) -> Faults {
        self.inner.faults.clone()
    }

    /// Test-only: calls `observer` with every response served from now on.
    pub fn observe(&self, observer: Observer) {
        self.inner.observers.add(observer);
    }

    fn render<'a>(&'a self, world: &World) -> Render<'a> {
        Render {
            urls: &self.inner.urls,
            scenario_name: &self.inner.scenario_name,
            date: world.date(),
        }
    }
}
