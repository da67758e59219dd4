//! A service's vitals, read from Prometheus when the panel asks: each configured query over
//! the last hours (a step that gives about 120 points per sparkline), and the SLO's attainment
//! over its window. One failing query shows its error on its own sparkline; the others still
//! draw.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::{
    budget_left, vital_label, SloGlance, VitalPoint, VitalSeries, VitalUnit, Vitals, VitalsProblem,
};
use opsdeck_sources::prometheus::PrometheusSource;

use crate::config::{Config, ServiceVitals};
use crate::registry::Configured;

/// Points per sparkline, about: enough to see a spike, few enough to draw at once.
const POINTS: i64 = 120;

/// How far back the sparklines reach, by default and at most.
pub const DEFAULT_HOURS: u32 = 3;
pub const MAX_HOURS: u32 = 48;

/// The Prometheus source that answers `vitals`, or why none does.
fn prometheus_for<'a>(
    config: &Config,
    sources: &'a [Configured],
    vitals: &ServiceVitals,
) -> Result<&'a Arc<PrometheusSource>, VitalsProblem> {
    let mut candidates = sources.iter().filter_map(|c| {
        let p = c.prometheus.as_ref()?;
        match &vitals.source {
            Some(name) => (c.config.name() == name).then_some(p),
            None => Some(p),
        }
    });
    candidates.next().ok_or_else(|| {
        VitalsProblem::NoPrometheus(if config.is_simulated() {
            "No Prometheus is running for this simulation: `opsdeck sim` starts one with the \
             day's series where Debian's prometheus is installed (apt install prometheus), \
             and writes it into the config"
                .into()
        } else {
            "No Prometheus source is configured: add a [[sources]] entry with kind = \
             \"prometheus\" and its url"
                .into()
        })
    })
}

/// The vitals of `service` for the `hours` up to `now`.
pub async fn vitals(
    config: &Config,
    sources: &[Configured],
    service: &str,
    hours: u32,
    now: DateTime<Utc>,
) -> Vitals {
    let hours = hours.clamp(1, MAX_HOURS);
    let from = now - Duration::hours(i64::from(hours));
    let mut out = Vitals {
        service: service.to_string(),
        from,
        to: now,
        series: Vec::new(),
        slo: None,
        problem: None,
    };
    let Some(wanted) = config
        .services
        .iter()
        .find(|s| s.name == service)
        .and_then(|s| s.prometheus.as_ref())
    else {
        out.problem = Some(VitalsProblem::NotConfigured(format!(
            "{service} has no Prometheus queries: add [services.prometheus] with error_rate, \
             latency_p99 or saturation to its [[services]] entry"
        )));
        return out;
    };
    let prometheus = match prometheus_for(config, sources, wanted) {
        Ok(p) => p,
        Err(problem) => {
            out.problem = Some(problem);
            return out;
        }
    };
    let step = Duration::seconds((i64::from(hours) * 3600 / POINTS).max(15));
    let ranges = wanted
        .queries()
        .into_iter()
        .map(|(name, query)| async move {
            let mut series = VitalSeries {
                name: name.to_string(),
                label: vital_label(name).to_string(),
                unit: VitalUnit::of(name),
                query: query.to_string(),
                points: Vec::new(),
                error: None,
                more_series: 0,
            };
            match prometheus.query_range(query, from, now, step).await {
                Ok(result) => {
                    series.more_series = u32::try_from(result.len().saturating_sub(1)).unwrap_or(0);
                    if let Some(first) = result.into_iter().next() {
                        series.points = first
                            .points
                            .into_iter()
                            .map(|(t, v)| VitalPoint { t, v })
                            .collect();
                    } else {
                        series.error = Some("no data for this window".into());
                    }
                }
                Err(e) => series.error = Some(e.to_string()),
            }
            series
        });
    let slo = async {
        let slo = wanted.slo.as_ref()?;
        let error_rate = wanted.error_rate.as_deref()?;
        let window = window_words(slo.window);
        // Attainment: the share of the window the error rate left, averaged at a 5m resolution.
        let query = format!(
            "1 - avg_over_time(({error_rate})[{}s:5m])",
            slo.window.as_secs()
        );
        let mut glance = SloGlance {
            objective: slo.objective,
            window,
            attainment: None,
            budget_left: None,
            error: None,
        };
        match prometheus.query(&query, now).await {
            Ok(Some(attainment)) => {
                glance.attainment = Some(attainment);
                glance.budget_left = Some(budget_left(slo.objective, attainment));
            }
            Ok(None) => glance.error = Some("no data for the SLO window".into()),
            Err(e) => glance.error = Some(e.to_string()),
        }
        Some(glance)
    };
    // Side by side: the panel waits for the slowest query, not for their sum.
    let (series, slo) = tokio::join!(futures::future::join_all(ranges), slo);
    out.series = series;
    out.slo = slo;
    out
}

/// "30d", "12h", or humantime's words for anything else.
fn window_words(window: std::time::Duration) -> String {
    let secs = window.as_secs();
    if secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if secs.is_multiple_of(3600) {
        format!("{}h", secs / 3600)
    } else {
        humantime_serde::re::humantime::format_duration(window).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_as_configured() {
        assert_eq!(
            window_words(std::time::Duration::from_secs(30 * 86_400)),
            "30d"
        );
        assert_eq!(
            window_words(std::time::Duration::from_secs(12 * 3600)),
            "12h"
        );
        assert_eq!(window_words(std::time::Duration::from_secs(5400)), "1h 30m");
    }
}
