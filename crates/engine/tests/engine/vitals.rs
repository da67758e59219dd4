//! A service's vitals through the Cockpit, from a real Prometheus seeded with the shared day's
//! series: the sparklines show the 05:30 latency alert on payments-api, the SLO glance shows
//! its budget overspent, and what is missing (queries, a Prometheus, a good query) says why.

use std::sync::Arc;
use std::time::Duration;

use opsdeck_domain::SourceKind;
use opsdeck_domain::{VitalUnit, VitalsProblem};
use opsdeck_engine::config::{ServiceConfig, ServiceVitals, SloConfig, SourceConfig};
use opsdeck_sim::scenario::bundled_day;

use crate::harness::{at, config_for, date, sim, Home, Recorder};

/// `name` with the given error-rate query, and payments-api's other series.
fn service(name: &str, error_rate: &str) -> ServiceConfig {
    let [_, (_, latency), (_, saturation)] = opsdeck_sim::metrics::queries("payments-api");
    ServiceConfig {
        name: name.into(),
        pagerduty: None,
        kubernetes: None,
        github: None,
        prometheus: Some(ServiceVitals {
            source: None,
            error_rate: Some(error_rate.into()),
            latency_p99: Some(latency),
            saturation: Some(saturation),
            slo: Some(SloConfig {
                objective: 0.999,
                window: Duration::from_secs(30 * 24 * 3600),
            }),
        }),
    }
}

#[tokio::test]
async fn vitals_come_from_a_seeded_prometheus_and_gaps_say_why() {
    let prometheus = tokio::task::spawn_blocking(|| {
        opsdeck_sim::prometheus::start(Arc::new(bundled_day()), date(), None)
    })
    .await
    .expect("joins")
    .unwrap_or_else(|e| panic!("Prometheus with the day's series: {e}"));
    let running = sim("06:00", 0.0).await;
    let mut source = SourceConfig::new(SourceKind::Prometheus, &prometheus.url());
    source.timeout = Duration::from_secs(10);
    let mut config = config_for(&running, vec![source]);
    let [(_, pay_errors), ..] = opsdeck_sim::metrics::queries("payments-api");
    config.services = vec![
        service("payments-api", &pay_errors),
        service("broken", "sum(rate(oops[5m]"),
    ];
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    // Its poll is a health check: Prometheus answers, nothing lands on the timeline.
    let synced = cockpit.sync_once().await;
    assert!(synced.iter().all(|s| s.result.is_ok()), "{synced:?}");

    let vitals = cockpit.vitals("payments-api", 3).await;
    assert_eq!(vitals.problem, None);
    assert_eq!(vitals.to, at(6, 0));
    assert_eq!(vitals.from, at(3, 0));
    let names: Vec<&str> = vitals.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["error_rate", "latency_p99", "saturation"]);
    let errors = &vitals.series[0];
    assert_eq!(errors.error, None, "{errors:?}");
    assert_eq!(errors.unit, VitalUnit::Ratio);
    assert!(errors.points.len() >= 100, "{} points", errors.points.len());
    // Healthy at 03:00, failing while APIResponseTimeCritical fires (from 05:30).
    assert!(errors.points[0].v < 0.01, "{:?}", errors.points[0]);
    let latest = errors.points.last().expect("points");
    assert!(latest.v > 0.2, "{latest:?}");
    let latency = &vitals.series[1];
    assert_eq!(latency.unit, VitalUnit::Seconds);
    assert!(latency.points.last().expect("points").v > 2.0);
    let slo = vitals.slo.as_ref().expect("an SLO glance");
    let attainment = slo.attainment.expect("attainment");
    assert!(attainment < 0.999 && attainment > 0.9, "{slo:?}");
    assert!(slo.budget_left.expect("budget") < 0.0, "overspent: {slo:?}");
    assert_eq!(slo.window, "30d");

    // A query Prometheus refuses shows its words on that series alone.
    let broken = cockpit.vitals("broken", 3).await;
    let message = broken.series[0].error.as_deref().expect("an error");
    assert!(message.contains("parse error"), "{message}");
    assert_eq!(broken.series[1].error, None);

    // A service without queries says how to add them.
    let unknown = cockpit.vitals("orders-db", 3).await;
    assert!(
        matches!(&unknown.problem, Some(VitalsProblem::NotConfigured(m)) if m.contains("[services.prometheus]")),
        "{unknown:?}"
    );
    running.stop().await;
}

#[tokio::test]
async fn without_a_prometheus_source_the_panel_says_so() {
    let running = sim("06:00", 0.0).await;
    let mut config = config_for(&running, Vec::new());
    let [(_, errors), ..] = opsdeck_sim::metrics::queries("payments-api");
    config.services = vec![service("payments-api", &errors)];
    let home = Home::new();
    let cockpit = home.open(&config, Arc::new(Recorder::default()));
    let vitals = cockpit.vitals("payments-api", 3).await;
    match &vitals.problem {
        Some(VitalsProblem::NoPrometheus(m)) => {
            assert!(m.contains("apt install prometheus"), "{m}");
        }
        other => panic!("expected no Prometheus, got {other:?}"),
    }
    assert!(vitals.series.is_empty());
    running.stop().await;
}
