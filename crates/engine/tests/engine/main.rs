//! The engine against the simulator, through the same `Cockpit` every shell uses. One binary,
//! one module per area:
//!
//! - `actions`: plan and confirm against the simulated PagerDuty: single-use, expiring tokens,
//!   protection levels, the audit trail and the timeline entry, vendor errors as failed actions
//! - `changes`: "What changed?" before a page, ranked from the cache
//! - `budget`: budget-aware polling: a new page through the quick poll before the full poll's
//!   interval, the request rate and PagerDuty's remaining budget in the source's health
//! - `github`: runs and deployments on the timeline, GitHub's rate limit in health, a re-run
//!   from the command layer, approval always typed
//! - `harness`: the simulated shared day, a config pointing at it (saved and loaded like a
//!   user's), a Cockpit on a temporary cache, a recording notifier, feed helpers
//! - `kubernetes`: actions from the command layer back over the watch, protection per
//!   context, an unreachable context failing alone
//! - `faults`: bad bodies, error statuses, rate limits, hangs and an unreachable source: a
//!   clear error on that source's health, the cache untouched, recovery, the others unaffected
//! - `paging`: the notification policy end to end: reminders until acknowledged, restarts,
//!   batches, the self-alarm
//! - `oncall`: my shift and who else is on call, from `/oncalls`
//! - `notify`: one notification per page, across re-syncs and restarts
//! - `runbooks`: linking alerts and pages to the library, a run ticked, skipped, noted, its
//!   scale step's action run from the step, kept across a restart
//! - `shifts`: the replayed day's shift and its handoff figures exactly (pages, times to
//!   acknowledge and resolve, alerts, open items), edits, a shift by hand, a postmortem timeline
//! - `silences`: the named Alertmanager acts; a silence tied to an incident ends with it
//! - `supervisor`: the poll loop and the change feed, refresh, bounded shutdown
//! - `vitals`: sparklines and the SLO glance from a real Prometheus seeded with the day

mod actions;
mod budget;
mod changes;
mod faults;
mod github;
mod harness;
mod kubernetes;
mod notify;
mod oncall;
mod paging;
mod runbooks;
mod shifts;
mod silences;
mod supervisor;
mod vitals;
