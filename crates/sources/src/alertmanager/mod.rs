//! Prometheus Alertmanager, API v2: every firing alert onto the timeline (one entry per
//! occurrence, resolved when Alertmanager stops listing it), and silences as actions.
//!
//! - `wire`: what Alertmanager sends (0.25 through the v0.34 spec)
//! - `map`: one occurrence → one `alert` entry
//! - `diff`: what changed since the last poll, and the cursor that remembers what was firing
//! - `matchers`: silence matchers, parsed and matched as Alertmanager does
//! - `backfill`: what fired and resolved during a gap, from Prometheus' `ALERTS`
//! - `source`: the polls; `actions`: `alertmanager.silence` and `alertmanager.expire_silence`

mod actions;
pub mod backfill;
pub mod diff;
pub mod map;
pub mod matchers;
mod source;
pub mod wire;

pub use source::{AlertmanagerConfig, AlertmanagerSource, Flavor, ALERTMANAGER, GRAFANA};
