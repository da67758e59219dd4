//! A real Prometheus for a simulated day: the scenario's series ([`crate::metrics`]) written as
//! OpenMetrics, turned into TSDB blocks by `promtool`, and served by Debian's `prometheus` on
//! loopback. The simulator does not answer PromQL itself; where Prometheus is not installed
//! there is no Prometheus, and [`start`] says why.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
pub use opsdeck_testkit::{Prometheus, TestkitError};

use crate::metrics;
use crate::scenario::Scenario;
use crate::world::World;

/// How long before the day starts the series begin, so the morning's sparklines have a past.
const LEAD: TimeDelta = TimeDelta::hours(6);
/// How long after the last event they go on.
const TAIL: TimeDelta = TimeDelta::hours(2);

/// The replayed day's span of series: from before the day starts to after its last event (at
/// least a whole day).
pub fn span(scenario: &Scenario, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = scenario.day_start(date);
    let last = (0..scenario.events.len())
        .filter_map(|i| scenario.event_instant(date, i))
        .max()
        .unwrap_or(start);
    (
        start - LEAD,
        (last + TAIL).max(start + TimeDelta::hours(24)),
    )
}

/// The day's series as OpenMetrics, from the scripted events (opsdeck's actions do not change
/// what the services did).
pub fn day_series(scenario: Arc<Scenario>, date: NaiveDate) -> String {
    let (from, to) = span(&scenario, date);
    let services: Vec<String> = scenario.services.iter().map(|s| s.name.clone()).collect();
    let mut world = World::new(scenario, date);
    world.advance_to(to);
    metrics::openmetrics(&services, world.alerts().occurrences(), from, to)
}

/// Starts Prometheus with the day's series, on `port` when given. Blocks while `promtool`
/// builds the blocks and Prometheus becomes ready (about a second); call it off the async
/// runtime's threads.
pub fn start(
    scenario: Arc<Scenario>,
    date: NaiveDate,
    port: Option<u16>,
) -> Result<Prometheus, TestkitError> {
    let series = day_series(scenario, date);
    Prometheus::start_seeded(CONFIG, &series, port)
}

/// Nothing to scrape: the series are all in the seeded blocks.
const CONFIG: &str = "global:\n  scrape_interval: 1m\n";
