//! One supervised task per source: polls on its interval (missed ticks are skipped, not
//! bunched), runs the quick poll for new pages beside it on its own shorter interval, backs
//! off with jitter while the source fails, polls at once on refresh, and stops within a
//! bounded time when asked.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use crate::paging::{notify_due, REMINDER_TICK};
use crate::registry::Configured;
use crate::release::{Releaser, RELEASE_TICK};
use crate::sync::{sync_new, sync_source, SyncDeps};
use opsdeck_sources::Source;

/// The longest wait between attempts while a source keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// How long a watching source's change signal waits for the rest of a burst (a rollout moves
/// many pods at once) before the poll that hands them over.
const CHANGE_SETTLE: Duration = Duration::from_millis(200);

pub struct Supervisor {
    cancel: CancellationToken,
    refresh: Vec<Arc<Notify>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Supervisor {
    /// Polls `sources`; with a `releaser`, also expires silences tied to incidents that have
    /// resolved, on its own tick.
    pub fn spawn(
        deps: Arc<SyncDeps>,
        sources: &[Configured],
        releaser: Option<Arc<Releaser>>,
        retention: Option<chrono::Duration>,
    ) -> Supervisor {
        let cancel = CancellationToken::new();
        let mut refresh = Vec::new();
        let mut tasks = Vec::new();
        for c in sources {
            let wake = Arc::new(Notify::new());
            refresh.push(wake.clone());
            tasks.push(tokio::spawn(run_source(
                deps.clone(),
                c.source.clone(),
                Plan::of(c),
                wake,
                cancel.clone(),
            )));
        }
        if let Some(retention) = retention {
            tasks.push(crate::history::spawn_pruner(
                deps.clone(),
                retention,
                cancel.clone(),
            ));
        }
        // Reminders come due between syncs: look for them on their own tick.
        let (deps, cancel_reminders) = (deps.clone(), cancel.clone());
        tasks.push(tokio::spawn(async move {
            let mut ticks = tokio::time::interval(REMINDER_TICK);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
            loop {
                tokio::select! {
                    _ = cancel_reminders.cancelled() => return,
                    _ = ticks.tick() => {}
                }
                if let Err(e) = notify_due(&deps).await {
                    tracing::warn!(%e, "reminders not checked");
                }
            }
        }));
        if let Some(releaser) = releaser {
            let cancel_release = cancel.clone();
            tasks.push(tokio::spawn(async move {
                let mut ticks = tokio::time::interval(RELEASE_TICK);
                ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
                loop {
                    tokio::select! {
                        _ = cancel_release.cancelled() => return,
                        _ = ticks.tick() => {}
                    }
                    for r in releaser.release_resolved().await {
                        match &r.outcome {
                            Ok(o) => tracing::info!(source = %r.source, silence = %r.silence, incident = %r.incident, "{}", o.message),
                            Err(e) => tracing::warn!(source = %r.source, silence = %r.silence, incident = %r.incident, %e, "tied silence not expired"),
                        }
                    }
                }
            }));
        }
        Supervisor {
            cancel,
            refresh,
            tasks,
        }
    }

    /// Polls every source now (a source mid-poll polls again right after).
    pub fn refresh(&self) {
        for r in &self.refresh {
            r.notify_one();
        }
    }

    /// Stops every task; tasks that do not finish within `timeout` are aborted.
    pub async fn shutdown(self, timeout: Duration) {
        self.cancel.cancel();
        let aborts: Vec<_> = self.tasks.iter().map(|t| t.abort_handle()).collect();
        if tokio::time::timeout(timeout, futures::future::join_all(self.tasks))
            .await
            .is_err()
        {
            for a in aborts {
                a.abort();
            }
        }
    }
}

/// When a source polls.
#[derive(Debug, Clone, Copy)]
struct Plan {
    interval: Duration,
    /// The quick poll for new pages, if the config turns it on.
    fast: Option<Duration>,
    backfill: Duration,
}

impl Plan {
    fn of(c: &Configured) -> Plan {
        Plan {
            interval: c.config.poll_interval,
            fast: c.config.fast_poll(),
            backfill: c.config.backfill,
        }
    }
}

/// One source's task. The full poll and the quick poll run side by side in it, each on its own
/// interval and backoff: a full poll busy fetching details (or failing) never holds back the
/// quick poll, so a new page reaches the desktop within the quick interval. They cannot undo
/// each other: the quick poll only inserts pages the cache does not have yet, and its requests
/// go on their own lane of the source's rate limit.
async fn run_source(
    deps: Arc<SyncDeps>,
    source: Arc<dyn Source>,
    plan: Plan,
    wake: Arc<Notify>,
    cancel: CancellationToken,
) {
    tokio::select! {
        _ = cancel.cancelled() => {}
        _ = full_polls(&deps, source.as_ref(), &plan, &wake) => {}
        _ = quick_polls(&deps, source.as_ref(), &plan) => {}
    }
}

async fn full_polls(deps: &Arc<SyncDeps>, source: &dyn Source, plan: &Plan, wake: &Notify) {
    let mut full = tokio::time::interval(plan.interval);
    full.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut failures: u32 = 0;
    let changed = source.changed();
    loop {
        tokio::select! {
            biased;
            _ = wake.notified() => {}
            _ = full.tick() => {}
            // A watching source has news: take it now, after a moment for the rest of a burst.
            _ = async {
                match &changed {
                    Some(c) => c.notified().await,
                    None => std::future::pending().await,
                }
            }, if failures == 0 => tokio::time::sleep(CHANGE_SETTLE).await,
        }
        match sync_source(deps, source, plan.backfill).await {
            Ok(_) => {
                if failures > 0 {
                    // Back on the regular schedule.
                    full.reset();
                }
                failures = 0;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(source = source.name(), %e, failures, "sync failed");
                // A refresh still polls at once: the user asked for it.
                full.reset_at(Instant::now() + backoff(plan.interval, failures));
            }
        }
    }
}

/// Never returns while the source has a quick poll; returns at once when it has none, which
/// leaves the full polls running alone.
async fn quick_polls(deps: &Arc<SyncDeps>, source: &dyn Source, plan: &Plan) {
    let Some(every) = plan.fast else {
        return std::future::pending().await;
    };
    let mut ticks = tokio::time::interval_at(Instant::now() + every, every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut failures: u32 = 0;
    loop {
        ticks.tick().await;
        match sync_new(deps, source, plan.backfill).await {
            // The source has no quick poll after all.
            Ok(None) => return std::future::pending().await,
            Ok(Some(_)) => {
                if failures > 0 {
                    ticks.reset();
                }
                failures = 0;
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(source = source.name(), %e, failures, "quick poll failed");
                let pause = backoff(every, failures).min(plan.interval);
                ticks.reset_at(Instant::now() + pause);
            }
        }
    }
}

/// Exponential backoff from the poll interval, capped, with ±20 % jitter so several sources
/// (or several users behind one VPN) do not retry in lockstep.
pub fn backoff(interval: Duration, failures: u32) -> Duration {
    let base = interval
        .saturating_mul(1u32 << failures.min(8))
        .min(MAX_BACKOFF);
    let jitter = rand::rng().random_range(0.8..1.2);
    base.mul_f64(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let i = Duration::from_secs(30);
        let first = backoff(i, 1);
        assert!(
            first >= Duration::from_secs(48) && first <= Duration::from_secs(72),
            "{first:?}"
        );
        let late = backoff(i, 20);
        assert!(
            late <= MAX_BACKOFF.mul_f64(1.2) && late >= MAX_BACKOFF.mul_f64(0.8),
            "{late:?}"
        );
    }
}
