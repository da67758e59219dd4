//! After a gap (laptop asleep, VPN down), what fired and resolved meanwhile: Alertmanager has
//! forgotten it, Prometheus has not. Its `ALERTS{alertstate="firing"}` series holds one sample
//! per rule evaluation while an alert fires; `timestamp(…)` over the gap gives the time of each
//! sample, so a run of samples is one occurrence, ending at its last sample (exact, whatever the
//! query step) and starting at its first (to within a step).
//!
//! Only alerts that neither were firing at the last poll nor are listed now are backfilled:
//! those two the ordinary diff already tells. A backfilled entry has the alert's labels but no
//! annotations (ALERTS does not keep them); its details say where it came from.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::matchers::fingerprint;
use opsdeck_domain::NewEntry;
use serde_json::{json, Value};

use super::map::{Mapping, Occurrence, Phase};
use super::wire::LabelSet;
use crate::prometheus::PrometheusSource;
use crate::SourceError;

/// Samples further apart than Prometheus' lookback belong to two runs.
const RUN_GAP: Duration = Duration::minutes(5);
/// Prometheus answers at most 11,000 points per series; stay well below.
const MAX_POINTS: i64 = 5_000;
const QUERY: &str = "timestamp(ALERTS{alertstate=\"firing\"})";

/// One occurrence seen only in Prometheus.
#[derive(Debug, Clone, PartialEq)]
pub struct Missed {
    pub labels: LabelSet,
    pub fingerprint: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
}

/// The step that covers `[from, to]` within [`MAX_POINTS`], at least 15 s.
pub fn step_for(from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    let seconds = (to - from).num_seconds().max(0);
    Duration::seconds((seconds / MAX_POINTS + 1).max(15))
}

/// Splits one series' sample times (the values of `timestamp(ALERTS…)` at each step) into
/// runs; the alert labels exclude `__name__` and `alertstate`.
pub fn runs(labels: LabelSet, sample_times: &[f64], now: DateTime<Utc>) -> Vec<Missed> {
    let mut times: Vec<DateTime<Utc>> = sample_times
        .iter()
        .filter(|t| t.is_finite())
        .filter_map(|t| DateTime::from_timestamp_millis((t * 1000.0).round() as i64))
        .collect();
    times.sort();
    times.dedup();
    let fingerprint = fingerprint(&labels);
    let mut out = Vec::new();
    let mut run: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for t in times {
        run = match run {
            Some((start, last)) if t - last <= RUN_GAP => Some((start, t)),
            Some((start, last)) => {
                out.push((start, last));
                Some((t, t))
            }
            None => Some((t, t)),
        };
    }
    out.extend(run);
    out.into_iter()
        // A run whose last sample is recent may still be firing: not this module's to end.
        .filter(|(_, last)| now - *last > RUN_GAP)
        .map(|(started_at, ended_at)| Missed {
            labels: labels.clone(),
            fingerprint: fingerprint.clone(),
            started_at,
            ended_at,
        })
        .collect()
}

/// The occurrences that fired and resolved in `[from, now]` and that `known` (fingerprints
/// firing at the last poll or listed now) does not cover, as resolved entries.
pub async fn missed(
    prometheus: &PrometheusSource,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
    known: &HashSet<String>,
    mapping: &Mapping,
) -> Result<Vec<NewEntry>, SourceError> {
    let step = step_for(from, now);
    let series = prometheus.query_range(QUERY, from, now, step).await?;
    let mut entries = Vec::new();
    for s in series {
        let labels: LabelSet = s
            .labels
            .iter()
            .filter(|(k, _)| k.as_str() != "__name__" && k.as_str() != "alertstate")
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect();
        let times: Vec<f64> = s.points.iter().map(|(_, v)| *v).collect();
        for m in runs(labels, &times, now) {
            if known.contains(&m.fingerprint) || m.started_at < from - RUN_GAP {
                continue;
            }
            entries.push(entry(
                &m,
                mapping,
                "Prometheus ALERTS (fired and resolved while opsdeck was not polling)",
            ));
        }
    }
    Ok(entries)
}

/// A resolved entry for an occurrence nobody saw firing; `from` says where it was found.
pub fn entry(m: &Missed, mapping: &Mapping, from: &str) -> NewEntry {
    let none = BTreeMap::new();
    let occurrence = Occurrence {
        fingerprint: &m.fingerprint,
        started_at: m.started_at,
        labels: &m.labels,
        annotations: &none,
        generator_url: None,
        receivers: &[],
    };
    let raw: Value = json!({"backfilled_from": from, "labels": m.labels});
    let mut e = mapping.entry(
        &occurrence,
        Phase::Resolved {
            ended_at: m.ended_at,
        },
        raw,
    );
    if let Value::Object(details) = &mut e.details {
        details.insert("backfilled_from".into(), json!(from));
    }
    e
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0)
            .single()
            .expect("valid")
    }

    fn secs(t: DateTime<Utc>) -> f64 {
        t.timestamp() as f64
    }

    fn labels() -> LabelSet {
        [("alertname", "PoolExhausted"), ("service", "pay")]
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn sample_times_split_into_runs_and_recent_ones_are_left_alone() {
        // Samples each minute 05:33–06:08 (seen at each step, repeats included), a second
        // firing 07:00–07:10, and one still going at 08:00.
        let mut times: Vec<f64> = (33..=68)
            .map(|m| secs(at(5, 0) + Duration::minutes(m)))
            .collect();
        times.push(secs(at(6, 8))); // the lookback repeats the last sample
        times.extend((0..=10).map(|m| secs(at(7, m))));
        times.extend((55..=59).map(|m| secs(at(7, m))));
        let found = runs(labels(), &times, at(8, 0));
        let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> =
            found.iter().map(|m| (m.started_at, m.ended_at)).collect();
        assert_eq!(spans, [(at(5, 33), at(6, 8)), (at(7, 0), at(7, 10))]);
        assert_eq!(found[0].fingerprint, fingerprint(&labels()));
    }

    #[test]
    fn steps_stay_within_prometheus_limits() {
        assert_eq!(step_for(at(5, 0), at(6, 0)), Duration::seconds(15));
        let night = step_for(at(0, 0), at(0, 0) + Duration::hours(48));
        assert!((Duration::hours(48).num_seconds() / night.num_seconds()) <= MAX_POINTS);
    }
}
