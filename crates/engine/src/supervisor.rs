//! One supervised task per source: polls on its interval (missed ticks are skipped, not
//! bunched), backs off with jitter while the source fails, polls at once on refresh, and stops
//! within a bounded time when asked.

use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::paging::{notify_due, REMINDER_TICK};
use crate::registry::Configured;
use crate::sync::{sync_source, SyncDeps};

/// The longest wait between attempts while a source keeps failing.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

pub struct Supervisor {
    cancel: CancellationToken,
    refresh: Vec<Arc<Notify>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Supervisor {
    pub fn spawn(deps: Arc<SyncDeps>, sources: &[Configured]) -> Supervisor {
        let cancel = CancellationToken::new();
        let mut refresh = Vec::new();
        let mut tasks = Vec::new();
        for c in sources {
            let wake = Arc::new(Notify::new());
            refresh.push(wake.clone());
            let (deps, source, cancel) = (deps.clone(), c.source.clone(), cancel.clone());
            let (interval, backfill) = (c.config.poll_interval, c.config.backfill);
            tasks.push(tokio::spawn(async move {
                let mut ticks = tokio::time::interval(interval);
                ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
                let mut failures: u32 = 0;
                loop {
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = ticks.tick() => {}
                        _ = wake.notified() => {}
                    }
                    let result = tokio::select! {
                        _ = cancel.cancelled() => return,
                        r = sync_source(&deps, source.as_ref(), backfill) => r,
                    };
                    match result {
                        Ok(_) => failures = 0,
                        Err(e) => {
                            failures = failures.saturating_add(1);
                            tracing::warn!(source = source.name(), %e, failures, "sync failed");
                            let pause = backoff(interval, failures);
                            // A refresh cuts the backoff short: the user asked for it.
                            tokio::select! {
                                _ = cancel.cancelled() => return,
                                _ = tokio::time::sleep(pause) => {}
                                _ = wake.notified() => {}
                            }
                            ticks.reset();
                        }
                    }
                }
            }));
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
