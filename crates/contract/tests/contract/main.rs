//! Contract tests against the shared vendor specs: one test binary, each spec loaded once.

mod alertmanager;
mod examples;
mod grafana;
mod overlay;
mod pagerduty;
mod specs;
mod synthetic;
mod timings;
