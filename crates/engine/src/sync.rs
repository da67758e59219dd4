//! One sync of one source: poll, store what changed, record health, publish the change, and
//! raise the notifications it deserves.

use std::sync::{Arc, Mutex};

use opsdeck_domain::{page_notification, EntryKind, PageFacts, Status, TimelineEntry, Urgency};
use opsdeck_sources::{PollContext, Source, SourceError};
use opsdeck_store::Store;
use tokio::sync::broadcast;

use crate::clock::Clock;
use crate::feed::Change;
use crate::notifier::Notifier;

const CURSOR_KEY: &str = "poll";

/// What every sync needs, shared by all source tasks.
pub struct SyncDeps {
    pub store: Arc<Mutex<Store>>,
    pub clock: Arc<dyn Clock>,
    pub feed: broadcast::Sender<Change>,
    pub notifier: Arc<dyn Notifier>,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("the local cache failed: {0}")]
    Store(#[from] opsdeck_store::StoreError),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    pub inserted: usize,
    pub updated: usize,
    pub notified: usize,
}

// `feed.send` fails only when nobody subscribes (e.g. `opsdeck sync --once`): not an error, so
// its result is ignored below.
pub async fn sync_source(
    deps: &SyncDeps,
    source: &dyn Source,
    backfill: std::time::Duration,
) -> Result<SyncOutcome, SyncError> {
    let name = source.name().to_string();
    let now = deps.clock.now();
    let cursor = lock(&deps.store).cursor(&name, CURSOR_KEY)?;
    let ctx = PollContext {
        now,
        cursor,
        backfill: chrono::Duration::from_std(backfill).unwrap_or(chrono::Duration::hours(24)),
    };
    let polled = source.poll(&ctx).await;
    let output = match polled {
        Ok(o) => o,
        Err(e) => {
            lock(&deps.store).record_attempt_error(&name, source.kind(), now, &e.to_string())?;
            let _ = deps.feed.send(Change::Health { source: name });
            return Err(e.into());
        }
    };
    let (outcome, changed) = {
        let mut store = lock(&deps.store);
        let outcome = store.upsert_entries(&output.entries)?;
        if let Some(c) = &output.cursor {
            store.set_cursor(&name, CURSOR_KEY, c)?;
        }
        store.record_attempt_ok(&name, source.kind(), now)?;
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
    let notified = notify_pages(deps, &changed).await?;
    if !changed.is_empty() {
        let _ = deps.feed.send(Change::Entries {
            source: name.clone(),
            ids: changed.iter().map(|e| e.id.clone()).collect(),
        });
    }
    let _ = deps.feed.send(Change::Health { source: name });
    Ok(SyncOutcome {
        inserted: outcome.inserted.len(),
        updated: outcome.updated.len(),
        notified,
    })
}

/// How long a notification may take before the sync goes on without it (a stuck notification
/// server must not stall syncing).
const NOTIFY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Raises each page's notification once: the store remembers the key, so neither a re-sync nor
/// a restart repeats it.
async fn notify_pages(deps: &SyncDeps, changed: &[TimelineEntry]) -> Result<usize, SyncError> {
    let mut shown = 0;
    for entry in changed.iter().filter(|e| e.kind == EntryKind::Page) {
        let Some(facts) = page_facts(entry) else {
            continue;
        };
        let Some(note) = page_notification(&facts) else {
            continue;
        };
        let first_time = lock(&deps.store).mark_notified(&note.key, deps.clock.now())?;
        if !first_time {
            continue;
        }
        // Marked before showing: a notification server that is down must not turn into a storm
        // of notifications when it comes back. The page stays on the timeline either way.
        let notifier = deps.notifier.clone();
        let key = note.key.clone();
        // The D-Bus call blocks: keep it off the async workers.
        let shown_now = tokio::time::timeout(
            NOTIFY_TIMEOUT,
            tokio::task::spawn_blocking(move || notifier.notify(&note)),
        )
        .await;
        match shown_now {
            Ok(Ok(Ok(()))) => shown += 1,
            Ok(Ok(Err(e))) => tracing::warn!(%key, %e, "notification not shown"),
            Ok(Err(e)) => tracing::warn!(%key, %e, "notification task failed"),
            Err(_) => {
                tracing::warn!(%key, "notification server did not answer within {NOTIFY_TIMEOUT:?}")
            }
        }
    }
    Ok(shown)
}

fn page_facts(entry: &TimelineEntry) -> Option<PageFacts> {
    let urgency = match entry.details.get("urgency")?.as_str()? {
        "high" => Urgency::High,
        "low" => Urgency::Low,
        _ => return None,
    };
    Some(PageFacts {
        incident_id: entry.external_id.clone(),
        title: entry.title.clone(),
        service: entry.service.clone(),
        urgency,
        status: entry.status.unwrap_or(Status::Triggered),
        assigned_to_me: entry
            .details
            .get("assigned_to_me")
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        url: entry.url.clone(),
    })
}

/// A poisoned lock means a panic mid-write elsewhere; SQLite's transaction already rolled that
/// write back, so the store is still consistent and usable.
pub(crate) fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}
