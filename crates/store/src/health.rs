//! Source health: the outcome of each configured source's sync attempts.

use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::{HealthRecord, SourceHealth, SourceKind};
use rusqlite::{params, Connection};

use crate::error::{During, Result, StoreError};
use crate::time::{from_millis_opt, to_millis};

pub(crate) fn record_ok(
    conn: &Connection,
    name: &str,
    kind: SourceKind,
    at: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO source_health (name, kind, last_attempt_at, last_success_at, \
         last_attempt_failed) VALUES (?1, ?2, ?3, ?3, 0) \
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, \
         last_attempt_at = excluded.last_attempt_at, \
         last_success_at = excluded.last_success_at, last_attempt_failed = 0",
    )
    .and_then(|mut stmt| stmt.execute(params![name, kind.as_str(), to_millis(at)]))
    .during_with(|| format!("recording a successful sync of source {name}"))?;
    Ok(())
}

pub(crate) fn record_error(
    conn: &Connection,
    name: &str,
    kind: SourceKind,
    at: DateTime<Utc>,
    message: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO source_health (name, kind, last_attempt_at, last_error, last_error_at, \
         last_attempt_failed) VALUES (?1, ?2, ?3, ?4, ?3, 1) \
         ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, \
         last_attempt_at = excluded.last_attempt_at, last_error = excluded.last_error, \
         last_error_at = excluded.last_error_at, last_attempt_failed = 1",
    )
    .and_then(|mut stmt| stmt.execute(params![name, kind.as_str(), to_millis(at), message]))
    .during_with(|| format!("recording a failed sync of source {name}"))?;
    Ok(())
}

/// Every source that has had at least one attempt, by name. Configured sources missing here
/// have never been attempted: their state is `unknown`.
pub(crate) fn all(
    conn: &Connection,
    now: DateTime<Utc>,
    stale_after: Duration,
) -> Result<Vec<SourceHealth>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT name, kind, last_attempt_at, last_success_at, last_error, last_error_at, \
             last_attempt_failed FROM source_health ORDER BY name",
        )
        .during("preparing the source health query")?;
    let rows = stmt
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<i64>>(2)?,
                row.get::<_, Option<i64>>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<i64>>(5)?,
                row.get::<_, bool>(6)?,
            ))
        })
        .during("querying source health")?;
    let mut out = Vec::new();
    for row in rows {
        let (name, kind, attempt, success, error, error_at, failed) =
            row.during("reading a source health row")?;
        let kind = kind.parse().map_err(|_| StoreError::CorruptValue {
            table: "source_health",
            key: name.clone(),
            column: "kind",
            value: kind.clone(),
        })?;
        let record = HealthRecord {
            last_attempt_at: from_millis_opt(attempt, "source_health", &name, "last_attempt_at")?,
            last_success_at: from_millis_opt(success, "source_health", &name, "last_success_at")?,
            last_error_at: from_millis_opt(error_at, "source_health", &name, "last_error_at")?,
            last_error: error,
            last_attempt_failed: failed,
            name,
            kind,
        };
        out.push(record.assess(now, stale_after));
    }
    Ok(out)
}
