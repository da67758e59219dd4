//! Timeline entries: idempotent upserts keyed by (source, external id), and the reads the
//! timeline needs.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use opsdeck_domain::{entry_id, NewEntry, SourceKind, TimelineEntry};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::encode::EncodedEntry;
use crate::error::{During, Result, StoreError};
use crate::search;
use crate::time::{from_millis, from_millis_opt, to_millis};

/// What an upsert did, so the engine can forward exactly the changes to the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpsertOutcome {
    /// Ids of entries seen for the first time, in input order.
    pub inserted: Vec<String>,
    /// Ids of known entries whose mapped content or raw payload changed, in input order.
    pub updated: Vec<String>,
    /// Entries that were already stored exactly as given.
    pub unchanged: usize,
}

impl UpsertOutcome {
    pub fn changed(&self) -> bool {
        !self.inserted.is_empty() || !self.updated.is_empty()
    }
}

const FIND_BY_ID: &str =
    "SELECT source, external_id, content_hash, started_at FROM entries WHERE id = ?1";

const INSERT: &str = "INSERT INTO entries (id, source, external_id, kind, severity, status, \
     title, service, url, started_at, ended_at, details, raw, content_hash, first_seen_rev, \
     updated_rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)";

const UPDATE: &str = "UPDATE entries SET kind = ?2, severity = ?3, status = ?4, title = ?5, \
     service = ?6, url = ?7, started_at = ?8, ended_at = ?9, details = ?10, raw = ?11, \
     content_hash = ?12, updated_rev = ?13 WHERE id = ?1";

const TIMELINE_COLUMNS: &str = "id, source, kind, severity, status, title, service, url, \
     started_at, ended_at, external_id, details";

/// The day query. Its `ORDER BY` matches the `entries_by_start` index, so SQLite walks the
/// index range and never sorts.
pub(crate) const BETWEEN: &str = "SELECT id, source, kind, severity, status, title, service, \
     url, started_at, ended_at, external_id, details FROM entries \
     WHERE started_at >= ?1 AND started_at < ?2 ORDER BY started_at, id";

/// Whether an entry already stored is updated from the incoming one or left as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Existing {
    Update,
    Keep,
}

pub(crate) fn upsert(
    conn: &mut Connection,
    entries: &[NewEntry],
    existing_rows: Existing,
) -> Result<UpsertOutcome> {
    let tx = conn
        .transaction()
        .during("starting the upsert transaction")?;
    let mut outcome = UpsertOutcome::default();
    {
        let revision: i64 = tx
            .query_row("SELECT revision + 1 FROM store_revision", [], |row| {
                row.get(0)
            })
            .during("reading the store revision")?;
        let mut find = tx
            .prepare_cached(FIND_BY_ID)
            .during("preparing the entry lookup")?;
        let mut insert = tx
            .prepare_cached(INSERT)
            .during("preparing the entry insert")?;
        let mut update = tx
            .prepare_cached(UPDATE)
            .during("preparing the entry update")?;
        // An id reported once per batch even if the batch repeats it.
        let mut reported: HashSet<String> = HashSet::new();
        // Search index rows of the inserted and changed entries, written in key order at the
        // end; unchanged entries cost the index nothing.
        let mut index = search::Pending::default();

        for entry in entries {
            let row = EncodedEntry::encode(entry)?;
            let existing = find
                .query_row([&row.id], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                })
                .optional()
                .during_with(|| format!("looking up entry {}", row.id))?;
            match existing {
                None => {
                    insert
                        .execute(params![
                            row.id,
                            entry.source.as_str(),
                            entry.external_id,
                            entry.kind.as_str(),
                            entry.severity.as_str(),
                            entry.status.map(|s| s.as_str()),
                            entry.title,
                            entry.service,
                            entry.url,
                            row.started_at,
                            row.ended_at,
                            row.details,
                            row.raw,
                            &row.content_hash[..],
                            revision,
                        ])
                        .during_with(|| format!("inserting entry {}", row.id))?;
                    let doc = search::Doc::of_entry(&row.id, entry);
                    index.index(&tx, doc, row.started_at, None)?;
                    reported.insert(row.id.clone());
                    outcome.inserted.push(row.id);
                }
                Some((source, external_id, hash, stored_started_at)) => {
                    if source != entry.source.as_str() || external_id != entry.external_id {
                        return Err(StoreError::IdCollision {
                            id: row.id,
                            existing: format!("{source}/{external_id}"),
                            incoming: format!("{}/{}", entry.source, entry.external_id),
                        });
                    }
                    if hash == row.content_hash || existing_rows == Existing::Keep {
                        outcome.unchanged += 1;
                        continue;
                    }
                    update
                        .execute(params![
                            row.id,
                            entry.kind.as_str(),
                            entry.severity.as_str(),
                            entry.status.map(|s| s.as_str()),
                            entry.title,
                            entry.service,
                            entry.url,
                            row.started_at,
                            row.ended_at,
                            row.details,
                            row.raw,
                            &row.content_hash[..],
                            revision,
                        ])
                        .during_with(|| format!("updating entry {}", row.id))?;
                    let doc = search::Doc::of_entry(&row.id, entry);
                    index.index(&tx, doc, row.started_at, Some(stored_started_at))?;
                    if reported.insert(row.id.clone()) {
                        outcome.updated.push(row.id);
                    }
                }
            }
        }
        index.apply(&tx)?;
        if outcome.changed() {
            tx.execute("UPDATE store_revision SET revision = ?1", [revision])
                .during("bumping the store revision")?;
        }
    }
    tx.commit().during("committing the upsert")?;
    Ok(outcome)
}

pub(crate) fn between(
    conn: &Connection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<TimelineEntry>> {
    let mut stmt = conn
        .prepare_cached(BETWEEN)
        .during("preparing the timeline query")?;
    let rows = stmt
        .query_map(params![to_millis(from), to_millis(to)], StoredRow::read)
        .during("querying the timeline")?;
    let mut entries = Vec::new();
    for row in rows {
        entries.push(row.during("reading a timeline row")?.into_entry()?);
    }
    Ok(entries)
}

pub(crate) fn by_id(conn: &Connection, id: &str) -> Result<Option<TimelineEntry>> {
    let sql = format!("SELECT {TIMELINE_COLUMNS} FROM entries WHERE id = ?1");
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| stmt.query_row([id], StoredRow::read).optional())
        .during_with(|| format!("reading entry {id}"))?
        .map(StoredRow::into_entry)
        .transpose()
}

pub(crate) fn by_external(
    conn: &Connection,
    source: SourceKind,
    external_id: &str,
) -> Result<Option<TimelineEntry>> {
    // A primary-key lookup; the pair is checked too, so a colliding id can never answer for
    // another entry.
    let sql = format!(
        "SELECT {TIMELINE_COLUMNS} FROM entries WHERE id = ?1 AND source = ?2 AND external_id = ?3"
    );
    let id = entry_id(source, external_id);
    conn.prepare_cached(&sql)
        .and_then(|mut stmt| {
            stmt.query_row(params![id, source.as_str(), external_id], StoredRow::read)
                .optional()
        })
        .during_with(|| format!("reading entry {source}/{external_id}"))?
        .map(StoredRow::into_entry)
        .transpose()
}

pub(crate) fn raw_payload(conn: &Connection, id: &str) -> Result<Option<serde_json::Value>> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT raw FROM entries WHERE id = ?1")
        .and_then(|mut stmt| stmt.query_row([id], |row| row.get(0)).optional())
        .during_with(|| format!("reading the raw payload of entry {id}"))?;
    raw.map(|text| {
        serde_json::from_str(&text).map_err(|source| StoreError::CorruptJson {
            id: id.to_owned(),
            column: "raw",
            source,
        })
    })
    .transpose()
}

pub(crate) fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM entries", [], |row| row.get(0))
        .during("counting entries")?;
    Ok(u64::try_from(n).unwrap_or_default())
}

/// A row as SQLite hands it over; parsing into domain types happens outside the rusqlite
/// callback so that corrupt values become `StoreError`s that name the entry.
pub(crate) struct StoredRow {
    id: String,
    source: String,
    kind: String,
    severity: String,
    status: Option<String>,
    title: String,
    service: Option<String>,
    url: Option<String>,
    started_at: i64,
    ended_at: Option<i64>,
    external_id: String,
    details: String,
}

impl StoredRow {
    pub(crate) fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            source: row.get(1)?,
            kind: row.get(2)?,
            severity: row.get(3)?,
            status: row.get(4)?,
            title: row.get(5)?,
            service: row.get(6)?,
            url: row.get(7)?,
            started_at: row.get(8)?,
            ended_at: row.get(9)?,
            external_id: row.get(10)?,
            details: row.get(11)?,
        })
    }

    pub(crate) fn into_entry(self) -> Result<TimelineEntry> {
        let id = self.id;
        let parse = |column: &'static str, value: &str| StoreError::CorruptValue {
            table: "entries",
            key: id.clone(),
            column,
            value: value.to_owned(),
        };
        let source: SourceKind = self
            .source
            .parse()
            .map_err(|_| parse("source", &self.source))?;
        let kind = self.kind.parse().map_err(|_| parse("kind", &self.kind))?;
        let severity = self
            .severity
            .parse()
            .map_err(|_| parse("severity", &self.severity))?;
        let status = match &self.status {
            Some(s) => Some(s.parse().map_err(|_| parse("status", s))?),
            None => None,
        };
        let details =
            serde_json::from_str(&self.details).map_err(|source| StoreError::CorruptJson {
                id: id.clone(),
                column: "details",
                source,
            })?;
        Ok(TimelineEntry {
            started_at: from_millis(self.started_at, "entries", &id, "started_at")?,
            ended_at: from_millis_opt(self.ended_at, "entries", &id, "ended_at")?,
            id,
            source,
            kind,
            severity,
            status,
            title: self.title,
            service: self.service,
            url: self.url,
            external_id: self.external_id,
            details,
        })
    }
}

/// Matches the `entries_open_pages` partial index's condition exactly, so SQLite uses it
/// (it proves a partial index usable only from terms it finds literally in the query), and
/// names it: with `entries_by_kind_start` beside it the planner would rather walk every page.
const OPEN_PAGES: &str = "SELECT id, source, kind, severity, status, title, service, \
     url, started_at, ended_at, external_id, details FROM entries \
     INDEXED BY entries_open_pages WHERE kind = 'page' AND status IN ('triggered', 'acknowledged') ORDER BY started_at";

/// Pages triggered or acknowledged, oldest first, whatever their day.
pub(crate) fn open_pages(conn: &Connection) -> Result<Vec<TimelineEntry>> {
    let mut stmt = conn
        .prepare_cached(OPEN_PAGES)
        .during("reading the open pages")?;
    let rows = stmt
        .query_map([], StoredRow::read)
        .during("reading the open pages")?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row.during("reading an open page")?.into_entry()?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(conn: &Connection) -> String {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {BETWEEN}"))
            .unwrap();
        let rows = stmt
            .query_map([0i64, 86_400_000], |row| row.get::<_, String>(3))
            .unwrap();
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("\n")
    }

    #[test]
    fn day_query_walks_the_start_index_without_sorting() {
        let store = crate::Store::open_in_memory().unwrap();
        let check = |plan: String| {
            assert!(plan.contains("USING INDEX entries_by_start"), "{plan}");
            assert!(plan.contains("started_at>? AND started_at<?"), "{plan}");
            assert!(
                !plan.contains("TEMP B-TREE"),
                "sorts instead of using the index: {plan}"
            );
        };
        check(plan(&store.conn));
        // Statistics must not talk the planner out of it either.
        store
            .conn
            .execute_batch(
                "INSERT INTO entries (id, source, external_id, kind, severity, title, started_at,
                     details, raw, content_hash, first_seen_rev, updated_rev)
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 SELECT printf('%016x', i), 'github', i, 'ci_run', 'info', 't', i * 60000,
                     '{}', 'null', x'00', 1, 1 FROM n;
                 ANALYZE;",
            )
            .unwrap();
        check(plan(&store.conn));
    }
    #[test]
    fn open_pages_use_their_partial_index() {
        let store = crate::Store::open_in_memory().unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO entries (id, source, external_id, kind, severity, status, title,
                     started_at, details, raw, content_hash, first_seen_rev, updated_rev)
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
                 SELECT printf('%016x', i), 'pagerduty', i, iif(i % 3 = 0, 'page', 'alert'),
                     'critical', iif(i % 300 = 0, iif(i % 600 = 0, 'acknowledged', 'triggered'),
                         'resolved'), 't', i * 60000,
                     '{}', 'null', x'00', 1, 1 FROM n;
                 ANALYZE;",
            )
            .unwrap();
        let plan: String = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {OPEN_PAGES}"))
            .unwrap()
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("\n");
        assert!(plan.contains("entries_open_pages"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
        let pages = open_pages(&store.conn).unwrap();
        assert_eq!(pages.len(), 10);
        let acknowledged = pages
            .iter()
            .filter(|p| p.status == Some(opsdeck_domain::Status::Acknowledged))
            .count();
        assert_eq!(acknowledged, 5);
        assert!(pages.windows(2).all(|w| w[0].started_at < w[1].started_at));
    }
}
