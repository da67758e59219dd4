//! Shifts (kept as history), the silences every source has listed, and the reads of entries by
//! kind that the handoff report needs.

use chrono::{DateTime, Utc};
use opsdeck_domain::{EntryKind, Shift, ShiftOrigin, Silence, TimelineEntry};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::entries::StoredRow;
use crate::error::{During, Result, StoreError};
use crate::time::{from_millis, from_millis_opt, to_millis};

const SHIFT_COLUMNS: &str = "id, origin, user_name, user_email, schedule, escalation_policy, \
     start_at, end_at, summary, watch_next, edited_at";

struct ShiftRow {
    id: String,
    origin: String,
    user_name: String,
    user_email: Option<String>,
    schedule: Option<String>,
    escalation_policy: Option<String>,
    start_at: i64,
    end_at: Option<i64>,
    summary: Option<String>,
    watch_next: String,
    edited_at: Option<i64>,
}

impl ShiftRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<ShiftRow> {
        Ok(ShiftRow {
            id: row.get(0)?,
            origin: row.get(1)?,
            user_name: row.get(2)?,
            user_email: row.get(3)?,
            schedule: row.get(4)?,
            escalation_policy: row.get(5)?,
            start_at: row.get(6)?,
            end_at: row.get(7)?,
            summary: row.get(8)?,
            watch_next: row.get(9)?,
            edited_at: row.get(10)?,
        })
    }

    fn into_shift(self) -> Result<Shift> {
        let origin = ShiftOrigin::parse(&self.origin).ok_or_else(|| StoreError::CorruptValue {
            table: "shifts",
            key: self.id.clone(),
            column: "origin",
            value: self.origin.clone(),
        })?;
        let watch_next: Vec<String> =
            serde_json::from_str(&self.watch_next).map_err(|source| StoreError::CorruptJson {
                id: self.id.clone(),
                column: "watch_next",
                source,
            })?;
        Ok(Shift {
            start: from_millis(self.start_at, "shifts", &self.id, "start_at")?,
            end: from_millis_opt(self.end_at, "shifts", &self.id, "end_at")?,
            edited_at: from_millis_opt(self.edited_at, "shifts", &self.id, "edited_at")?,
            id: self.id,
            origin,
            user_name: self.user_name,
            user_email: self.user_email,
            schedule: self.schedule,
            escalation_policy: self.escalation_policy,
            summary: self.summary,
            watch_next,
        })
    }
}

fn read_shifts(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<Shift>> {
    let rows: Vec<ShiftRow> = conn
        .prepare_cached(sql)
        .and_then(|mut stmt| stmt.query_map(args, ShiftRow::read)?.collect())
        .during("reading shifts")?;
    rows.into_iter().map(ShiftRow::into_shift).collect()
}

/// Records schedule shifts as seen in an on-call fetch: new ones are added, known ones get
/// their end and names refreshed (a schedule override moves the end), and what the engineer
/// wrote for the handoff is never touched.
pub(crate) fn record(conn: &Connection, shifts: &[Shift]) -> Result<usize> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO shifts (id, origin, user_name, user_email, schedule, \
             escalation_policy, start_at, end_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (id) DO UPDATE SET user_name = excluded.user_name, \
             user_email = excluded.user_email, schedule = excluded.schedule, \
             escalation_policy = excluded.escalation_policy, end_at = excluded.end_at \
             WHERE end_at IS NOT excluded.end_at OR user_name IS NOT excluded.user_name \
             OR schedule IS NOT excluded.schedule \
             OR escalation_policy IS NOT excluded.escalation_policy",
        )
        .during("preparing to record shifts")?;
    let mut changed = 0;
    for s in shifts {
        changed += stmt
            .execute(params![
                s.id,
                s.origin.as_str(),
                s.user_name,
                s.user_email,
                s.schedule,
                s.escalation_policy,
                to_millis(s.start),
                s.end.map(to_millis),
            ])
            .during_with(|| format!("recording shift {}", s.id))?;
    }
    Ok(changed)
}

/// Shifts that started before `until`, newest first, at most `limit`.
pub(crate) fn list(conn: &Connection, until: DateTime<Utc>, limit: u32) -> Result<Vec<Shift>> {
    read_shifts(
        conn,
        &format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts WHERE start_at <= ?1 \
             ORDER BY start_at DESC, id DESC LIMIT ?2"
        ),
        params![to_millis(until), limit],
    )
}

/// Shifts overlapping `[from, to)`, oldest first.
pub(crate) fn overlapping(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Shift>> {
    read_shifts(
        conn,
        &format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts WHERE start_at < ?2 \
             AND (end_at IS NULL OR end_at > ?1) ORDER BY start_at, id"
        ),
        params![to_millis(from), to_millis(to)],
    )
}

pub(crate) fn by_id(conn: &Connection, id: &str) -> Result<Option<Shift>> {
    let row = conn
        .prepare_cached(&format!("SELECT {SHIFT_COLUMNS} FROM shifts WHERE id = ?1"))
        .and_then(|mut stmt| stmt.query_row([id], ShiftRow::read).optional())
        .during_with(|| format!("reading shift {id}"))?;
    row.map(ShiftRow::into_shift).transpose()
}

/// Adds a manual shift (still running).
pub(crate) fn start_manual(conn: &Connection, shift: &Shift) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO shifts (id, origin, user_name, user_email, schedule, escalation_policy, \
         start_at, end_at) VALUES (?1, 'manual', ?2, ?3, ?4, ?5, ?6, NULL)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            shift.id,
            shift.user_name,
            shift.user_email,
            shift.schedule,
            shift.escalation_policy,
            to_millis(shift.start),
        ])
    })
    .during_with(|| format!("starting shift {}", shift.id))?;
    Ok(())
}

/// Ends the running manual shift at `at`; `None` when none runs.
pub(crate) fn stop_manual(conn: &Connection, at: DateTime<Utc>) -> Result<Option<Shift>> {
    let running = read_shifts(
        conn,
        &format!(
            "SELECT {SHIFT_COLUMNS} FROM shifts WHERE origin = 'manual' AND end_at IS NULL \
             ORDER BY start_at DESC LIMIT 1"
        ),
        [],
    )?;
    let Some(mut shift) = running.into_iter().next() else {
        return Ok(None);
    };
    // A shift stopped the instant it started still spans something.
    let end = at.max(shift.start + chrono::Duration::seconds(1));
    conn.prepare_cached("UPDATE shifts SET end_at = ?2 WHERE id = ?1")
        .and_then(|mut stmt| stmt.execute(params![shift.id, to_millis(end)]))
        .during_with(|| format!("stopping shift {}", shift.id))?;
    shift.end = Some(end);
    Ok(Some(shift))
}

/// Saves the handoff's summary and "watch next" items; `None` when there is no such shift.
pub(crate) fn edit_handoff(
    conn: &Connection,
    id: &str,
    summary: Option<&str>,
    watch_next: &[String],
    at: DateTime<Utc>,
) -> Result<Option<Shift>> {
    let json = serde_json::to_string(watch_next).map_err(|source| StoreError::EncodeJson {
        id: id.to_string(),
        column: "watch_next",
        source,
    })?;
    let n = conn
        .prepare_cached(
            "UPDATE shifts SET summary = ?2, watch_next = ?3, edited_at = ?4 WHERE id = ?1",
        )
        .and_then(|mut stmt| stmt.execute(params![id, summary, json, to_millis(at)]))
        .during_with(|| format!("saving the handoff of shift {id}"))?;
    if n == 0 {
        return Ok(None);
    }
    by_id(conn, id)
}

/// Records the silences a source listed (all of them, expired ones included): each is added
/// or updated in place, and none is ever dropped here, so past shifts keep theirs.
pub(crate) fn record_silences(conn: &Connection, silences: &[Silence]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO silences (source, id, matchers, comment, created_by, starts_at, \
             ends_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (source, id) DO UPDATE \
             SET matchers = excluded.matchers, comment = excluded.comment, \
             created_by = excluded.created_by, starts_at = excluded.starts_at, \
             ends_at = excluded.ends_at",
        )
        .during("preparing to record silences")?;
    for s in silences {
        stmt.execute(params![
            s.source,
            s.id,
            s.matchers,
            s.comment,
            s.created_by,
            to_millis(s.starts_at),
            to_millis(s.ends_at),
        ])
        .during_with(|| format!("recording silence {}", s.id))?;
    }
    Ok(())
}

/// The silences in force at `at`.
pub(crate) fn silences_at(conn: &Connection, at: DateTime<Utc>) -> Result<Vec<Silence>> {
    type Raw = (String, String, String, String, String, i64, i64);
    let rows: Vec<Raw> = conn
        .prepare_cached(
            "SELECT source, id, matchers, comment, created_by, starts_at, ends_at FROM silences \
             WHERE starts_at <= ?1 AND ends_at > ?1 ORDER BY ends_at, id",
        )
        .and_then(|mut stmt| {
            stmt.query_map([to_millis(at)], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect()
        })
        .during("reading silences")?;
    rows.into_iter()
        .map(
            |(source, id, matchers, comment, created_by, starts, ends)| {
                Ok(Silence {
                    starts_at: from_millis(starts, "silences", &id, "starts_at")?,
                    ends_at: from_millis(ends, "silences", &id, "ends_at")?,
                    source,
                    id,
                    matchers,
                    comment,
                    created_by,
                })
            },
        )
        .collect()
}

/// Entries of `kind` that started in `[from, to)`, oldest first.
pub(crate) fn of_kind_between(
    conn: &Connection,
    kind: EntryKind,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<TimelineEntry>> {
    let rows: Vec<StoredRow> = conn
        .prepare_cached(
            "SELECT id, source, kind, severity, status, title, service, url, started_at, \
             ended_at, external_id, details FROM entries INDEXED BY entries_by_kind_start \
             WHERE kind = ?1 AND started_at >= ?2 AND started_at < ?3 ORDER BY started_at, id",
        )
        .and_then(|mut stmt| {
            stmt.query_map(
                params![kind.as_str(), to_millis(from), to_millis(to)],
                StoredRow::read,
            )?
            .collect()
        })
        .during_with(|| format!("reading {kind} entries"))?;
    rows.into_iter().map(StoredRow::into_entry).collect()
}

/// Pages that were open at `at`: triggered before it and not resolved by then.
pub(crate) fn pages_open_at(conn: &Connection, at: DateTime<Utc>) -> Result<Vec<TimelineEntry>> {
    let rows: Vec<StoredRow> = conn
        .prepare_cached(
            "SELECT id, source, kind, severity, status, title, service, url, started_at, \
             ended_at, external_id, details FROM entries INDEXED BY entries_by_kind_start \
             WHERE kind = 'page' AND started_at <= ?1 \
             AND (ended_at IS NULL OR ended_at > ?1) \
             ORDER BY started_at, id",
        )
        .and_then(|mut stmt| stmt.query_map([to_millis(at)], StoredRow::read)?.collect())
        .during("reading the pages open then")?;
    rows.into_iter().map(StoredRow::into_entry).collect()
}
