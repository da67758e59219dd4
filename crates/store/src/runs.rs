//! Runbook runs and their append-only logs.

use chrono::{DateTime, Utc};
use opsdeck_domain::{fold_run, RunEvent, RunEventKind, RunbookRun};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{During, Result, StoreError};
use crate::time::{from_millis, to_millis};

/// A run to start.
pub struct NewRun<'a> {
    pub id: &'a str,
    pub runbook: &'a str,
    pub title: &'a str,
    pub steps: u32,
    pub entry_id: Option<&'a str>,
    pub started_at: DateTime<Utc>,
    pub started_by: Option<&'a str>,
}

pub(crate) fn start_run(conn: &Connection, run: &NewRun<'_>) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO runbook_runs (id, runbook, title, steps, entry_id, started_at, started_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            run.id,
            run.runbook,
            run.title,
            run.steps,
            run.entry_id,
            to_millis(run.started_at),
            run.started_by,
        ])
    })
    .during_with(|| format!("starting runbook run {}", run.id))?;
    Ok(())
}

fn kind_str(kind: RunEventKind) -> &'static str {
    match kind {
        RunEventKind::Tick => "tick",
        RunEventKind::Untick => "untick",
        RunEventKind::Skip => "skip",
        RunEventKind::Note => "note",
        RunEventKind::Action => "action",
        RunEventKind::Suggest => "suggest",
        RunEventKind::End => "end",
    }
}

fn kind_of(text: &str, run: &str) -> Result<RunEventKind> {
    Ok(match text {
        "tick" => RunEventKind::Tick,
        "untick" => RunEventKind::Untick,
        "skip" => RunEventKind::Skip,
        "note" => RunEventKind::Note,
        "action" => RunEventKind::Action,
        "suggest" => RunEventKind::Suggest,
        "end" => RunEventKind::End,
        other => {
            return Err(StoreError::CorruptValue {
                table: "runbook_run_events",
                key: run.to_string(),
                column: "kind",
                value: other.to_string(),
            })
        }
    })
}

/// Appends to a run's log: the event's sequence number, `None` when there is no such run.
pub(crate) fn append_run_event(
    conn: &Connection,
    run_id: &str,
    e: &RunEvent,
) -> Result<Option<i64>> {
    let exists: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM runbook_runs WHERE id = ?1")
        .and_then(|mut s| s.query_row([run_id], |r| r.get(0)).optional())
        .during("looking up a runbook run")?;
    if exists.is_none() {
        return Ok(None);
    }
    conn.prepare_cached(
        "INSERT INTO runbook_run_events (run_id, kind, step, text, action_id, ok, at, by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut stmt| {
        stmt.execute(params![
            run_id,
            kind_str(e.kind),
            e.step,
            e.text,
            e.action_id,
            e.ok,
            to_millis(e.at),
            e.by,
        ])
    })
    .during_with(|| format!("recording a step of runbook run {run_id}"))?;
    Ok(Some(conn.last_insert_rowid()))
}

fn events_of(conn: &Connection, run_id: &str) -> Result<Vec<RunEvent>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT kind, step, text, action_id, ok, at, by FROM runbook_run_events \
             WHERE run_id = ?1 ORDER BY seq",
        )
        .during("reading a runbook run's log")?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<u32>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<bool>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })
        .during("reading a runbook run's log")?;
    let mut events = Vec::new();
    for row in rows {
        let (kind, step, text, action_id, ok, at, by) =
            row.during("reading a runbook run's log")?;
        events.push(RunEvent {
            kind: kind_of(&kind, run_id)?,
            step,
            text,
            action_id,
            ok,
            at: from_millis(at, "runbook_run_events", run_id, "at")?,
            by,
        });
    }
    Ok(events)
}

type RunRow = (
    String,
    String,
    String,
    u32,
    Option<String>,
    i64,
    Option<String>,
);

fn fold(conn: &Connection, row: RunRow) -> Result<RunbookRun> {
    let (id, runbook, title, steps, entry_id, started_at, started_by) = row;
    let events = events_of(conn, &id)?;
    Ok(fold_run(
        &id,
        &runbook,
        &title,
        entry_id.as_deref(),
        (
            from_millis(started_at, "runbook_runs", &id, "started_at")?,
            started_by.as_deref(),
        ),
        steps,
        &events,
    ))
}

const RUN_COLUMNS: &str = "id, runbook, title, steps, entry_id, started_at, started_by";

fn run_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

pub(crate) fn run(conn: &Connection, id: &str) -> Result<Option<RunbookRun>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM runbook_runs WHERE id = ?1"
        ))
        .and_then(|mut s| s.query_row([id], run_row).optional())
        .during("reading a runbook run")?;
    row.map(|row| fold(conn, row)).transpose()
}

/// Runs started on `entry_id`, or (with `None`) every run started from `since`, oldest first.
pub(crate) fn runs(
    conn: &Connection,
    entry_id: Option<&str>,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<RunbookRun>> {
    let rows: Vec<RunRow> = match entry_id {
        Some(entry) => conn
            .prepare_cached(&format!(
                "SELECT {RUN_COLUMNS} FROM runbook_runs WHERE entry_id = ?1 ORDER BY started_at, id"
            ))
            .and_then(|mut s| s.query_map([entry], run_row)?.collect())
            .during("reading an entry's runbook runs")?,
        None => conn
            .prepare_cached(&format!(
                "SELECT {RUN_COLUMNS} FROM runbook_runs WHERE started_at >= ?1 ORDER BY started_at, id"
            ))
            .and_then(|mut s| {
                s.query_map([since.map_or(i64::MIN, to_millis)], run_row)?
                    .collect()
            })
            .during("reading runbook runs")?,
    };
    rows.into_iter().map(|row| fold(conn, row)).collect()
}

/// Remembers that `action_id` was planned from `step` of `run_id`.
pub(crate) fn link_step_action(
    conn: &Connection,
    action_id: &str,
    run_id: &str,
    step: u32,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO runbook_step_actions (action_id, run_id, step) VALUES (?1, ?2, ?3)",
    )
    .and_then(|mut s| s.execute(params![action_id, run_id, step]))
    .during_with(|| format!("linking action {action_id} to runbook run {run_id}"))?;
    Ok(())
}

/// The run and step an action was planned from, if it was.
pub(crate) fn step_of_action(conn: &Connection, action_id: &str) -> Result<Option<(String, u32)>> {
    conn.prepare_cached("SELECT run_id, step FROM runbook_step_actions WHERE action_id = ?1")
        .and_then(|mut s| {
            s.query_row([action_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .during("looking up an action's runbook step")
}
