//! opsdeck's simulator: the scenario loader, the simulated vendors' world, and the servers that
//! speak each vendor's wire protocol on a simulated clock.
//!
//! - [`scenario`] reads and validates a scenario file (one simulated on-call day).
//! - [`world`] replays a scenario on a date into the mutable state the simulated vendors serve.
//! - [`clock`] is the simulated clock every process of a run shares.
//! - [`live`] is the world as the servers share it, kept at the clock's now.
//! - [`pagerduty`] serves the PagerDuty REST API v2.
//! - [`alertmanager`] serves Prometheus Alertmanager's API v2.
//! - [`grafana`] serves Grafana's HTTP API: its built-in Alertmanager, rules and annotations
//!   (the Alertmanager endpoints of both are `alerting`'s).
//! - [`github`] serves GitHub's REST API for Actions workflow runs, jobs and deployments.
//! - [`metrics`] turns the scenario into the series a real Prometheus serves for the vitals;
//!   [`prometheus`] starts that Prometheus (Debian's) where it is installed.
//! - [`forward`] posts the `via: prometheus` alerts to a real Alertmanager as well.
//! - [`faults`] and [`observe`] are the test hooks: injected failures, and every exchange seen.
//! - [`run`] starts every simulated vendor on loopback and stops them.

mod alerting;
pub mod alertmanager;
pub mod clock;
pub mod demo_runbooks;
pub mod faults;
pub mod forward;
pub mod github;
pub mod grafana;
pub mod kubernetes;
pub mod live;
pub mod metrics;
pub mod observe;
pub mod pagerduty;
pub mod prometheus;
mod query_string;
pub mod run;
pub mod scenario;
pub mod world;
