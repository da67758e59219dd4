//! Alertmanager alerts onto the timeline: one `alert` entry per firing occurrence
//! (`fingerprint@startsAt`), firing while Alertmanager lists it, resolved once it is gone.
//!
//! Severity comes from the `severity` label, case-insensitively: `critical` — and the common
//! spellings of "wake someone up", `crit`, `page`, `emergency`, `fatal` — is critical;
//! `warning`, `warn` and `error` (an error worth a look, not a page) are warnings; anything
//! else, or no label, is info.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use opsdeck_domain::{EntryKind, NewEntry, Severity, SourceKind, Status};
use serde_json::{json, Map, Value};

use super::wire::{AlertStatus, LabelSet, Silence};

/// What a source's configuration adds to every entry it maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Alertmanager, or Grafana's built-in one.
    pub source: SourceKind,
    /// The configured source name (several Alertmanagers can be configured).
    pub source_name: String,
    /// Value of the `service` label → opsdeck service name; unmapped values are kept as they
    /// are.
    pub services: HashMap<String, String>,
}

/// One firing occurrence of an alert, as far as its entry shows it.
#[derive(Debug, Clone, Copy)]
pub struct Occurrence<'a> {
    pub fingerprint: &'a str,
    pub started_at: DateTime<Utc>,
    pub labels: &'a LabelSet,
    pub annotations: &'a LabelSet,
    pub generator_url: Option<&'a str>,
    pub receivers: &'a [String],
}

/// Where the occurrence stands.
#[derive(Debug, Clone, Copy)]
pub enum Phase<'a> {
    /// Listed by Alertmanager now, with its status and the silences it may name.
    Firing {
        status: &'a AlertStatus,
        silences: &'a HashMap<String, Silence>,
    },
    /// No longer listed.
    Resolved { ended_at: DateTime<Utc> },
}

/// `fingerprint@startsAt`, startsAt in RFC 3339 UTC to the second: the same occurrence gets
/// the same id however the server formats its fraction of a second.
pub fn external_id(fingerprint: &str, starts_at: DateTime<Utc>) -> String {
    format!(
        "{fingerprint}@{}",
        starts_at.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

pub fn severity(labels: &LabelSet) -> Severity {
    let Some(value) = labels.get("severity") else {
        return Severity::Info;
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "critical" | "crit" | "page" | "emergency" | "fatal" => Severity::Critical,
        "warning" | "warn" | "error" => Severity::Warning,
        _ => Severity::Info,
    }
}

/// `alertname: summary`, or whichever of the two there is.
pub fn title(fingerprint: &str, labels: &LabelSet, annotations: &LabelSet) -> String {
    let name = labels.get("alertname").filter(|n| !n.is_empty());
    let summary = annotations.get("summary").filter(|s| !s.is_empty());
    match (name, summary) {
        (Some(name), Some(summary)) => format!("{name}: {summary}"),
        (Some(name), None) => name.clone(),
        (None, Some(summary)) => summary.clone(),
        (None, None) => format!("Alert {fingerprint}"),
    }
}

/// Only http(s) links are offered: a generator URL is vendor data and could be anything.
pub fn web_url(generator_url: Option<&str>) -> Option<String> {
    let raw = generator_url?.trim();
    let parsed = url::Url::parse(raw).ok()?;
    matches!(parsed.scheme(), "http" | "https").then(|| raw.to_string())
}

impl Mapping {
    pub fn service(&self, labels: &LabelSet) -> Option<String> {
        let value = labels.get("service").filter(|s| !s.is_empty())?;
        Some(self.services.get(value).unwrap_or(value).clone())
    }

    pub fn entry(&self, o: &Occurrence<'_>, phase: Phase<'_>, raw: Value) -> NewEntry {
        let (status, ended_at) = match phase {
            Phase::Firing { .. } => (Status::Firing, None),
            Phase::Resolved { ended_at } => (Status::Resolved, Some(ended_at)),
        };
        NewEntry {
            source: self.source,
            kind: EntryKind::Alert,
            severity: severity(o.labels),
            status: Some(status),
            title: title(o.fingerprint, o.labels, o.annotations),
            service: self.service(o.labels),
            url: web_url(o.generator_url),
            started_at: o.started_at,
            ended_at,
            external_id: external_id(o.fingerprint, o.started_at),
            details: self.details(o, phase),
            raw,
        }
    }

    fn details(&self, o: &Occurrence<'_>, phase: Phase<'_>) -> Value {
        let strings = |v: &[String]| Value::from(v.to_vec());
        let (state, silenced_by, inhibited_by, muted_by) = match phase {
            Phase::Firing { status, silences } => (
                Value::from(status.state.as_str()),
                Value::from(
                    status
                        .silenced_by
                        .iter()
                        .map(|id| silence_details(id, silences.get(id)))
                        .collect::<Vec<_>>(),
                ),
                strings(&status.inhibited_by),
                strings(&status.muted_by),
            ),
            // Whatever silenced or inhibited it then no longer applies to an alert that ended.
            Phase::Resolved { .. } => (Value::Null, json!([]), json!([]), json!([])),
        };
        json!({
            // Which configured Alertmanager (or Grafana) the alert came from.
            self.source.as_str(): self.source_name,
            "fingerprint": o.fingerprint,
            "state": state,
            "labels": label_object(o.labels),
            "annotations": label_object(o.annotations),
            "silenced_by": silenced_by,
            "inhibited_by": inhibited_by,
            "muted_by": muted_by,
            "receivers": strings(o.receivers),
            "generator_url": o.generator_url,
        })
    }
}

fn label_object(labels: &LabelSet) -> Value {
    Value::Object(
        labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect::<Map<String, Value>>(),
    )
}

/// A silence as an alert's details show it; one the silences list did not have (created
/// between the two requests of a poll) shows its id only, and the next poll fills it in.
fn silence_details(id: &str, silence: Option<&Silence>) -> Value {
    json!({
        "id": id,
        "created_by": silence.map(|s| s.created_by.as_str()),
        "comment": silence.map(|s| s.comment.as_str()),
        "ends_at": silence.map(|s| s.ends_at.to_rfc3339_opts(SecondsFormat::Secs, true)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn labels(pairs: &[(&str, &str)]) -> LabelSet {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn severity_from_the_label_and_its_synonyms() {
        for (value, expected) in [
            ("critical", Severity::Critical),
            ("CRITICAL", Severity::Critical),
            (" page ", Severity::Critical),
            ("crit", Severity::Critical),
            ("warning", Severity::Warning),
            ("Warn", Severity::Warning),
            ("error", Severity::Warning),
            ("info", Severity::Info),
            ("none", Severity::Info),
            ("", Severity::Info),
        ] {
            assert_eq!(
                severity(&labels(&[("severity", value)])),
                expected,
                "{value:?}"
            );
        }
        assert_eq!(severity(&labels(&[])), Severity::Info);
    }

    #[test]
    fn titles_and_links() {
        let l = labels(&[("alertname", "HighLatency")]);
        let a = labels(&[("summary", "p99 above 2s")]);
        assert_eq!(title("f", &l, &a), "HighLatency: p99 above 2s");
        assert_eq!(title("f", &l, &labels(&[])), "HighLatency");
        assert_eq!(title("f", &labels(&[]), &a), "p99 above 2s");
        assert_eq!(title("f00d", &labels(&[]), &labels(&[])), "Alert f00d");

        assert_eq!(
            web_url(Some("http://prometheus:9090/graph?g0.expr=up")).as_deref(),
            Some("http://prometheus:9090/graph?g0.expr=up")
        );
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "/graph",
            "",
            "not a url",
        ] {
            assert_eq!(web_url(Some(bad)), None, "{bad}");
        }
        assert_eq!(web_url(None), None);
    }

    #[test]
    fn the_external_id_is_stable_to_the_second() {
        let t = Utc.with_ymd_and_hms(2026, 11, 22, 5, 47, 0).unwrap();
        let with_fraction = t + chrono::Duration::milliseconds(123);
        assert_eq!(
            external_id("b807e636403824b5", t),
            "b807e636403824b5@2026-11-22T05:47:00Z"
        );
        assert_eq!(
            external_id("b807e636403824b5", with_fraction),
            external_id("b807e636403824b5", t)
        );
    }

    #[test]
    fn the_services_mapping_renames_the_service_label() {
        let mut mapping = Mapping {
            source: SourceKind::Alertmanager,
            source_name: String::new(),
            services: HashMap::new(),
        };
        let l = labels(&[("service", "payments")]);
        assert_eq!(mapping.service(&l).as_deref(), Some("payments"));
        mapping
            .services
            .insert("payments".into(), "payments-api".into());
        assert_eq!(mapping.service(&l).as_deref(), Some("payments-api"));
        assert_eq!(mapping.service(&labels(&[])), None);
    }
}
