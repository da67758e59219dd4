//! The engine against the simulator, through the same `Cockpit` every shell uses. One binary,
//! one module per area:
//!
//! - `harness`: the simulated shared day, a config pointing at it (saved and loaded like a
//!   user's), a Cockpit on a temporary cache, a recording notifier, feed helpers
//! - `faults`: bad bodies, error statuses, rate limits, hangs and an unreachable source: a
//!   clear error on that source's health, the cache untouched, recovery, the others unaffected
//! - `notify`: one notification per page, across re-syncs and restarts
//! - `supervisor`: the poll loop and the change feed, refresh, bounded shutdown

mod faults;
mod harness;
mod notify;
mod supervisor;
