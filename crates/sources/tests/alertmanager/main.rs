//! The Alertmanager source against the real Alertmanager (Debian's `prometheus-alertmanager`,
//! started per test by opsdeck-testkit on a free loopback port). One binary, one module per
//! area:
//!
//! - `harness`: the server, a recording proxy whose every response is checked against the
//!   v0.34 spec (narrowly relaxed for older servers), alerts posted as Prometheus posts them,
//!   a poller that carries the cursor like the engine
//! - `contract`: the wire types against the spec: required-only bodies, older servers' bodies,
//!   the real server's known differences
//! - `polling`: a posted alert as a firing entry, unchanged across resends, resolved once
//!   (explicitly, or by timing out), fired again as a new occurrence; several Alertmanagers;
//!   the proxy token
//! - `silences`: plan (every alert the matchers hide), silence, suppressed on the next poll,
//!   expire
//! - `hostile`: markup, bidi controls, emoji, long values, hundreds of labels, unchanged
//! - `outage`: stopped → a clear error without the token; restarted on the same port →
//!   recovers without duplicates
//! - `bad_input`: action requests refused as invalid input
//! - `rule`: a real Prometheus rule firing, through the real Alertmanager, onto the timeline
//! - `backfill`: after a gap, what fired and resolved meanwhile, from a real Prometheus seeded
//!   with the simulated day (against the simulated Alertmanager)

mod backfill;
mod bad_input;
mod contract;
mod harness;
mod hostile;
mod outage;
mod polling;
mod rule;
mod silences;
