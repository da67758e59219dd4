//! The scenario's services as metrics, for a real Prometheus to serve: per service, the series a
//! team's recording rules would produce — request rate, error ratio, p99 latency and CPU
//! saturation — one sample a minute, written as OpenMetrics for
//! `promtool tsdb create-blocks-from openmetrics`. The simulator never imitates PromQL: a real
//! Prometheus answers the queries.
//!
//! A service's error ratio and latency rise while its alerts fire (more for a critical alert than
//! a warning), so sparklines and SLOs tell the day's story. The noise is a hash of service and
//! minute: the same scenario and date give the same series.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};

use crate::scenario::AlertVia;
use crate::world::AlertOccurrence;

/// Names of the generated series (recording-rule style: `level:metric:operations`).
pub const REQUEST_RATE: &str = "service:http_requests:rate5m";
pub const ERROR_RATIO: &str = "service:http_requests_errors:ratio_rate5m";
pub const LATENCY_P99: &str = "service:http_request_duration_seconds:p99";
pub const SATURATION: &str = "service:cpu_usage:ratio";

/// The PromQL a service's vitals are read with, as the written config carries them.
pub fn queries(service: &str) -> [(&'static str, String); 3] {
    let selector = format!("{{service=\"{}\"}}", escape(service));
    [
        ("error_rate", format!("{ERROR_RATIO}{selector}")),
        ("latency_p99", format!("{LATENCY_P99}{selector}")),
        ("saturation", format!("{SATURATION}{selector}")),
    ]
}

/// How far from the healthy baseline a service is at one minute.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Strain {
    /// 0 healthy, 1 a warning fires, 2 a critical one fires.
    level: u8,
}

/// One sample per minute of every series for `services` over `[from, to)`.
pub fn openmetrics(
    services: &[String],
    occurrences: &[AlertOccurrence],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> String {
    let count = (to - from).num_minutes().max(0);
    let minutes: Vec<DateTime<Utc>> = (0..count).map(|i| from + TimeDelta::minutes(i)).collect();
    let strain: BTreeMap<&str, Vec<Strain>> = services
        .iter()
        .map(|s| (s.as_str(), strain_of(s, occurrences, &minutes)))
        .collect();
    let mut out = String::new();
    family(
        &mut out,
        REQUEST_RATE,
        "Requests per second, 5m rate",
        "gauge",
    );
    for service in services {
        for t in &minutes {
            let base = 40.0 + 20.0 * daily_wave(*t);
            let value = base * (1.0 + 0.05 * noise(service, "rate", *t));
            sample(&mut out, REQUEST_RATE, service, value, *t);
        }
    }
    family(
        &mut out,
        ERROR_RATIO,
        "Failed requests per request, 5m rate",
        "gauge",
    );
    for service in services {
        for (t, s) in minutes.iter().zip(&strain[service.as_str()]) {
            let base = match s.level {
                0 => 0.001,
                1 => 0.02,
                _ => 0.35,
            };
            let value = (base * (1.0 + 0.2 * noise(service, "errors", *t))).clamp(0.0, 1.0);
            sample(&mut out, ERROR_RATIO, service, value, *t);
        }
    }
    family(
        &mut out,
        LATENCY_P99,
        "99th percentile request latency in seconds",
        "gauge",
    );
    for service in services {
        for (t, s) in minutes.iter().zip(&strain[service.as_str()]) {
            let base = match s.level {
                0 => 0.25,
                1 => 0.9,
                _ => 2.4,
            };
            let value = base * (1.0 + 0.1 * noise(service, "latency", *t));
            sample(&mut out, LATENCY_P99, service, value, *t);
        }
    }
    family(
        &mut out,
        SATURATION,
        "CPU in use per CPU requested",
        "gauge",
    );
    for service in services {
        for (t, s) in minutes.iter().zip(&strain[service.as_str()]) {
            let base = 0.35 + 0.15 * daily_wave(*t) + 0.25 * f64::from(s.level);
            let value = (base * (1.0 + 0.05 * noise(service, "cpu", *t))).clamp(0.0, 1.0);
            sample(&mut out, SATURATION, service, value, *t);
        }
    }
    alerts(&mut out, occurrences, &minutes);
    out.push_str("# EOF\n");
    out
}

/// Prometheus' own `ALERTS` series for the alerts it evaluated (`via: prometheus`): 1 with
/// `alertstate="firing"` at every evaluation while the alert fires, so an Alertmanager source
/// can backfill what it missed.
fn alerts(out: &mut String, occurrences: &[AlertOccurrence], minutes: &[DateTime<Utc>]) {
    family(
        out,
        "ALERTS",
        "Alerts firing, as the rule evaluator records them",
        "gauge",
    );
    for o in occurrences.iter().filter(|o| o.via == AlertVia::Prometheus) {
        let mut labels: Vec<String> = o
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
            .collect();
        labels.push("alertstate=\"firing\"".into());
        labels.sort();
        let labels = labels.join(",");
        for t in minutes
            .iter()
            .filter(|t| **t >= o.starts_at && o.ends_at.is_none_or(|end| **t < end))
        {
            let _ = writeln!(out, "ALERTS{{{labels}}} 1 {}", t.timestamp());
        }
    }
}

/// The worst alert firing on `service` at each minute.
fn strain_of(
    service: &str,
    occurrences: &[AlertOccurrence],
    minutes: &[DateTime<Utc>],
) -> Vec<Strain> {
    minutes
        .iter()
        .map(|t| {
            let level = occurrences
                .iter()
                .filter(|o| o.service == service && o.overlaps(*t, *t + TimeDelta::minutes(1)))
                .map(|o| if o.severity == "critical" { 2 } else { 1 })
                .max()
                .unwrap_or(0);
            Strain { level }
        })
        .collect()
}

fn family(out: &mut String, name: &str, help: &str, kind: &str) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "# TYPE {name} {kind}");
    let _ = writeln!(out, "# HELP {name} {help}");
}

fn sample(out: &mut String, name: &str, service: &str, value: f64, t: DateTime<Utc>) {
    let _ = writeln!(
        out,
        "{name}{{service=\"{}\"}} {value:.6} {}",
        escape(service),
        t.timestamp()
    );
}

/// A label value as OpenMetrics and PromQL quote it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Busier in the day than at night: 0 at 04:00 UTC, 1 at 16:00.
fn daily_wave(t: DateTime<Utc>) -> f64 {
    let hours = f64::from(u32::try_from(t.timestamp().rem_euclid(86_400)).unwrap_or(0)) / 3600.0;
    0.5 - 0.5 * ((hours - 4.0) / 24.0 * std::f64::consts::TAU).cos()
}

/// Deterministic noise in [-1, 1] for a series at a minute.
fn noise(service: &str, series: &str, t: DateTime<Utc>) -> f64 {
    let mut hasher = Sha256::new();
    hasher.update(service.as_bytes());
    hasher.update([0xff]);
    hasher.update(series.as_bytes());
    hasher.update(t.timestamp().to_be_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    // The top 53 bits make an exact f64 fraction in [0, 1).
    let fraction = (u64::from_be_bytes(first) >> 11) as f64 / (1u64 << 53) as f64;
    fraction * 2.0 - 1.0
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::scenario::AlertIdentity;
    use crate::world::ids::Origin;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0)
            .single()
            .expect("valid")
    }

    fn firing(
        service: &str,
        severity: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> AlertOccurrence {
        AlertOccurrence {
            identity: AlertIdentity {
                name: "A".into(),
                labels: BTreeMap::new(),
            },
            via: AlertVia::Prometheus,
            service: service.into(),
            severity: severity.into(),
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            fingerprint: "0".into(),
            starts_at: from,
            updated_at: from,
            ends_at: Some(to),
            origin: Origin::Event(0),
        }
    }

    fn values(text: &str, series: &str, service: &str) -> Vec<(i64, f64)> {
        let prefix = format!("{series}{{service=\"{service}\"}} ");
        text.lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .map(|rest| {
                let mut parts = rest.split(' ');
                let v: f64 = parts.next().unwrap().parse().unwrap();
                let t: i64 = parts.next().unwrap().parse().unwrap();
                (t, v)
            })
            .collect()
    }

    #[test]
    fn errors_and_latency_rise_while_an_alert_fires() {
        let services = vec!["pay".to_string(), "web".to_string()];
        let alerts = [firing("pay", "critical", at(6, 0), at(6, 30))];
        let text = openmetrics(&services, &alerts, at(5, 0), at(8, 0));
        assert!(text.ends_with("# EOF\n"));
        let errors = values(&text, ERROR_RATIO, "pay");
        assert_eq!(errors.len(), 180, "one sample a minute");
        let during = errors
            .iter()
            .find(|(t, _)| *t == at(6, 10).timestamp())
            .unwrap()
            .1;
        let before = errors
            .iter()
            .find(|(t, _)| *t == at(5, 50).timestamp())
            .unwrap()
            .1;
        let after = errors
            .iter()
            .find(|(t, _)| *t == at(6, 40).timestamp())
            .unwrap()
            .1;
        assert!(
            during > 0.2 && before < 0.01 && after < 0.01,
            "{before} {during} {after}"
        );
        let latency = values(&text, LATENCY_P99, "pay");
        assert!(latency[70].1 > 2.0, "{:?}", latency[70]);
        // The other service is untouched.
        assert!(values(&text, ERROR_RATIO, "web")
            .iter()
            .all(|(_, v)| *v < 0.01));
        // Same inputs, same series.
        assert_eq!(text, openmetrics(&services, &alerts, at(5, 0), at(8, 0)));
    }

    #[test]
    fn each_family_is_declared_once_before_its_samples() {
        let text = openmetrics(&["a".into()], &[], at(5, 0), at(5, 3));
        for name in [REQUEST_RATE, ERROR_RATIO, LATENCY_P99, SATURATION] {
            let declared = text
                .find(&format!("# TYPE {name} gauge"))
                .expect("declared");
            let first = text.find(&format!("{name}{{")).expect("sampled");
            assert!(declared < first, "{name}");
            assert_eq!(values(&text, name, "a").len(), 3);
        }
    }

    #[test]
    fn prometheus_alerts_leave_alerts_samples_while_they_fire() {
        let mut alert = firing("pay", "warning", at(5, 33), at(6, 9));
        alert.labels = [("alertname", "Pool"), ("service", "pay")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut grafana = alert.clone();
        grafana.via = AlertVia::Grafana;
        grafana.labels.insert("alertname".into(), "Latency".into());
        let text = openmetrics(&["pay".into()], &[alert, grafana], at(5, 0), at(7, 0));
        let prefix = "ALERTS{alertname=\"Pool\",alertstate=\"firing\",service=\"pay\"} 1 ";
        let times: Vec<i64> = text
            .lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(|t| t.parse().unwrap())
            .collect();
        assert_eq!(times.first(), Some(&at(5, 33).timestamp()));
        assert_eq!(times.last(), Some(&at(6, 8).timestamp()));
        assert_eq!(times.len(), 36);
        assert!(
            !text.contains("alertname=\"Latency\""),
            "Grafana's alerts are not Prometheus'"
        );
    }

    #[test]
    fn queries_quote_the_service() {
        let [(name, query), ..] = queries("odd\"name");
        assert_eq!(name, "error_rate");
        assert_eq!(query, format!("{ERROR_RATIO}{{service=\"odd\\\"name\"}}"));
    }
}
