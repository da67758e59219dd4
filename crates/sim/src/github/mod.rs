//! The simulated GitHub REST API (the Actions and deployments subset opsdeck uses), served from
//! the shared world on the simulated clock at the root, as `api.github.com` serves it.
//!
//! Reads:
//! - `GET /repos/{owner}/{repo}/actions/runs` (`actor`, `branch`, `event`, `status`,
//!   `created`, `head_sha`, `check_suite_id`, `exclude_pull_requests`; paginated), newest
//!   first
//! - `GET …/actions/runs/{run_id}`, `GET …/actions/runs/{run_id}/jobs` (`filter=latest|all`;
//!   paginated)
//! - `GET …/actions/runs/{run_id}/pending_deployments`
//! - `GET /repos/{owner}/{repo}/deployments` (`sha`, `ref`, `task`, `environment`; paginated),
//!   `GET …/deployments/{id}`, `GET …/deployments/{id}/statuses` (paginated), newest first
//! - `GET /rate_limit` (free)
//!
//! Writes, which change the world at once as one action at the simulated now:
//! `POST …/runs/{run_id}/rerun` and `…/rerun-failed-jobs` (201), `…/cancel` (202, or 409 for a
//! completed run), `…/pending_deployments` (review: approve or reject).
//!
//! Around every request (see `gate`): any non-empty token (`Bearer` or `token`), else 401;
//! GitHub's primary rate limit (5,000 an hour, [`GitHubServer::set_rate_limit`]) with its
//! `x-ratelimit-*` headers, 403 once used up; `ETag`s and 304s that cost nothing; a renamed
//! repository's old name redirects (301 for reads, 307 for writes) to its new one; unknown
//! repositories, runs and deployments are 404 with GitHub's body.
//!
//! Two hooks exist for tests and are inert otherwise: [`GitHubServer::faults`] injects
//! failures ([`Fault::SecondaryRateLimit`] among them), [`GitHubServer::observe`] sees every
//! request and response served.

mod actions;
mod auth;
mod error;
mod gate;
mod query;
mod ratelimit;
mod render;
mod routes;

use std::sync::Arc;

use axum::Router;
use tokio::sync::watch;

pub use crate::faults::{Fault, Faults, PathMatch};
pub use crate::observe::{Exchange, Observer};
pub use error::ApiError;

use crate::live::LiveWorld;
use crate::observe::Observers;
use crate::world::World;
use ratelimit::RateLimiter;
use render::Render;

/// One simulated GitHub; clones share it.
#[derive(Clone)]
pub struct GitHubServer {
    inner: Arc<Inner>,
}

struct Inner {
    live: LiveWorld,
    api_base: String,
    /// The user every token stands for, named in rate-limit errors.
    actor_id: u64,
    faults: Faults,
    observers: Observers,
    limiter: RateLimiter,
    /// Becomes true when the server stops; hanging responses end then.
    stopping: watch::Receiver<bool>,
}

impl GitHubServer {
    /// A server for `live`, reachable at `api_base` (`http://127.0.0.1:PORT`, which its links
    /// use).
    pub fn new(live: LiveWorld, api_base: &str, stopping: watch::Receiver<bool>) -> Self {
        let actor_id = live
            .world()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .github()
            .actor()
            .id;
        GitHubServer {
            inner: Arc::new(Inner {
                live,
                api_base: api_base.trim_end_matches('/').to_owned(),
                actor_id,
                faults: Faults::default(),
                observers: Observers::default(),
                limiter: RateLimiter::new(ratelimit::PER_HOUR),
                stopping,
            }),
        }
    }

    /// The HTTP service.
    pub fn router(&self) -> Router {
        routes::router(self.clone())
    }

    /// The base URL clients use (as `https://api.github.com`).
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

    /// Test-only: the primary rate limit per token and hour (GitHub's is 5,000); what each
    /// token used this hour still counts.
    pub fn set_rate_limit(&self, limit: u32) {
        self.inner.limiter.set_limit(limit);
    }

    fn render<'a>(&'a self, world: &'a World) -> Render<'a> {
        Render {
            api: &self.inner.api_base,
            github: world.github(),
        }
    }
}
