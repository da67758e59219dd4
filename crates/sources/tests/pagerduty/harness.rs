//! Starting the simulator for a test, a `PagerDutySource` pointed at it, and the contract check
//! that validates every response the source received against PagerDuty's spec.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use opsdeck_contract::shared::{served_problem, Served};
use opsdeck_sim::pagerduty::Exchange;
use opsdeck_sim::run::{start, RunningSim, SimOptions};
use opsdeck_sim::scenario::{parse_str, Scenario};
use opsdeck_sources::http::HttpOptions;
use opsdeck_sources::pagerduty::{PagerDutyConfig, PagerDutySource};
use opsdeck_sources::{PollContext, PollOutput, Source};

pub const TOKEN: &str = "sim-token";
pub const ME: &str = "sam.okafor@example.test";

/// A fixed replayed date, so every instant in the assertions is known.
pub fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 4).expect("valid date")
}

pub use opsdeck_contract::shared::pagerduty_rest as spec;

/// Why an exchange breaks the PagerDuty spec, or `None` (see `served_problem` for what is exempt).
pub fn contract_problem(exchange: &Exchange) -> Option<String> {
    served_problem(
        spec(),
        &Served {
            method: &exchange.method,
            path_and_query: &exchange.path_and_query,
            status: exchange.status,
            body: exchange.body.as_ref(),
            injected: exchange.fault.is_some(),
            corrupted: exchange.fault.as_ref().is_some_and(|f| f.corrupts_body()),
        },
    )
}

pub fn load(yaml: &str) -> Scenario {
    parse_str(yaml, "test.yaml").unwrap_or_else(|e| panic!("{e}"))
}

pub struct Sim {
    pub running: RunningSim,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

/// The simulator on `scenario`, frozen at the scenario time `at` on [`date`], recording every
/// exchange for the contract check in [`Sim::finish`].
pub async fn frozen(scenario: Scenario, at: &str) -> Sim {
    let at = scenario.parse_time(at).expect("valid scenario time");
    let running = start(SimOptions {
        scenario: Arc::new(scenario),
        date: date(),
        at,
        speed: 0.0,
        port_base: None,
    })
    .await
    .expect("simulator starts");
    let exchanges = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&exchanges);
    running
        .pagerduty
        .observe(Arc::new(move |exchange: &Exchange| {
            seen.lock().expect("exchanges").push(exchange.clone());
        }));
    Sim { running, exchanges }
}

impl Sim {
    pub fn url(&self) -> &str {
        self.running.url("pagerduty").expect("pagerduty url")
    }

    /// A source as the engine builds it, with `overlap` behind each previous poll.
    pub fn source_with_overlap(&self, overlap: chrono::Duration) -> PagerDutySource {
        self.source_with(
            overlap,
            HttpOptions {
                timeout: Duration::from_secs(10),
                ..HttpOptions::default()
            },
        )
    }

    /// A source with its own HTTP options (a request budget, say).
    pub fn source_with(&self, overlap: chrono::Duration, http: HttpOptions) -> PagerDutySource {
        PagerDutySource::new(PagerDutyConfig {
            name: "pagerduty".into(),
            url: self.url().to_string(),
            token: TOKEN.into(),
            services: HashMap::new(),
            http,
            overlap,
        })
        .expect("source builds")
    }

    /// The quick poll at the simulator's now, as the engine would run it.
    pub async fn poll_new(&self, source: &PagerDutySource, cursor: Option<String>) -> PollOutput {
        source
            .poll_new(&PollContext {
                now: self.running.now(),
                cursor,
                backfill: chrono::Duration::hours(24),
            })
            .await
            .unwrap_or_else(|e| panic!("quick poll failed: {e}"))
            .expect("PagerDuty has a quick poll")
    }

    pub fn source(&self) -> PagerDutySource {
        self.source_with_overlap(chrono::Duration::minutes(5))
    }

    /// Polls at the simulator's now, as the engine would.
    pub async fn poll(&self, source: &PagerDutySource, cursor: Option<String>) -> PollOutput {
        source
            .poll(&PollContext {
                now: self.running.now(),
                cursor,
                backfill: chrono::Duration::hours(24),
            })
            .await
            .unwrap_or_else(|e| panic!("poll failed: {e}"))
    }

    /// Every exchange so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().expect("exchanges").clone()
    }

    /// Stops the simulator and fails if any response the source received breaks the spec.
    pub async fn finish(self) {
        let Sim { running, exchanges } = self;
        running.stop().await;
        let exchanges = exchanges.lock().expect("exchanges").clone();
        assert!(!exchanges.is_empty(), "the test sent no request");
        let problems: Vec<String> = exchanges.iter().filter_map(contract_problem).collect();
        assert!(
            problems.is_empty(),
            "{} of {} responses break the PagerDuty spec:\n{}",
            problems.len(),
            exchanges.len(),
            problems.join("\n")
        );
    }
}

/// The path of an exchange without its query.
pub fn path_of(exchange: &Exchange) -> &str {
    exchange
        .path_and_query
        .split_once('?')
        .map_or(exchange.path_and_query.as_str(), |(p, _)| p)
}
