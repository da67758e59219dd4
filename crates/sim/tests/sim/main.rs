//! The simulator over HTTP, as opsdeck's sources see it. One binary, one module per area:
//!
//! - `harness`: starting the simulator, an authorised client, and the contract check that
//!   validates every response served, and every request accepted, against the vendor's spec
//!   when a test finishes
//! - `incidents`: `/incidents` and `/incidents/{id}` on the shared day, and their filters
//! - `paging`: offset pagination over a synthetic day with 130 pages
//! - `log_entries`: `/incidents/{id}/log_entries`
//! - `oncalls`: `/oncalls` and `/users/me`
//! - `actions`: the writes (`PUT /incidents/{id}`, snooze, notes) and `/users`
//! - `errors`: authentication, unknown ids, bad queries, `Accept`, rate-limit headers
//! - `faults`: every injected fault kind
//! - `running`: the clock moving the world, ports, stopping
//! - `contract`: the contract check itself catches drift
//! - `kubernetes`: the simulated Kubernetes API (discovery, lists, gets), read with the
//!   client's types and checked against the Kubernetes description
//! - `kubectl`: a real kubectl gets, scales, restarts, undoes and cordons through the
//!   simulator's kubeconfig
//! - `forward`: the scenario's alerts posted to a real Alertmanager, and resolved there
//! - `alertmanager`: the simulated Alertmanager API v2 (alerts, silences, fingerprints as a
//!   real Alertmanager computes them), checked against the Alertmanager spec
//! - `grafana`: the simulated Grafana (its Alertmanager, rules, annotations, authentication),
//!   checked against Grafana's two specs
//! - `github`: the simulated GitHub REST API (workflow runs, jobs, deployments, pagination,
//!   ETags, rate limits, actions, redirects), checked against GitHub's description

mod actions;
mod alertmanager;
mod contract;
mod errors;
mod faults;
mod forward;
mod github;
mod grafana;
mod harness;
mod incidents;
mod kubectl;
mod kubernetes;
mod log_entries;
mod oncalls;
mod paging;
mod running;
