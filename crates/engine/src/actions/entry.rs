//! An action's timeline entry, derived from its audit records: one entry per action for its
//! whole life (planned → succeeded / failed / refused), with the audit trail in its details.

use chrono::{DateTime, Utc};
use opsdeck_domain::{
    AuditEvent, AuditRecord, EntryKind, NewEntry, Severity, SourceKind, Status, StoredPlan,
};
use serde_json::{json, Value};

fn status_of(event: AuditEvent) -> Status {
    match event {
        // Confirmed but not finished yet: still only planned as far as the vendor knows.
        AuditEvent::Planned | AuditEvent::Confirmed => Status::Planned,
        // The contract has no "cancelled": withdrawn before confirming reads as refused, and
        // the title and audit trail say who refused it.
        AuditEvent::Refused | AuditEvent::Cancelled => Status::Refused,
        AuditEvent::Succeeded => Status::Succeeded,
        AuditEvent::Failed => Status::Failed,
    }
}

/// `records` are the action's audit records, oldest first (at least one). `plan` is absent
/// for a confirmation whose token named no plan.
pub(crate) fn action_entry(
    action_id: &str,
    plan: Option<&StoredPlan>,
    records: &[AuditRecord],
) -> Option<NewEntry> {
    let first = records.first()?;
    // Once carried out, an action stays what it did: a later refusal (a replayed token) joins
    // the audit trail without turning a success into a refusal.
    let last = records
        .iter()
        .rev()
        .find(|r| matches!(r.event, AuditEvent::Succeeded | AuditEvent::Failed))
        .or(records.last())?;
    let status = status_of(last.event);
    let finished = matches!(
        last.event,
        AuditEvent::Refused | AuditEvent::Cancelled | AuditEvent::Succeeded | AuditEvent::Failed
    );
    let title = match (plan, last.event) {
        (Some(p), AuditEvent::Failed) => format!("Failed: {}", p.effect.summary),
        (Some(p), AuditEvent::Refused) => format!("Refused: {}", p.effect.summary),
        (Some(p), AuditEvent::Cancelled) => format!("Cancelled: {}", p.effect.summary),
        (Some(p), _) => p.effect.summary.clone(),
        (None, _) => format!("Refused: {}", last.message),
    };
    let trail: Vec<Value> = records
        .iter()
        .map(|r| {
            json!({
                "event": r.event.as_str(),
                "at": rfc3339(r.at),
                "actor": r.actor,
                "message": r.message,
            })
        })
        .collect();
    let details = json!({
        "action_kind": plan.map(|p| p.request.kind.as_str()).or(first.kind.map(|k| k.as_str())),
        "source_name": plan.map(|p| p.source.as_str()).or(first.source.as_deref()),
        "target": plan.map(|p| p.effect.target.as_str()).or(first.target.as_deref()),
        "target_id": plan.map(|p| p.request.target.as_str()),
        "params": plan.map(|p| json!(p.request.params)),
        "environment": plan.map(|p| p.effect.environment.as_str()),
        "risk": plan.map(|p| p.effect.risk),
        "undo": plan.and_then(|p| p.effect.undo.as_deref()),
        "actor": first.actor,
        "result": finished.then_some(last.message.as_str()),
        "audit": trail,
    });
    Some(NewEntry {
        source: SourceKind::Opsdeck,
        kind: EntryKind::Action,
        severity: if matches!(last.event, AuditEvent::Failed | AuditEvent::Refused) {
            Severity::Warning
        } else {
            Severity::Info
        },
        status: Some(status),
        title,
        service: plan.and_then(|p| p.effect.service.clone()),
        url: None,
        started_at: first.at,
        ended_at: finished.then_some(last.at),
        external_id: action_id.to_string(),
        details,
        raw: Value::Null,
    })
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;
    use opsdeck_domain::{ActionKind, ActionRequest, Effect, Protection, Risk};

    use super::*;

    fn at(s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 6, 0, s).unwrap()
    }

    fn record(event: AuditEvent, s: u32, message: &str) -> AuditRecord {
        AuditRecord {
            seq: i64::from(s),
            action_id: "a1".into(),
            event,
            at: at(s),
            real_at: at(s),
            kind: Some(ActionKind::PagerdutyAcknowledge),
            source: Some("pagerduty".into()),
            target: Some("Q0PAY0001".into()),
            actor: Some("sam@example.test".into()),
            message: message.into(),
        }
    }

    fn plan() -> StoredPlan {
        StoredPlan {
            action_id: "a1".into(),
            request: ActionRequest {
                kind: ActionKind::PagerdutyAcknowledge,
                target: "Q0PAY0001".into(),
                params: BTreeMap::new(),
            },
            source: "pagerduty".into(),
            effect: Effect {
                summary: "Acknowledge Q0PAY0001".into(),
                target: "Q0PAY0001 \"API slow\"".into(),
                target_name: "Q0PAY0001".into(),
                environment: "PagerDuty".into(),
                service: Some("payments-api".into()),
                risk: Risk::Low,
                undo: None,
                details: vec![],
            },
            protection: Protection::Confirm,
            expires_at: at(59),
            used_at: None,
        }
    }

    #[test]
    fn one_entry_follows_the_action_through_its_life() {
        use AuditEvent::*;
        let p = plan();
        let cases = [
            (
                vec![record(Planned, 1, "plan")],
                Status::Planned,
                Severity::Info,
                None,
                "Acknowledge Q0PAY0001",
            ),
            (
                vec![record(Planned, 1, "plan"), record(Confirmed, 2, "ok")],
                Status::Planned,
                Severity::Info,
                None,
                "Acknowledge Q0PAY0001",
            ),
            (
                vec![
                    record(Planned, 1, "plan"),
                    record(Confirmed, 2, "ok"),
                    record(Succeeded, 3, "done"),
                ],
                Status::Succeeded,
                Severity::Info,
                Some(at(3)),
                "Acknowledge Q0PAY0001",
            ),
            (
                vec![
                    record(Planned, 1, "plan"),
                    record(Confirmed, 2, "ok"),
                    record(Failed, 3, "PagerDuty answered 500"),
                ],
                Status::Failed,
                Severity::Warning,
                Some(at(3)),
                "Failed: Acknowledge Q0PAY0001",
            ),
            (
                vec![record(Planned, 1, "plan"), record(Refused, 4, "expired")],
                Status::Refused,
                Severity::Warning,
                Some(at(4)),
                "Refused: Acknowledge Q0PAY0001",
            ),
        ];
        for (records, status, severity, ended, title) in cases {
            let e = action_entry("a1", Some(&p), &records).unwrap();
            assert_eq!(e.status, Some(status), "{records:?}");
            assert_eq!(e.severity, severity);
            assert_eq!(e.ended_at, ended);
            assert_eq!(e.title, title);
            assert_eq!(e.started_at, at(1));
            assert_eq!(e.external_id, "a1");
            assert_eq!(e.source, SourceKind::Opsdeck);
            assert_eq!(e.kind, EntryKind::Action);
            assert_eq!(e.service.as_deref(), Some("payments-api"));
            assert_eq!(e.details["audit"].as_array().unwrap().len(), records.len());
        }
    }

    #[test]
    fn a_forged_token_gets_an_entry_of_its_own() {
        let mut r = record(AuditEvent::Refused, 5, "unknown confirmation token");
        r.kind = None;
        r.target = None;
        let e = action_entry("x9", None, &[r]).unwrap();
        assert_eq!(e.status, Some(Status::Refused));
        assert_eq!(e.title, "Refused: unknown confirmation token");
        assert_eq!(e.details["action_kind"], Value::Null);
        assert!(action_entry("x9", None, &[]).is_none());
    }
}
