//! Searching the whole history and pruning it: the query and its hits as the UI sends and
//! receives them, what a prune removed, and the text each entry is found by.
//!
//! [`search_text`] is the one place that decides which parts of an entry's `details` are
//! searchable; the store indexes exactly what it returns (next to the title and service).

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::entry::TimelineEntry;
use crate::labels::{EntryKind, Severity, SourceKind};

/// Hits returned when a query names no limit.
pub const DEFAULT_SEARCH_LIMIT: u32 = 100;
/// The most hits one query may ask for.
pub const MAX_SEARCH_LIMIT: u32 = 1000;
/// The most text [`search_text`] returns for one entry, in bytes: a page with hundreds of log
/// entries must not make the index (or a snippet) huge.
pub const SEARCH_TEXT_MAX_BYTES: usize = 8 * 1024;

/// A search over every entry in the cache. `text` is plain words, not a query language: an
/// entry matches when it contains every word (in its title, service or searchable details),
/// the last word also as the start of a longer one (`pay` finds `payments`). Each filter
/// list, when not empty, keeps entries whose value is one of those given; `since`/`until`
/// bound `started_at` (`since <= started_at < until`). Empty text with at least one filter
/// lists the matching entries; empty text and no filter is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SearchQuery {
    pub text: String,
    pub sources: Vec<SourceKind>,
    pub services: Vec<String>,
    pub severities: Vec<Severity>,
    pub kinds: Vec<EntryKind>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// At most this many hits (default 100, at most 1000).
    pub limit: Option<u32>,
}

impl SearchQuery {
    /// Words to search for.
    pub fn words(text: impl Into<String>) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            ..SearchQuery::default()
        }
    }

    /// Whether any filter (other than the words) is set.
    pub fn has_filters(&self) -> bool {
        !self.sources.is_empty()
            || !self.services.is_empty()
            || !self.severities.is_empty()
            || !self.kinds.is_empty()
            || self.since.is_some()
            || self.until.is_some()
    }
}

/// One entry found, newest first in a result list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SearchHit {
    pub entry: TimelineEntry,
    /// About a dozen words around the best match, the matched words between `[` and `]`;
    /// plain text (render it as text, never as HTML). Empty when the query had no words.
    pub snippet: String,
    /// Which part matched best: `title`, `service` or `body` (the searchable details); empty
    /// when the query had no words.
    pub field: String,
}

/// What a prune removed, per table, and whether the file was vacuumed afterwards. The audit
/// log is never pruned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PruneReport {
    pub cutoff: DateTime<Utc>,
    /// Timeline entries.
    #[ts(type = "number")]
    pub entries: u64,
    /// Their rows in the search index.
    #[ts(type = "number")]
    pub search_rows: u64,
    #[ts(type = "number")]
    pub runbook_runs: u64,
    #[ts(type = "number")]
    pub runbook_run_events: u64,
    #[ts(type = "number")]
    pub runbook_step_actions: u64,
    #[ts(type = "number")]
    pub shifts: u64,
    #[ts(type = "number")]
    pub silences: u64,
    #[ts(type = "number")]
    pub notifications: u64,
    #[ts(type = "number")]
    pub action_plans: u64,
    #[ts(type = "number")]
    pub action_token_uses: u64,
    /// Whether the database file was vacuumed (only when something was deleted).
    pub vacuumed: bool,
}

impl PruneReport {
    /// Rows deleted in all.
    pub fn total(&self) -> u64 {
        self.entries
            + self.search_rows
            + self.runbook_runs
            + self.runbook_run_events
            + self.runbook_step_actions
            + self.shifts
            + self.silences
            + self.notifications
            + self.action_plans
            + self.action_token_uses
    }
}

/// The searchable text of an entry's `details` (its title and service are indexed apart):
/// per kind, the fields a person would search for — a page's log notes and summaries, an
/// alert's labels as `key=value` and its annotations, a runbook step's note or reason, an
/// action's target, parameters and result, a CI run's failed jobs and steps, an annotation's
/// text and tags, a Kubernetes event's reason and message. Kinds without a rule, and details
/// whose shape has none of the expected fields, give every string value in them. URLs are
/// left out (their tokens are noise). At most [`SEARCH_TEXT_MAX_BYTES`], cut at a character
/// boundary; pure, so the same entry always indexes the same.
pub fn search_text(kind: EntryKind, details: &Value) -> String {
    let mut text = Text::default();
    match kind {
        EntryKind::Page => {
            for log in array(details, "log_entries") {
                text.field(log, "note");
                text.field(log, "summary");
            }
            text.field(details, "escalation_policy");
            text.field(
                details.get("pagerduty_service").unwrap_or(&Value::Null),
                "name",
            );
            for assignee in array(details, "assignees") {
                text.field(assignee, "name");
            }
        }
        EntryKind::Alert => {
            if let Some(Value::Object(labels)) = details.get("labels") {
                for (key, value) in labels {
                    if let Some(value) = value.as_str() {
                        text.push(&format!("{key}={value}"));
                    }
                }
            }
            if let Some(annotations @ Value::Object(map)) = details.get("annotations") {
                // summary and description first: they matter most if the text is cut.
                for key in ["summary", "description", "message"] {
                    text.field(annotations, key);
                }
                map.values().for_each(|value| text.value(value));
            }
            for silence in array(details, "silenced_by") {
                text.field(silence, "comment");
                text.field(silence, "created_by");
            }
        }
        EntryKind::RunbookStep => {
            for key in ["text", "note", "reason", "runbook", "by"] {
                text.field(details, key);
            }
        }
        EntryKind::Action => {
            for key in ["target", "target_id", "result", "action_kind", "undo"] {
                text.field(details, key);
            }
            if let Some(Value::Object(params)) = details.get("params") {
                for (key, value) in params {
                    match value.as_str() {
                        Some(value) => text.push(&format!("{key}={value}")),
                        None => text.value(value),
                    }
                }
            }
            for record in array(details, "audit") {
                text.field(record, "message");
            }
        }
        EntryKind::CiRun => {
            for job in array(details, "failed_jobs") {
                text.field(job, "name");
                for step in array(job, "failed_steps") {
                    text.value(step);
                }
            }
            for key in [
                "workflow",
                "title",
                "branch",
                "repo",
                "actor",
                "commit_short",
            ] {
                text.field(details, key);
            }
        }
        EntryKind::Annotation => {
            text.field(details, "text");
            for tag in array(details, "tags") {
                text.value(tag);
            }
        }
        EntryKind::K8sEvent => {
            for key in ["reason", "message", "object", "namespace"] {
                text.field(details, key);
            }
        }
        EntryKind::Deployment
        | EntryKind::Rollout
        | EntryKind::Scale
        | EntryKind::Node
        | EntryKind::Note => {}
    }
    if text.is_empty() {
        text.value(details);
    }
    text.finish()
}

fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Pieces of text, one per line, each kept once, bounded in size.
#[derive(Default)]
struct Text {
    out: String,
    seen: HashSet<String>,
    full: bool,
}

impl Text {
    fn is_empty(&self) -> bool {
        self.out.is_empty()
    }

    fn field(&mut self, object: &Value, key: &str) {
        if let Some(value) = object.get(key) {
            self.value(value);
        }
    }

    /// Every string under `value` (recursively), in document order.
    fn value(&mut self, value: &Value) {
        match value {
            Value::String(s) => self.push(s),
            Value::Array(items) => items.iter().for_each(|v| self.value(v)),
            Value::Object(map) => map.values().for_each(|v| self.value(v)),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    fn push(&mut self, piece: &str) {
        let piece = piece.trim();
        if self.full || piece.is_empty() || is_url(piece) || self.seen.contains(piece) {
            return;
        }
        self.seen.insert(piece.to_owned());
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        // Control characters (the store's snippet markers among them) become spaces.
        self.out
            .extend(piece.chars().map(|c| if c.is_control() { ' ' } else { c }));
        if self.out.len() >= SEARCH_TEXT_MAX_BYTES {
            let mut end = SEARCH_TEXT_MAX_BYTES;
            while !self.out.is_char_boundary(end) {
                end -= 1;
            }
            self.out.truncate(end);
            self.full = true;
        }
    }

    fn finish(self) -> String {
        self.out
    }
}

fn is_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines(text: &str) -> Vec<&str> {
        text.lines().collect()
    }

    #[test]
    fn a_page_is_found_by_its_notes_and_log_summaries() {
        let details = json!({
            "incident_number": 42,
            "urgency": "high",
            "pagerduty_service": {"id": "PPAY", "name": "payments-api"},
            "escalation_policy": "Payments primary",
            "assignees": [{"id": "PSAM", "name": "Sam Okafor"}],
            "log_entries": [
                {"id": "R1", "type": "trigger", "summary": "Triggered through the API", "note": null},
                {"id": "R2", "type": "annotate", "summary": "Note added", "note": "rolled back to 1.4.1, flamegraph attached"},
                {"id": "R3", "type": "annotate", "summary": "Note added", "note": "cache warmed"},
            ],
        });
        let text = search_text(EntryKind::Page, &details);
        assert_eq!(
            lines(&text),
            [
                "Triggered through the API",
                "rolled back to 1.4.1, flamegraph attached",
                "Note added",
                "cache warmed",
                "Payments primary",
                "payments-api",
                "Sam Okafor",
            ]
        );
        assert!(!text.contains("PPAY") && !text.contains("high"), "{text}");
    }

    #[test]
    fn an_alert_is_found_by_its_labels_and_annotations_but_not_its_urls() {
        let details = json!({
            "alertmanager": "prod",
            "fingerprint": "abc123",
            "labels": {"alertname": "APIResponseTimeCritical", "service": "payments-api"},
            "annotations": {
                "runbook_url": "https://runbooks.example.test/api-latency",
                "description": "p99 above 800 ms",
                "summary": "API slow",
                "dashboard": "latency board",
            },
            "silenced_by": [{"id": "s1", "comment": "maintenance window", "created_by": "sam"}],
            "generator_url": "http://prometheus.example.test/graph",
        });
        let text = search_text(EntryKind::Alert, &details);
        assert_eq!(
            lines(&text),
            [
                "alertname=APIResponseTimeCritical",
                "service=payments-api",
                "API slow",
                "p99 above 800 ms",
                "latency board",
                "maintenance window",
                "sam",
            ]
        );
    }

    #[test]
    fn a_runbook_step_an_action_a_ci_run_an_annotation_and_a_k8s_event() {
        let step = json!({"run_id": "r1", "runbook": "api-latency", "step": 2, "event": "skip",
                          "text": "no canary in this region", "by": "sam", "done": 1});
        assert_eq!(
            lines(&search_text(EntryKind::RunbookStep, &step)),
            ["no canary in this region", "api-latency", "sam"]
        );

        let action = json!({"action_kind": "pagerduty.note", "target": "Q1 \"API slow\"",
            "target_id": "Q1", "params": {"text": "escalating to DBA", "level": 2},
            "result": "Note added", "audit": [{"event": "planned", "message": "planned by sam"}]});
        assert_eq!(
            lines(&search_text(EntryKind::Action, &action)),
            [
                "Q1 \"API slow\"",
                "Q1",
                "Note added",
                "pagerduty.note",
                "text=escalating to DBA",
                "planned by sam",
            ]
        );

        let ci = json!({"repo": "acme/payments", "workflow": "CI", "branch": "main",
            "title": "Bump deps", "failed_jobs": [{"name": "integration", "url": "https://x",
            "failed_steps": ["Run tests", "Upload logs"]}]});
        assert_eq!(
            lines(&search_text(EntryKind::CiRun, &ci)),
            [
                "integration",
                "Run tests",
                "Upload logs",
                "CI",
                "Bump deps",
                "main",
                "acme/payments"
            ]
        );

        let annotation = json!({"grafana": "g", "id": 7, "text": "payments 1.4.2 deployed",
                                "tags": ["deploy", "service:payments"]});
        assert_eq!(
            lines(&search_text(EntryKind::Annotation, &annotation)),
            ["payments 1.4.2 deployed", "deploy", "service:payments"]
        );

        let event = json!({"context": "prod", "namespace": "payments", "object": "Pod/api-1",
                           "reason": "BackOff", "message": "Back-off restarting failed container"});
        assert_eq!(
            lines(&search_text(EntryKind::K8sEvent, &event)),
            [
                "BackOff",
                "Back-off restarting failed container",
                "Pod/api-1",
                "payments"
            ]
        );
    }

    #[test]
    fn unknown_shapes_and_kinds_give_every_string_value() {
        let odd = json!({"nested": {"deep": ["one", {"two": "three"}]}, "n": 5, "ok": true,
                         "link": "https://example.test/x"});
        for kind in [EntryKind::Page, EntryKind::Rollout, EntryKind::Note] {
            assert_eq!(lines(&search_text(kind, &odd)), ["one", "three"], "{kind}");
        }
        assert_eq!(search_text(EntryKind::Alert, &json!(null)), "");
        assert_eq!(
            search_text(EntryKind::Alert, &json!("just text")),
            "just text"
        );
        // Wrong types where objects are expected do not panic.
        let wrong = json!({"labels": [1, 2], "annotations": "x", "log_entries": {"a": 1}});
        assert_eq!(search_text(EntryKind::Alert, &wrong), "x");
        assert_eq!(search_text(EntryKind::Page, &wrong), "x");
    }

    #[test]
    fn text_is_bounded_at_a_character_boundary_and_repeats_are_kept_once() {
        let notes: Vec<Value> = (0..2000)
            .map(|i| json!({"note": format!("ünïcödé note number {i}"), "summary": "Note added"}))
            .collect();
        let text = search_text(EntryKind::Page, &json!({"log_entries": notes}));
        assert!(text.len() <= SEARCH_TEXT_MAX_BYTES, "{}", text.len());
        assert!(text.len() > SEARCH_TEXT_MAX_BYTES - 64, "{}", text.len());
        assert_eq!(text.matches("Note added").count(), 1);
        assert!(text.starts_with("ünïcödé note number 0\nNote added\n"));
    }

    #[test]
    fn control_characters_become_spaces() {
        let text = search_text(EntryKind::Annotation, &json!({"text": "a\u{1}b\u{2}c\td"}));
        assert_eq!(text, "a b c d");
    }

    #[test]
    fn queries_and_reports_use_snake_case_and_default_limits() {
        let q: SearchQuery = serde_json::from_value(json!({
            "text": "disk", "sources": ["pagerduty"], "services": [], "severities": ["critical"],
            "kinds": ["runbook_step"], "since": "2026-01-01T00:00:00Z", "until": null,
            "limit": null,
        }))
        .unwrap();
        assert_eq!(q.kinds, [EntryKind::RunbookStep]);
        assert!(q.has_filters());
        assert!(!SearchQuery::words("x").has_filters());
        let report = PruneReport {
            entries: 2,
            search_rows: 2,
            shifts: 1,
            ..PruneReport::default()
        };
        assert_eq!(report.total(), 5);
        let json = serde_json::to_value(report).unwrap();
        assert_eq!(json["runbook_run_events"], json!(0));
        assert_eq!(json["vacuumed"], json!(false));
    }
}
