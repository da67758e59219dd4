//! Action plans, the single use of their tokens, and the append-only audit log.

use chrono::{DateTime, Utc};
use opsdeck_domain::{ActionRequest, AuditEvent, AuditRecord, Effect, StoredPlan};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::{During, Result, StoreError};
use crate::time::{from_millis, from_millis_opt, to_millis};

/// A plan to store, keyed by the hash of its token.
pub struct NewPlan<'a> {
    pub token_hash: &'a str,
    pub plan: &'a StoredPlan,
    /// Data time of planning.
    pub planned_at: DateTime<Utc>,
}

pub(crate) fn insert_plan(conn: &Connection, new: &NewPlan<'_>) -> Result<()> {
    let plan = new.plan;
    let request =
        serde_json::to_string(&plan.request).map_err(|source| StoreError::CorruptJson {
            id: plan.action_id.clone(),
            column: "request",
            source,
        })?;
    let effect = serde_json::to_string(&plan.effect).map_err(|source| StoreError::CorruptJson {
        id: plan.action_id.clone(),
        column: "effect",
        source,
    })?;
    conn.prepare_cached(
        "INSERT INTO action_plans (action_id, token_hash, kind, source, target, request, \
         effect, protection, planned_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            plan.action_id,
            new.token_hash,
            plan.request.kind.as_str(),
            plan.source,
            plan.request.target,
            request,
            effect,
            plan.protection.as_str(),
            to_millis(new.planned_at),
            to_millis(plan.expires_at),
        ])
    })
    .during_with(|| format!("storing the plan of action {}", plan.action_id))?;
    Ok(())
}

const PLAN_COLUMNS: &str = "p.action_id, p.source, p.request, p.effect, p.protection, \
     p.expires_at, u.used_at";

pub(crate) fn plan_by_token_hash(
    conn: &Connection,
    token_hash: &str,
) -> Result<Option<StoredPlan>> {
    let sql = format!(
        "SELECT {PLAN_COLUMNS} FROM action_plans p \
         LEFT JOIN action_token_uses u ON u.token_hash = p.token_hash WHERE p.token_hash = ?1"
    );
    let row = conn
        .prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([token_hash], read_plan_columns).optional())
        .during("looking up a confirmation token")?;
    row.map(decode_plan).transpose()
}

type PlanColumns = (String, String, String, String, String, i64, Option<i64>);

fn read_plan_columns(row: &Row<'_>) -> rusqlite::Result<PlanColumns> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
        row.get(6)?,
    ))
}

fn decode_plan(columns: PlanColumns) -> Result<StoredPlan> {
    let (action_id, source, request, effect, protection, expires_at, used_at) = columns;
    let request: ActionRequest =
        serde_json::from_str(&request).map_err(|source| StoreError::CorruptJson {
            id: action_id.clone(),
            column: "request",
            source,
        })?;
    let effect: Effect =
        serde_json::from_str(&effect).map_err(|source| StoreError::CorruptJson {
            id: action_id.clone(),
            column: "effect",
            source,
        })?;
    let protection = serde_json::from_value(serde_json::Value::String(protection.clone()))
        .map_err(|_| StoreError::CorruptValue {
            table: "action_plans",
            key: action_id.clone(),
            column: "protection",
            value: protection,
        })?;
    Ok(StoredPlan {
        expires_at: from_millis(expires_at, "action_plans", &action_id, "expires_at")?,
        used_at: from_millis_opt(used_at, "action_token_uses", &action_id, "used_at")?,
        action_id,
        request,
        source,
        effect,
        protection,
    })
}

/// Marks the token used; true only for the first use, whichever process gets there first.
pub(crate) fn use_token(conn: &Connection, token_hash: &str, at: DateTime<Utc>) -> Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO action_token_uses (token_hash, used_at) VALUES (?1, ?2) \
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .and_then(|mut stmt| stmt.execute(params![token_hash, to_millis(at)]))
        .during("using a confirmation token")?;
    Ok(inserted == 1)
}

/// Appends one record and returns its sequence number.
pub(crate) fn append_audit(conn: &Connection, record: &AuditRecord) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO audit_log (action_id, event, at, real_at, kind, source, target, actor, \
         message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            record.action_id,
            record.event.as_str(),
            to_millis(record.at),
            to_millis(record.real_at),
            record.kind.map(|k| k.as_str()),
            record.source,
            record.target,
            record.actor,
            record.message,
        ])
    })
    .during_with(|| format!("appending to the audit log of action {}", record.action_id))?;
    Ok(conn.last_insert_rowid())
}

const AUDIT_COLUMNS: &str =
    "seq, action_id, event, at, real_at, kind, source, target, actor, message";

/// One action's records, in the order they were appended.
pub(crate) fn audit_of(conn: &Connection, action_id: &str) -> Result<Vec<AuditRecord>> {
    let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE action_id = ?1 ORDER BY seq");
    query_audit(conn, &sql, params![action_id])
}

/// Every record appended after `after_seq`, oldest first, at most `limit`.
pub(crate) fn audit_since(
    conn: &Connection,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<AuditRecord>> {
    let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2");
    query_audit(conn, &sql, params![after_seq, limit])
}

type AuditColumns = (
    i64,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

fn query_audit(
    conn: &Connection,
    sql: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<AuditRecord>> {
    let rows: Vec<AuditColumns> = conn
        .prepare_cached(sql)
        .and_then(|mut stmt| {
            stmt.query_map(args, |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                    row.get(7)?,
                    row.get(8)?,
                    row.get(9)?,
                ))
            })?
            .collect()
        })
        .during("reading the audit log")?;
    rows.into_iter().map(decode_audit).collect()
}

fn decode_audit(c: AuditColumns) -> Result<AuditRecord> {
    let (seq, action_id, event, at, real_at, kind, source, target, actor, message) = c;
    let key = seq.to_string();
    let event: AuditEvent = event.parse().map_err(|_| StoreError::CorruptValue {
        table: "audit_log",
        key: key.clone(),
        column: "event",
        value: event.clone(),
    })?;
    let kind = kind
        .map(|k| {
            k.parse().map_err(|_| StoreError::CorruptValue {
                table: "audit_log",
                key: key.clone(),
                column: "kind",
                value: k.clone(),
            })
        })
        .transpose()?;
    Ok(AuditRecord {
        seq,
        at: from_millis(at, "audit_log", &key, "at")?,
        real_at: from_millis(real_at, "audit_log", &key, "real_at")?,
        action_id,
        event,
        kind,
        source,
        target,
        actor,
        message,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::TimeZone;
    use opsdeck_domain::{ActionKind, Protection, Risk};

    use super::*;
    use crate::Store;

    fn at(s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, 6, 0, s).unwrap()
    }

    fn plan(id: &str) -> StoredPlan {
        StoredPlan {
            action_id: id.into(),
            request: ActionRequest {
                kind: ActionKind::PagerdutySnooze,
                target: "Q0PAY0001".into(),
                params: BTreeMap::from([("duration".into(), "1h".into())]),
            },
            source: "pagerduty".into(),
            effect: Effect {
                summary: "Snooze Q0PAY0001 for 1h".into(),
                target: "Q0PAY0001 API slow".into(),
                target_name: "Q0PAY0001".into(),
                environment: "PagerDuty".into(),
                service: Some("payments-api".into()),
                risk: Risk::Medium,
                undo: Some("acknowledge it again".into()),
                details: vec!["line".into()],
            },
            protection: Protection::TypeToConfirm,
            expires_at: at(30),
            used_at: None,
        }
    }

    fn record(action_id: &str, event: AuditEvent) -> AuditRecord {
        AuditRecord {
            seq: 0,
            action_id: action_id.into(),
            event,
            at: at(1),
            real_at: at(2),
            kind: Some(ActionKind::PagerdutySnooze),
            source: Some("pagerduty".into()),
            target: Some("Q0PAY0001".into()),
            actor: Some("sam@example.test".into()),
            message: format!("{event:?}"),
        }
    }

    #[test]
    fn a_plan_round_trips_and_its_token_works_once() {
        let mut store = Store::open_in_memory().unwrap();
        let p = plan("a1");
        store
            .insert_plan(&NewPlan {
                token_hash: "h1",
                plan: &p,
                planned_at: at(0),
            })
            .unwrap();
        assert_eq!(store.plan_by_token_hash("h1").unwrap(), Some(p.clone()));
        assert_eq!(store.plan_by_token_hash("nope").unwrap(), None);
        assert!(store.use_token("h1", at(5)).unwrap());
        assert!(!store.use_token("h1", at(6)).unwrap());
        let used = store.plan_by_token_hash("h1").unwrap().unwrap();
        assert_eq!(used.used_at, Some(at(5)));
    }

    #[test]
    fn a_token_of_no_plan_cannot_be_used() {
        let mut store = Store::open_in_memory().unwrap();
        assert!(store.use_token("forged", at(5)).is_err());
    }

    #[test]
    fn the_audit_log_is_append_only() {
        let mut store = Store::open_in_memory().unwrap();
        let first = store
            .append_audit(&record("a1", AuditEvent::Planned))
            .unwrap();
        let second = store
            .append_audit(&record("a2", AuditEvent::Refused))
            .unwrap();
        store
            .append_audit(&record("a1", AuditEvent::Confirmed))
            .unwrap();
        assert!(second > first);
        let a1 = store.audit_of("a1").unwrap();
        assert_eq!(
            a1.iter().map(|r| r.event).collect::<Vec<_>>(),
            [AuditEvent::Planned, AuditEvent::Confirmed]
        );
        assert_eq!(a1[0].seq, first);
        assert_eq!(a1[0].real_at, at(2));
        assert_eq!(store.audit_since(first, 10).unwrap().len(), 2);
        store
            .insert_plan(&NewPlan {
                token_hash: "h1",
                plan: &plan("a1"),
                planned_at: at(0),
            })
            .unwrap();
        store.use_token("h1", at(3)).unwrap();
        for sql in [
            "UPDATE audit_log SET message = 'rewritten'",
            "DELETE FROM audit_log",
            "UPDATE action_plans SET expires_at = 0",
            "UPDATE action_token_uses SET used_at = 0",
        ] {
            let err = store.conn.execute(sql, []).unwrap_err();
            assert!(err.to_string().contains("only"), "{sql}: {err}");
        }
        assert_eq!(store.audit_of("a1").unwrap(), a1);
    }
}
