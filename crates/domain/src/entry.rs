//! The one entry model every source maps onto, and opsdeck's id for it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::labels::{EntryKind, Severity, SourceKind, Status};

/// Width of [`entry_id`] in hex characters. Fixed so that ordering by `(started_at, id)` as
/// strings is the same everywhere.
pub const ENTRY_ID_LEN: usize = 16;

/// opsdeck's own id for the occurrence `external_id` at `source`: the first 16 hex characters
/// of `sha256("{source}\0{external_id}")`. Deterministic, so the same entry has the same id on
/// every machine and across re-syncs; the NUL keeps `("a", "b:c")` and `("a:b", "c")` apart.
pub fn entry_id(source: SourceKind, external_id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(source.as_str().as_bytes());
    hasher.update([0u8]);
    hasher.update(external_id.as_bytes());
    let digest = hasher.finalize();
    hex::encode(&digest[..ENTRY_ID_LEN / 2])
}

/// What a source produces for one occurrence at a vendor, before the store gives it an id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEntry {
    pub source: SourceKind,
    pub kind: EntryKind,
    pub severity: Severity,
    pub status: Option<Status>,
    pub title: String,
    pub service: Option<String>,
    pub url: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Identifies one occurrence at the vendor; see the timeline contract for each kind.
    pub external_id: String,
    pub details: serde_json::Value,
    /// The vendor payload as received: kept for debugging and re-mapping, never sent to the
    /// timeline.
    pub raw: serde_json::Value,
}

impl NewEntry {
    /// The id the store will give this entry.
    pub fn id(&self) -> String {
        entry_id(self.source, &self.external_id)
    }

    /// The timeline view of this entry (everything but the raw payload).
    pub fn to_timeline(&self) -> TimelineEntry {
        TimelineEntry {
            id: self.id(),
            source: self.source,
            kind: self.kind,
            severity: self.severity,
            status: self.status,
            title: self.title.clone(),
            service: self.service.clone(),
            url: self.url.clone(),
            started_at: self.started_at,
            ended_at: self.ended_at,
            external_id: self.external_id.clone(),
            details: self.details.clone(),
        }
    }
}

/// One row of the timeline as the CLI prints it and the UI receives it. The field names and
/// order are the timeline contract; absent values serialize as `null` rather than being
/// skipped, so consumers can rely on every key being present. Timestamps serialize as RFC 3339
/// UTC with `Z`, with a fraction only when there is one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TimelineEntry {
    pub id: String,
    pub source: SourceKind,
    pub kind: EntryKind,
    pub severity: Severity,
    pub status: Option<Status>,
    pub title: String,
    pub service: Option<String>,
    pub url: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub external_id: String,
    pub details: serde_json::Value,
}

/// Which of an entry's web links to open: the vendor's own page, or the runbook an alert's
/// `runbook_url` annotation names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EntryLink {
    #[default]
    Url,
    Runbook,
}

impl TimelineEntry {
    /// The link to open in the system browser, only when it is http(s): vendor data never gets
    /// to hand the opener a `file:` or `javascript:` URL.
    pub fn link(&self, which: EntryLink) -> Option<&str> {
        let url = match which {
            EntryLink::Url => self.url.as_deref(),
            EntryLink::Runbook => self
                .details
                .get("annotations")
                .and_then(|a| a.get("runbook_url"))
                .and_then(serde_json::Value::as_str),
        }?;
        let lower = url.trim_start().to_ascii_lowercase();
        (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url.trim_start())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn sample() -> NewEntry {
        NewEntry {
            source: SourceKind::Pagerduty,
            kind: EntryKind::Page,
            severity: Severity::Critical,
            status: Some(Status::Triggered),
            title: "API response time critical".into(),
            service: Some("payments-api".into()),
            url: Some("https://acme.pagerduty.test/incidents/Q0PAY0001".into()),
            started_at: Utc.with_ymd_and_hms(2026, 3, 29, 5, 47, 0).unwrap(),
            ended_at: None,
            external_id: "Q0PAY0001".into(),
            details: json!({"urgency": "high"}),
            raw: json!({"id": "Q0PAY0001", "vendor_only": true}),
        }
    }

    #[test]
    fn timeline_entry_json_is_the_contract_shape() {
        let entry = sample().to_timeline();
        let text = serde_json::to_string(&entry).unwrap();
        let expected = format!(
            concat!(
                r#"{{"id":"{id}","source":"pagerduty","kind":"page","severity":"critical","#,
                r#""status":"triggered","title":"API response time critical","#,
                r#""service":"payments-api","#,
                r#""url":"https://acme.pagerduty.test/incidents/Q0PAY0001","#,
                r#""started_at":"2026-03-29T05:47:00Z","ended_at":null,"#,
                r#""external_id":"Q0PAY0001","details":{{"urgency":"high"}}}}"#
            ),
            id = entry.id
        );
        assert_eq!(text, expected);
        assert!(
            !text.contains("vendor_only"),
            "raw must not reach the timeline"
        );
    }

    #[test]
    fn absent_values_are_null_not_skipped() {
        let mut e = sample();
        e.status = None;
        e.service = None;
        e.url = None;
        let value = serde_json::to_value(e.to_timeline()).unwrap();
        let object = value.as_object().unwrap();
        assert_eq!(object.len(), 12);
        for key in ["status", "service", "url", "ended_at"] {
            assert_eq!(object.get(key), Some(&serde_json::Value::Null), "{key}");
        }
    }

    #[test]
    fn sub_second_timestamps_keep_their_fraction() {
        let mut e = sample();
        e.started_at = Utc.timestamp_millis_opt(1_774_763_220_250).unwrap();
        e.ended_at = Some(e.started_at + chrono::Duration::seconds(90));
        let value = serde_json::to_value(e.to_timeline()).unwrap();
        assert_eq!(value["started_at"], json!("2026-03-29T05:47:00.250Z"));
        assert_eq!(value["ended_at"], json!("2026-03-29T05:48:30.250Z"));
    }

    #[test]
    fn timeline_entry_round_trips_through_json() {
        let entry = sample().to_timeline();
        let back: TimelineEntry =
            serde_json::from_str(&serde_json::to_string(&entry).unwrap()).unwrap();
        assert_eq!(back, entry);
    }

    #[test]
    fn entry_id_is_stable_and_fixed_width() {
        // Pinned: changing the id scheme would orphan every cached entry and break links.
        let id = entry_id(SourceKind::Pagerduty, "Q0PAY0001");
        assert_eq!(id, "76e58dfce60ac011");
        for (source, ext) in [
            (SourceKind::Github, ""),
            (SourceKind::Kubernetes, "uid-1@42"),
            (SourceKind::Opsdeck, "x".repeat(10_000).as_str()),
        ] {
            let id = entry_id(source, ext);
            assert_eq!(id.len(), ENTRY_ID_LEN);
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
    }

    #[test]
    fn entry_id_separates_source_and_external_id() {
        assert_ne!(
            entry_id(SourceKind::Grafana, "a"),
            entry_id(SourceKind::Prometheus, "a")
        );
        assert_eq!(sample().id(), entry_id(SourceKind::Pagerduty, "Q0PAY0001"));
    }

    #[test]
    fn only_web_links_are_opened() {
        let mut entry = sample().to_timeline();
        assert_eq!(
            entry.link(EntryLink::Url),
            Some("https://acme.pagerduty.test/incidents/Q0PAY0001")
        );
        assert_eq!(entry.link(EntryLink::Runbook), None);
        entry.details =
            json!({"annotations": {"runbook_url": "https://runbooks.example.test/api-latency"}});
        assert_eq!(
            entry.link(EntryLink::Runbook),
            Some("https://runbooks.example.test/api-latency")
        );
        for bad in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            " JavaScript:x",
            "runbooks/x.md",
        ] {
            entry.url = Some(bad.into());
            entry.details = json!({"annotations": {"runbook_url": bad}});
            assert_eq!(entry.link(EntryLink::Url), None, "{bad}");
            assert_eq!(entry.link(EntryLink::Runbook), None, "{bad}");
        }
    }
}
