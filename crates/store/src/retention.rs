//! Retention: deleting what is older than a cutoff, in batches, then vacuuming the file.
//!
//! What goes, each only when older than the cutoff:
//! - timeline entries that ended (or, without an end, started) before it — except pages still
//!   triggered or acknowledged, whatever their age — with their search index rows;
//! - runbook runs whose last logged event (or, with none, their start) is before it, with their
//!   log and step-action links;
//! - shifts that ended before it (a manual shift still running has no end and stays);
//! - silences that ended before it;
//! - notification records shown before it, except those of pages still open (they stop the
//!   same page from notifying again);
//! - action plans planned before it whose token also expired before it, with the record of
//!   their token's use.
//!
//! The audit log is never pruned: it is the audit trail, append-only by its triggers.

use chrono::{DateTime, Utc};
use opsdeck_domain::PruneReport;
use rusqlite::{params, Connection, Transaction, TransactionBehavior};

use crate::error::{During, Result, StoreError};
use crate::search::Pending;
use crate::time::to_millis;

/// Rows deleted per transaction, so pruning half a million rows never holds the write lock
/// (and a WAL full of one transaction) for long.
pub(crate) const BATCH: usize = 10_000;

pub(crate) fn prune(conn: &mut Connection, cutoff: DateTime<Utc>) -> Result<PruneReport> {
    prune_in_batches(conn, cutoff, BATCH)
}

pub(crate) fn prune_in_batches(
    conn: &mut Connection,
    cutoff: DateTime<Utc>,
    batch: usize,
) -> Result<PruneReport> {
    let cut = to_millis(cutoff);
    let mut report = PruneReport {
        cutoff,
        ..PruneReport::default()
    };
    prune_entries(conn, cut, batch, &mut report)?;
    prune_runs(conn, cut, batch, &mut report)?;
    report.shifts = delete_in_batches(
        conn,
        "DELETE FROM shifts WHERE id IN \
         (SELECT id FROM shifts WHERE end_at < ?1 LIMIT ?2)",
        cut,
        batch,
        "pruning shifts",
    )?;
    report.silences = delete_in_batches(
        conn,
        "DELETE FROM silences WHERE (source, id) IN \
         (SELECT source, id FROM silences WHERE ends_at < ?1 LIMIT ?2)",
        cut,
        batch,
        "pruning silences",
    )?;
    // The first notification of a page is keyed `page:<incident>:…` (rows from before 0006
    // have no incident column), and its presence is what keeps an open page from notifying
    // again: those of open pages stay.
    report.notifications = delete_in_batches(
        conn,
        "DELETE FROM notifications_sent WHERE key IN \
         (SELECT n.key FROM notifications_sent n WHERE n.sent_at < ?1 AND NOT EXISTS \
            (SELECT 1 FROM entries p \
             WHERE p.kind = 'page' AND p.status IN ('triggered', 'acknowledged') \
               AND (p.external_id = n.incident \
                    OR substr(n.key, 1, length(p.external_id) + 6) \
                       = 'page:' || p.external_id || ':')) \
          LIMIT ?2)",
        cut,
        batch,
        "pruning notifications",
    )?;
    prune_plans(conn, cut, batch, &mut report)?;

    let deleted = report.total();
    if deleted > 0 {
        conn.execute_batch("VACUUM")
            .map_err(|source| StoreError::Vacuum { deleted, source })?;
        // VACUUM in WAL mode writes the whole file through the WAL; give the space back now.
        // A reader holding an old snapshot only delays that, so the outcome is not checked.
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .during("checkpointing after the vacuum")?;
        report.vacuumed = true;
    }
    Ok(report)
}

/// Entries (and their index rows), oldest first. The `started_at < cutoff` term walks the
/// start index; an entry that started after the cutoff is never older than it.
fn prune_entries(
    conn: &mut Connection,
    cut: i64,
    batch: usize,
    report: &mut PruneReport,
) -> Result<()> {
    in_batches(
        conn,
        (cut, batch),
        "SELECT id, started_at FROM entries \
         WHERE started_at < ?1 AND coalesce(ended_at, started_at) < ?1 \
           AND NOT (kind = 'page' AND status IN ('triggered', 'acknowledged')) \
         ORDER BY started_at LIMIT ?2",
        "finding entries to prune",
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)),
        |tx, rows| {
            let mut index = Pending::default();
            let mut delete = tx
                .prepare_cached("DELETE FROM entries WHERE id = ?1")
                .during("preparing the entry delete")?;
            for (id, started_at) in rows {
                index.unindex(tx, id, Some(*started_at))?;
                report.entries += delete
                    .execute([id])
                    .during_with(|| format!("pruning entry {id}"))?
                    as u64;
            }
            report.search_rows += index.apply(tx)?;
            Ok(())
        },
    )
}

fn prune_runs(
    conn: &mut Connection,
    cut: i64,
    batch: usize,
    report: &mut PruneReport,
) -> Result<()> {
    in_batches(
        conn,
        (cut, batch),
        "SELECT r.id FROM runbook_runs r \
         WHERE coalesce((SELECT max(e.at) FROM runbook_run_events e \
                         WHERE e.run_id = r.id), r.started_at) < ?1 \
         LIMIT ?2",
        "finding runbook runs to prune",
        |r| r.get::<_, String>(0),
        |tx, runs| {
            for (sql, count) in [
                (
                    "DELETE FROM runbook_run_events WHERE run_id = ?1",
                    &mut report.runbook_run_events,
                ),
                (
                    "DELETE FROM runbook_step_actions WHERE run_id = ?1",
                    &mut report.runbook_step_actions,
                ),
                (
                    "DELETE FROM runbook_runs WHERE id = ?1",
                    &mut report.runbook_runs,
                ),
            ] {
                let mut stmt = tx.prepare_cached(sql).during("preparing a run delete")?;
                for run in runs {
                    *count += stmt
                        .execute([run])
                        .during_with(|| format!("pruning runbook run {run}"))?
                        as u64;
                }
            }
            Ok(())
        },
    )
}

/// Plans whose tokens can no longer be used (`expires_at` is real time, `planned_at` data
/// time: both must be before the cutoff), their token's use first (it refers to the plan).
fn prune_plans(
    conn: &mut Connection,
    cut: i64,
    batch: usize,
    report: &mut PruneReport,
) -> Result<()> {
    in_batches(
        conn,
        (cut, batch),
        "SELECT action_id, token_hash FROM action_plans \
         WHERE planned_at < ?1 AND expires_at < ?1 LIMIT ?2",
        "finding action plans to prune",
        |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        |tx, plans| {
            let mut uses = tx
                .prepare_cached("DELETE FROM action_token_uses WHERE token_hash = ?1")
                .during("preparing a token use delete")?;
            let mut plan = tx
                .prepare_cached("DELETE FROM action_plans WHERE action_id = ?1")
                .during("preparing a plan delete")?;
            for (action_id, token_hash) in plans {
                report.action_token_uses += uses
                    .execute([token_hash])
                    .during_with(|| format!("pruning the token use of action {action_id}"))?
                    as u64;
                report.action_plans += plan
                    .execute([action_id])
                    .during_with(|| format!("pruning the plan of action {action_id}"))?
                    as u64;
            }
            Ok(())
        },
    )
}

/// Selects up to a batch of rows with `select` (`?1` the cutoff, `?2` the batch size) and
/// deletes them with `delete` in one immediate transaction, until a selection comes back
/// short of a batch.
fn in_batches<T>(
    conn: &mut Connection,
    (cut, batch): (i64, usize),
    select: &str,
    what: &'static str,
    read: impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    mut delete: impl FnMut(&Transaction<'_>, &[T]) -> Result<()>,
) -> Result<()> {
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .during("starting a prune batch")?;
        let rows: Vec<T> = tx
            .prepare_cached(select)
            .and_then(|mut stmt| stmt.query_map(params![cut, batch as i64], &read)?.collect())
            .during(what)?;
        delete(&tx, &rows)?;
        tx.commit().during("committing a prune batch")?;
        if rows.len() < batch {
            return Ok(());
        }
    }
}

/// Runs `sql` (with `?1` the cutoff and `?2` the batch size) until it deletes fewer rows than
/// a batch; each run is its own transaction.
fn delete_in_batches(
    conn: &Connection,
    sql: &str,
    cut: i64,
    batch: usize,
    what: &'static str,
) -> Result<u64> {
    let mut stmt = conn.prepare_cached(sql).during(what)?;
    let mut total = 0u64;
    loop {
        let n = stmt.execute(params![cut, batch as i64]).during(what)?;
        total += n as u64;
        if n < batch {
            return Ok(total);
        }
    }
}
