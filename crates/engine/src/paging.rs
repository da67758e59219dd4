//! Runs the notification policy: after every sync and on a reminder tick, looks at every page
//! still triggered, asks the domain rules what is due, records each key before showing it (so
//! a restart never repeats one, and a notification server that was down does not turn into a
//! storm when it comes back), and shows it. Also raises the self-alarm when a source has failed
//! for too long while I am on call.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use opsdeck_domain::{
    notifications_due, oncall_summary, self_alarm, Decision, HealthState, Notification,
    NotifyPolicy, Outage, PageFacts, PageView, Shown, Status, TimelineEntry, Urgency,
};

use crate::sync::{lock, SyncDeps, SyncError, ME_KEY};

/// How long a notification may take before paging goes on without it (a stuck notification
/// server must not stall syncing).
const NOTIFY_TIMEOUT: Duration = Duration::from_secs(5);

/// How often reminders are looked for between syncs (real time).
pub const REMINDER_TICK: Duration = Duration::from_secs(15);

/// The preferences paging runs with.
#[derive(Debug, Clone)]
pub struct PagingSettings {
    pub policy: NotifyPolicy,
    pub tz: chrono_tz::Tz,
    /// My email from the config; else what a source said.
    pub me: Option<String>,
    pub self_alarm_after: Duration,
}

impl Default for PagingSettings {
    fn default() -> Self {
        PagingSettings {
            policy: NotifyPolicy::default(),
            tz: chrono_tz::UTC,
            me: None,
            self_alarm_after: Duration::from_secs(300),
        }
    }
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

/// Shows what is due now; returns how many notifications were shown.
pub async fn notify_due(deps: &SyncDeps) -> Result<usize, SyncError> {
    let real_now = Utc::now();
    let decisions: Vec<Decision> = {
        let store = lock(&deps.store);
        let mut pages = Vec::new();
        for entry in store.open_pages()? {
            let Some(facts) = page_facts(&entry) else {
                continue;
            };
            let shown = store
                .notifications_shown(&facts.incident_id)?
                .map(|(count, last_real)| Shown { count, last_real });
            pages.push(PageView { facts, shown });
        }
        let local_now = deps.clock.now().with_timezone(&deps.paging.tz).time();
        notifications_due(&pages, &deps.paging.policy, local_now, real_now)
    };
    let mut shown = 0;
    for decision in decisions {
        if mark(deps, &decision)? && show(deps, decision.notification).await {
            shown += 1;
        }
    }
    Ok(shown)
}

/// Records every key the decision accounts for; true when its own key was new.
fn mark(deps: &SyncDeps, decision: &Decision) -> Result<bool, SyncError> {
    let mut store = lock(&deps.store);
    let (at, real_at) = (deps.clock.now(), Utc::now());
    let mut first = false;
    for m in &decision.marks {
        let new = store.mark_notified_for(&m.key, &m.incident_id, at, real_at)?;
        if m.key == decision.notification.key {
            first = new;
        }
    }
    Ok(first)
}

async fn show(deps: &SyncDeps, note: Notification) -> bool {
    let notifier = deps.notifier.clone();
    let key = note.key.clone();
    // The D-Bus call blocks: keep it off the async workers.
    let shown = tokio::time::timeout(
        NOTIFY_TIMEOUT,
        tokio::task::spawn_blocking(move || notifier.notify(&note)),
    )
    .await;
    match shown {
        Ok(Ok(Ok(()))) => true,
        Ok(Ok(Err(e))) => {
            tracing::warn!(%key, %e, "notification not shown");
            false
        }
        Ok(Err(e)) => {
            tracing::warn!(%key, %e, "notification task failed");
            false
        }
        Err(_) => {
            tracing::warn!(%key, "notification server did not answer within {NOTIFY_TIMEOUT:?}");
            false
        }
    }
}

/// The self-alarm for `source_name` (vendor as the user calls it), if it is due: the source is
/// failing, has been for `self_alarm_after`, and I am on call now.
pub async fn alarm_if_due(
    deps: &Arc<SyncDeps>,
    source_name: &str,
    vendor: &str,
    stale_after: chrono::Duration,
) -> Result<bool, SyncError> {
    let now = deps.clock.now();
    let (outage, on_call) = {
        let store = lock(&deps.store);
        let Some(health) = store
            .source_health(now, stale_after)?
            .into_iter()
            .find(|h| h.name == source_name)
        else {
            return Ok(false);
        };
        if health.state != HealthState::Error {
            return Ok(false);
        }
        let Some(since) = health.last_success_at.or(health.last_error_at) else {
            return Ok(false);
        };
        let me = match &deps.paging.me {
            Some(me) => Some(me.clone()),
            None => store.cursor(source_name, ME_KEY)?,
        };
        let (shifts, _) = store.oncall()?;
        let on_call = oncall_summary(&shifts, me.as_deref(), now, None)
            .current
            .is_some();
        let outage = Outage {
            source_name: source_name.to_string(),
            vendor: vendor.to_string(),
            failing_since: since,
            since_local: since
                .with_timezone(&deps.paging.tz)
                .format("%H:%M")
                .to_string(),
            error: health.last_error.unwrap_or_default(),
        };
        (outage, on_call)
    };
    let Some(note) = self_alarm(&outage, on_call, now, deps.paging.self_alarm_after) else {
        return Ok(false);
    };
    let decision = Decision {
        marks: vec![opsdeck_domain::Mark {
            key: note.key.clone(),
            incident_id: String::new(),
        }],
        notification: note,
    };
    Ok(mark(deps, &decision)? && show(deps, decision.notification).await)
}
