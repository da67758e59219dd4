//! Grafana: Grafana-managed alerts and silences through its built-in Alertmanager's API
//! (`/api/alertmanager/grafana/api/v2/…`, the Alertmanager source's code with Grafana's
//! prefix) with their rules' state (`/api/prometheus/grafana/api/v1/rules`), and annotations (`/api/annotations`) as deploy and ops markers. Authentication is a
//! service-account token, sent as `Authorization: Bearer …`.
//!
//! - `annotations`: what Grafana sends and its mapping onto `annotation` entries
//! - `history`: after a gap, what fired and resolved meanwhile, from Grafana's state history
//! - `rules`: alert rules' state, health and query, added to their alerts' details
//! - `source`: the polls, one cursor for both parts; `grafana.silence` and
//!   `grafana.expire_silence` are the Alertmanager source's actions

pub mod annotations;
pub mod history;
pub mod rules;
mod source;

pub use source::{GrafanaConfig, GrafanaSource};
