//! One sync of one source — its full poll or its quick poll for new pages, through the same
//! steps: poll, store what changed, record health, publish the change, and raise the
//! notifications it deserves.

use std::sync::{Arc, Mutex};

use opsdeck_domain::TimelineEntry;
use opsdeck_sources::{PollContext, Source, SourceError};
use opsdeck_store::Store;
use tokio::sync::broadcast;

use crate::clock::Clock;
use crate::feed::Change;
use crate::notifier::Notifier;
use crate::paging::{alarm_if_due, notify_due, PagingSettings};

const CURSOR_KEY: &str = "poll";
/// Where a source's answer to "who am I" is kept (the token's user's email).
pub(crate) const ME_KEY: &str = "me";

/// What every sync needs, shared by all source tasks.
pub struct SyncDeps {
    pub store: Arc<Mutex<Store>>,
    pub clock: Arc<dyn Clock>,
    pub feed: broadcast::Sender<Change>,
    pub notifier: Arc<dyn Notifier>,
    pub paging: PagingSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("the local cache failed: {0}")]
    Store(#[from] opsdeck_store::StoreError),
}

impl SyncError {
    /// What the user can do about it.
    pub fn hint(&self, source_name: &str) -> String {
        match self {
            SyncError::Source(e) => e.hint(source_name),
            SyncError::Store(_) => {
                "the local cache failed: check free disk space, or move it with --db".into()
            }
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    pub inserted: usize,
    pub updated: usize,
    pub notified: usize,
}

/// Which poll a sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollKind {
    /// Everything that changed ([`Source::poll`]): advances the cursor, and its success is what
    /// the source's health and staleness go by.
    Full,
    /// New pages only ([`Source::poll_new`]), between full polls.
    Quick,
}

/// One full poll of `source`: stores what changed, records health, publishes, notifies.
pub async fn sync_source(
    deps: &Arc<SyncDeps>,
    source: &dyn Source,
    backfill: std::time::Duration,
) -> Result<SyncOutcome, SyncError> {
    Ok(sync(deps, source, backfill, PollKind::Full)
        .await?
        .unwrap_or_default())
}

/// One quick poll for new pages; `Ok(None)` when the source has no quick poll.
///
/// Health: a failure is recorded like any other (it means the vendor is unreachable or
/// refusing, whichever poll noticed first), but a success is not — a source is "ok" and fresh
/// by its full poll, so a quick poll that works cannot hide a full poll that keeps failing.
pub async fn sync_new(
    deps: &Arc<SyncDeps>,
    source: &dyn Source,
    backfill: std::time::Duration,
) -> Result<Option<SyncOutcome>, SyncError> {
    sync(deps, source, backfill, PollKind::Quick).await
}

// `feed.send` fails only when nobody subscribes (e.g. `opsdeck sync --once`): not an error, so
// its result is ignored below.
async fn sync(
    deps: &Arc<SyncDeps>,
    source: &dyn Source,
    backfill: std::time::Duration,
    kind: PollKind,
) -> Result<Option<SyncOutcome>, SyncError> {
    let name = source.name().to_string();
    let now = deps.clock.now();
    let cursor = lock(&deps.store).cursor(&name, CURSOR_KEY)?;
    let ctx = PollContext {
        now,
        cursor,
        backfill: chrono::Duration::from_std(backfill).unwrap_or(chrono::Duration::hours(24)),
    };
    let polled = match kind {
        PollKind::Full => source.poll(&ctx).await.map(Some),
        PollKind::Quick => source.poll_new(&ctx).await,
    };
    let output = match polled {
        Ok(Some(o)) => o,
        Ok(None) => return Ok(None),
        Err(e) => {
            lock(&deps.store).record_attempt_error(&name, source.kind(), now, &e.to_string())?;
            let _ = deps.feed.send(Change::Health {
                source: name.clone(),
            });
            // Error state does not depend on staleness; any window will do here.
            alarm_if_due(
                deps,
                &name,
                source.kind().label(),
                chrono::Duration::hours(1),
            )
            .await?;
            return Err(e.into());
        }
    };
    let (outcome, changed) = {
        let mut store = lock(&deps.store);
        // A quick poll's view is partial (no log yet): it only adds pages the cache lacks, so
        // running beside a full poll it can never overwrite a fuller view stored meanwhile.
        let outcome = match kind {
            PollKind::Full => store.upsert_entries(&output.entries)?,
            PollKind::Quick => store.insert_new_entries(&output.entries)?,
        };
        if let Some(c) = &output.cursor {
            store.set_cursor(&name, CURSOR_KEY, c)?;
        }
        if let Some(me) = &output.me {
            store.set_cursor(&name, ME_KEY, me)?;
        }
        if let Some(shifts) = &output.oncall {
            store.replace_oncall(&name, shifts, now)?;
            // The snapshot is replaced on every fetch; my shifts in it are kept as history.
            if let Some(me) = deps.paging.me.as_deref().or(output.me.as_deref()) {
                store.record_shifts(&opsdeck_domain::shifts_from_oncall(shifts, me))?;
            }
        }
        if let Some(silences) = &output.silences {
            store.record_silences(silences)?;
        }
        if kind == PollKind::Full {
            store.record_attempt_ok(&name, source.kind(), now)?;
        }
        // What changed is what the source just handed over: no need to read it back.
        let changed: Vec<TimelineEntry> = output
            .entries
            .iter()
            .filter(|e| {
                let id = e.id();
                outcome.inserted.contains(&id) || outcome.updated.contains(&id)
            })
            .map(|e| e.to_timeline())
            .collect();
        (outcome, changed)
    };
    // A quick poll that found nothing new has nothing to page about (reminders have their
    // own tick).
    let notified = if kind == PollKind::Full || !changed.is_empty() {
        notify_due(deps).await?
    } else {
        0
    };
    if !changed.is_empty() {
        let _ = deps.feed.send(Change::Entries {
            source: name.clone(),
            ids: changed.iter().map(|e| e.id.clone()).collect(),
        });
    }
    if kind == PollKind::Full {
        let _ = deps.feed.send(Change::Health { source: name });
    }
    Ok(Some(SyncOutcome {
        inserted: outcome.inserted.len(),
        updated: outcome.updated.len(),
        notified,
    }))
}

/// A poisoned lock means a panic mid-write elsewhere; SQLite's transaction already rolled that
/// write back, so the store is still consistent and usable.
pub(crate) fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}
