//! PagerDuty incidents onto the timeline: one `page` entry per incident for its whole life, its
//! log entries (acknowledgements, notes, reassignments) in the entry's details.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use opsdeck_domain::{EntryKind, NewEntry, Severity, SourceKind, Status};
use serde_json::{json, Value};

use super::wire::{Incident, IncidentStatus, LogEntry, Urgency};

/// Used where no `[[services]]` entry maps a PagerDuty service: the entry keeps PagerDuty's
/// own service name.
pub const SERVICE_MAPPING_NONE: Option<&HashMap<String, String>> = None;

/// Maps one incident and its log entries. `me_id` is the PagerDuty user id of the token's
/// owner; `services` maps PagerDuty service ids to opsdeck service names.
pub fn incident_entry(
    incident: &Incident,
    raw_incident: &Value,
    log_entries: &[LogEntry],
    raw_log_entries: &[Value],
    me_id: Option<&str>,
    services: Option<&HashMap<String, String>>,
) -> NewEntry {
    // PagerDuty lists log entries newest first, and several share a second (a trigger and its
    // assignment, a resolve and its note). Ids are opaque and say nothing about order, so ties
    // keep the vendor's order: read the list oldest first, then sort stably by time.
    let mut log: Vec<&LogEntry> = log_entries.iter().collect();
    let oldest_first =
        matches!((log.first(), log.last()), (Some(a), Some(b)) if a.created_at < b.created_at);
    if !oldest_first {
        log.reverse();
    }
    log.sort_by_key(|e| e.created_at);
    let first_of = |kind: &str| log.iter().find(|e| e.kind == kind).map(|e| e.created_at);
    let last_of = |kind: &str| {
        log.iter()
            .rev()
            .find(|e| e.kind == kind)
            .map(|e| e.created_at)
    };

    let acknowledged_at = first_of("acknowledge_log_entry")
        .or_else(|| incident.acknowledgements.iter().filter_map(|a| a.at).min());
    let resolved_at: Option<DateTime<Utc>> = match incident.status {
        IncidentStatus::Resolved => incident
            .resolved_at
            .or_else(|| last_of("resolve_log_entry"))
            .or(incident.last_status_change_at)
            .or(Some(incident.created_at)),
        _ => None,
    };
    let urgency = incident.urgency.unwrap_or(Urgency::High);
    let service = services
        .and_then(|m| m.get(&incident.service.id).cloned())
        .or_else(|| incident.service.summary.clone());
    let assignees: Vec<Value> = incident
        .assignments
        .iter()
        .map(|a| json!({"id": a.assignee.id, "name": a.assignee.summary.as_ref().or(a.assignee.name.as_ref())}))
        .collect();
    let assigned_to_me =
        me_id.is_some_and(|me| incident.assignments.iter().any(|a| a.assignee.id == me));
    let log_details: Vec<Value> = log
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "type": e.kind.trim_end_matches("_log_entry"),
                "at": e.created_at,
                "agent": e.agent.as_ref().map(|a| a.summary.clone().unwrap_or_else(|| a.id.clone())),
                "summary": e.summary,
                "note": e.note,
            })
        })
        .collect();

    NewEntry {
        source: SourceKind::Pagerduty,
        kind: EntryKind::Page,
        severity: match urgency {
            Urgency::High => Severity::Critical,
            Urgency::Low => Severity::Warning,
        },
        status: Some(match incident.status {
            IncidentStatus::Triggered => Status::Triggered,
            IncidentStatus::Acknowledged => Status::Acknowledged,
            IncidentStatus::Resolved => Status::Resolved,
        }),
        title: incident.display_title(),
        service,
        url: incident.html_url.clone(),
        started_at: incident.created_at,
        ended_at: resolved_at,
        external_id: incident.id.clone(),
        details: json!({
            "incident_number": incident.incident_number,
            "urgency": match urgency { Urgency::High => "high", Urgency::Low => "low" },
            "pagerduty_service": {"id": incident.service.id, "name": incident.service.summary},
            "escalation_policy": incident.escalation_policy.as_ref().and_then(|p| p.summary.clone()),
            "assignees": assignees,
            "assigned_to_me": assigned_to_me,
            "acknowledged_at": acknowledged_at,
            "resolved_at": resolved_at,
            "log_entries": log_details,
        }),
        raw: json!({"incident": raw_incident, "log_entries": raw_log_entries}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::decode;
    use crate::pagerduty::wire::{IncidentBody, LogEntryList};

    fn incident(status: &str, urgency: &str) -> (Incident, Value) {
        let body = json!({"incident": {
            "id": "Q0PAY0001", "incident_number": 1, "title": "API response time critical",
            "created_at": "2026-11-22T05:47:00Z", "status": status, "urgency": urgency,
            "html_url": "https://acme.pagerduty.test/incidents/Q0PAY0001",
            "service": {"id": "PPAYAPI", "type": "service_reference", "summary": "payments-api"},
            "assignments": [{"at": "2026-11-22T05:47:00Z", "assignee": {"id": "PSAMOKA", "type": "user_reference", "summary": "Sam Okafor"}}],
            "last_status_change_at": "2026-11-22T08:52:00Z"
        }});
        let d = decode::<IncidentBody>(
            "PagerDuty",
            "/incidents/Q0PAY0001",
            body.to_string().as_bytes(),
        )
        .unwrap();
        (d.value.incident, d.raw["incident"].clone())
    }

    fn log() -> Vec<LogEntry> {
        let body = json!({"log_entries": [
            {"id": "R2", "type": "acknowledge_log_entry", "created_at": "2026-11-22T05:52:00Z", "agent": {"id": "PSAMOKA", "summary": "Sam Okafor"}},
            {"id": "R1", "type": "trigger_log_entry", "created_at": "2026-11-22T05:47:00Z", "agent": {"id": "PPAYAPI", "summary": "payments-api"}},
            {"id": "R3", "type": "resolve_log_entry", "created_at": "2026-11-22T08:52:00Z", "note": "fixed"}
        ], "limit": 100, "offset": 0, "more": false, "total": null});
        decode::<LogEntryList>("PagerDuty", "/x", body.to_string().as_bytes())
            .unwrap()
            .value
            .log_entries
    }

    #[test]
    fn a_triggered_high_urgency_incident_is_a_critical_page() {
        let (i, raw) = incident("triggered", "high");
        let e = incident_entry(&i, &raw, &[], &[], Some("PSAMOKA"), SERVICE_MAPPING_NONE);
        assert_eq!(
            (e.kind, e.severity, e.status),
            (EntryKind::Page, Severity::Critical, Some(Status::Triggered))
        );
        assert_eq!(e.external_id, "Q0PAY0001");
        assert_eq!(e.service.as_deref(), Some("payments-api"));
        assert_eq!(e.ended_at, None);
        assert_eq!(e.details["assigned_to_me"], json!(true));
        assert_eq!(e.raw["incident"]["id"], json!("Q0PAY0001"));
    }

    #[test]
    fn low_urgency_is_a_warning_and_someone_elses_page_is_not_mine() {
        let (i, raw) = incident("acknowledged", "low");
        let e = incident_entry(&i, &raw, &[], &[], Some("POTHER1"), SERVICE_MAPPING_NONE);
        assert_eq!(
            (e.severity, e.status),
            (Severity::Warning, Some(Status::Acknowledged))
        );
        assert_eq!(e.details["assigned_to_me"], json!(false));
    }

    #[test]
    fn a_resolved_incident_ends_at_its_resolution_and_keeps_its_log_in_order() {
        let (i, raw) = incident("resolved", "high");
        let entries = log();
        let e = incident_entry(&i, &raw, &entries, &[], None, SERVICE_MAPPING_NONE);
        assert_eq!(
            e.ended_at.map(|t| t.to_rfc3339()),
            Some("2026-11-22T08:52:00+00:00".into())
        );
        let types: Vec<&str> = e.details["log_entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["trigger", "acknowledge", "resolve"]);
        assert_eq!(e.details["acknowledged_at"], json!("2026-11-22T05:52:00Z"));
        assert_eq!(e.details["log_entries"][2]["note"], json!("fixed"));
    }

    #[test]
    fn the_service_mapping_renames_pagerduty_services() {
        let (i, raw) = incident("triggered", "high");
        let map: HashMap<String, String> = [("PPAYAPI".to_string(), "payments".to_string())].into();
        let e = incident_entry(&i, &raw, &[], &[], None, Some(&map));
        assert_eq!(e.service.as_deref(), Some("payments"));
    }
}
