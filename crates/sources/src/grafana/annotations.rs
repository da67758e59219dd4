//! Grafana annotations (`GET /api/annotations`) as timeline markers: deploys, feature flags,
//! manual interventions — what "What changed?" ranks next to deploys and CI runs.
//!
//! Only user annotations (`type=annotation`) become entries: alert-state annotations repeat
//! what the alerts themselves already put on the timeline. A service is read from a
//! `service:<name>` tag (the convention the simulator and deploy tooling follow), mapped through
//! the same `service` label mapping as alerts.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use opsdeck_domain::{EntryKind, NewEntry, Severity, SourceKind};
use serde::Deserialize;
use serde_json::{json, Value};
use url::Url;

/// One annotation as Grafana sends it (only what opsdeck reads; the rest is kept raw).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotation {
    pub id: i64,
    /// Epoch milliseconds.
    pub time: i64,
    /// Epoch milliseconds; equal to `time` (or 0) for a point, later for a region.
    #[serde(default)]
    pub time_end: Option<i64>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, rename = "dashboardUID")]
    pub dashboard_uid: Option<String>,
    #[serde(default)]
    pub panel_id: Option<i64>,
    #[serde(default)]
    pub login: Option<String>,
    /// Non-zero for alert-state annotations.
    #[serde(default)]
    pub alert_id: Option<i64>,
}

/// How a source's annotations map: its name, its web base URL and the service mapping.
#[derive(Debug, Clone)]
pub struct AnnotationMapping {
    pub source_name: String,
    pub base: Url,
    pub services: HashMap<String, String>,
}

pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn instant(ms: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
}

impl AnnotationMapping {
    /// The entry for one annotation, or `None` for an alert-state annotation or one whose time
    /// cannot be an instant.
    pub fn entry(&self, a: &Annotation, raw: Value) -> Option<NewEntry> {
        if a.alert_id.is_some_and(|id| id != 0) {
            return None;
        }
        let started_at = instant(a.time)?;
        let ended_at = a.time_end.filter(|end| *end > a.time).and_then(instant);
        Some(NewEntry {
            source: SourceKind::Grafana,
            kind: EntryKind::Annotation,
            severity: Severity::Info,
            status: None,
            title: title(a),
            service: self.service(&a.tags),
            url: self.dashboard_url(a),
            started_at,
            ended_at,
            external_id: a.id.to_string(),
            details: json!({
                "grafana": self.source_name,
                "id": a.id,
                "text": a.text,
                "tags": a.tags,
                "dashboard_uid": a.dashboard_uid,
                "panel_id": a.panel_id,
                "login": a.login,
            }),
            raw,
        })
    }

    fn service(&self, tags: &[String]) -> Option<String> {
        let value = tags
            .iter()
            .find_map(|t| t.strip_prefix("service:"))
            .map(str::trim)
            .filter(|s| !s.is_empty())?;
        Some(
            self.services
                .get(value)
                .map_or(value, String::as_str)
                .to_string(),
        )
    }

    /// The dashboard (and panel) the annotation belongs to; organisation annotations have none.
    fn dashboard_url(&self, a: &Annotation) -> Option<String> {
        let uid = a.dashboard_uid.as_deref().filter(|u| !u.is_empty())?;
        // A uid is vendor data: only the characters Grafana uses for uids make a link.
        if !uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let mut url = self.base.join(&format!("d/{uid}")).ok()?;
        if let Some(panel) = a.panel_id.filter(|p| *p > 0) {
            url.query_pairs_mut()
                .append_pair("viewPanel", &panel.to_string());
        }
        matches!(url.scheme(), "http" | "https").then(|| url.to_string())
    }
}

/// The first line of the text, or the tags when there is no text.
fn title(a: &Annotation) -> String {
    let first = a.text.lines().map(str::trim).find(|l| !l.is_empty());
    match first {
        Some(line) => line.to_string(),
        None if !a.tags.is_empty() => format!("Annotation: {}", a.tags.join(", ")),
        None => format!("Annotation {}", a.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> AnnotationMapping {
        AnnotationMapping {
            source_name: "grafana".into(),
            base: Url::parse("https://grafana.example.test/").unwrap(),
            services: HashMap::from([("payments".to_string(), "payments-api".to_string())]),
        }
    }

    fn annotation(json: Value) -> (Annotation, Value) {
        (serde_json::from_value(json.clone()).expect("decodes"), json)
    }

    #[test]
    fn a_deploy_annotation_becomes_a_marker_with_its_service() {
        let (a, raw) = annotation(json!({
            "id": 7, "alertId": 0, "time": 1_777_903_000_000_i64, "timeEnd": 1_777_903_000_000_i64,
            "text": "payments 1.4.2 deployed\nby the pipeline", "tags": ["deploy", "service:payments"],
            "dashboardUID": "abc-123", "panelId": 4, "login": "ci"
        }));
        let e = mapping().entry(&a, raw).expect("an entry");
        assert_eq!(e.kind, EntryKind::Annotation);
        assert_eq!(e.source, SourceKind::Grafana);
        assert_eq!(e.title, "payments 1.4.2 deployed");
        assert_eq!(e.service.as_deref(), Some("payments-api"));
        assert_eq!(e.external_id, "7");
        assert_eq!(e.ended_at, None, "a point, not a region");
        assert_eq!(
            e.url.as_deref(),
            Some("https://grafana.example.test/d/abc-123?viewPanel=4")
        );
        assert_eq!(e.details["tags"], json!(["deploy", "service:payments"]));
    }

    #[test]
    fn regions_end_and_alert_state_annotations_are_skipped() {
        let (region, raw) =
            annotation(json!({"id": 8, "time": 1000, "timeEnd": 61_000, "text": ""}));
        let e = mapping().entry(&region, raw).expect("an entry");
        assert_eq!(e.ended_at, instant(61_000));
        assert_eq!(e.title, "Annotation 8");
        assert_eq!(e.url, None);
        let (state, raw) = annotation(json!({"id": 9, "alertId": 3, "time": 1000, "text": "x"}));
        assert!(mapping().entry(&state, raw).is_none());
    }

    #[test]
    fn odd_dashboard_uids_make_no_link() {
        let (a, raw) = annotation(json!({"id": 1, "time": 1000, "text": "t",
                                         "dashboardUID": "../../admin?x=1"}));
        assert_eq!(mapping().entry(&a, raw).unwrap().url, None);
    }
}
