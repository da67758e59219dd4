//! The cache's history upkeep: the retention policy, applied once a day on a connection of its
//! own so that a prune and its vacuum never hold up syncing or the window.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use opsdeck_domain::PruneReport;
use opsdeck_store::{Store, StoreError};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::sync::{lock, SyncDeps};

/// The first prune waits for the start-up syncs to settle.
const FIRST_PRUNE_AFTER: Duration = Duration::from_secs(60);
/// Then once a day (real time: the retention is counted in data time, the upkeep is not).
pub const PRUNE_EVERY: Duration = Duration::from_secs(24 * 3600);

/// Deletes what is older than `retention` before `now` (data time) from the cache at `path`
/// (or, for an in-memory cache, through the shared connection).
pub(crate) fn prune_now(
    deps: &SyncDeps,
    now: DateTime<Utc>,
    retention: chrono::Duration,
) -> Result<PruneReport, StoreError> {
    let cutoff = now - retention;
    let path = lock(&deps.store).path().map(|p| p.to_path_buf());
    match path {
        Some(path) => Store::open(path)?.prune(cutoff),
        None => lock(&deps.store).prune(cutoff),
    }
}

/// Prunes a minute after start and every day after, until cancelled.
pub(crate) fn spawn_pruner(
    deps: Arc<SyncDeps>,
    retention: chrono::Duration,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut wait = FIRST_PRUNE_AFTER;
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(wait) => {}
            }
            wait = PRUNE_EVERY;
            let deps = deps.clone();
            let now = deps.clock.now();
            let done = tokio::task::spawn_blocking(move || prune_now(&deps, now, retention)).await;
            match done {
                Ok(Ok(r)) if r.total() > 0 => tracing::info!(
                    cutoff = %r.cutoff,
                    entries = r.entries,
                    vacuumed = r.vacuumed,
                    "pruned the history"
                ),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(%e, "the history was not pruned"),
                Err(e) => tracing::warn!(%e, "the prune task failed"),
            }
        }
    })
}
