//! opsdeck's local cache: one SQLite file holding the timeline, each source's sync health and
//! cursors, and the notifications already shown.
//!
//! The store never reads a clock: every time it records is passed in by the caller.

mod actions;
mod connection;
mod cursors;
mod encode;
mod entries;
mod error;
mod health;
mod migrations;
mod notifications;
mod oncall;
mod retention;
mod runs;
mod search;
mod shifts;
mod time;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use opsdeck_domain::{
    AuditRecord, EntryKind, NewEntry, OnCallShift, Shift, Silence, SourceHealth, SourceKind,
    StoredPlan, TimelineEntry,
};
use opsdeck_domain::{PruneReport, SearchHit, SearchQuery};
use rusqlite::Connection;

pub use actions::NewPlan;
pub use entries::UpsertOutcome;
pub use error::{Result, StoreError};
pub use migrations::SCHEMA_VERSION;
pub use runs::NewRun;

/// How often opening retries when another process is creating the same cache.
const OPEN_RETRIES: u32 = 10;

/// One connection to the cache. Reads take `&self`, writes `&mut self`; open one `Store` per
/// thread that needs one (WAL lets readers and a writer work side by side).
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        Self::init(conn, path, false)
    }

    /// A private database that lives as long as this `Store` (tests, `--db :memory:`).
    pub fn open_in_memory() -> Result<Store> {
        let path = Path::new(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.to_owned(),
            source,
        })?;
        Self::init(conn, path, true)
    }

    fn init(mut conn: Connection, path: &Path, in_memory: bool) -> Result<Store> {
        // Two processes opening a new cache at once (the desktop app and `opsdeck sync`) race
        // to switch it to WAL and to migrate it; the loser sees SQLITE_BUSY or a migration the
        // winner already applied. Both are settled by trying again: the next attempt reads the
        // winner's version. Bounded, so a database that is really stuck still fails.
        let mut attempt = 0u32;
        loop {
            let before = migrations::user_version(&conn).ok();
            let result = connection::configure(&conn, path, in_memory)
                .and_then(|()| migrations::migrate(&mut conn, path));
            match result {
                Ok(()) => break,
                Err(e)
                    if attempt < OPEN_RETRIES
                        && !in_memory
                        && (e.is_busy() || migrations::user_version(&conn).ok() != before) =>
                {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 * u64::from(attempt)));
                }
                Err(e) => return Err(e),
            }
        }
        // Entries stored before the search index existed are indexed now (a no-op read once
        // they all are).
        search::backfill(&mut conn)?;
        Ok(Store {
            conn,
            path: (!in_memory).then(|| path.to_owned()),
        })
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Inserts new entries and updates changed ones, in one transaction: either the whole
    /// batch is stored or none of it. Idempotent by (source, external id): upserting the same
    /// data again reports every entry as unchanged.
    pub fn upsert_entries(&mut self, entries: &[NewEntry]) -> Result<UpsertOutcome> {
        entries::upsert(&mut self.conn, entries, entries::Existing::Update)
    }

    /// Inserts the entries not stored yet and leaves the others exactly as they are (counted
    /// as unchanged): for a partial view, such as a quick poll's, that must never overwrite a
    /// fuller one stored meanwhile.
    pub fn insert_new_entries(&mut self, entries: &[NewEntry]) -> Result<UpsertOutcome> {
        entries::upsert(&mut self.conn, entries, entries::Existing::Keep)
    }

    /// Entries that started in `[from, to)`, ordered by `started_at` then `id` (the timeline
    /// contract's order).
    pub fn entries_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<TimelineEntry>> {
        entries::between(&self.conn, from, to)
    }

    pub fn entry(&self, id: &str) -> Result<Option<TimelineEntry>> {
        entries::by_id(&self.conn, id)
    }

    pub fn entry_by_external(
        &self,
        source: SourceKind,
        external_id: &str,
    ) -> Result<Option<TimelineEntry>> {
        entries::by_external(&self.conn, source, external_id)
    }

    /// The vendor payload an entry was mapped from (`None` if there is no such entry).
    pub fn raw_payload(&self, id: &str) -> Result<Option<serde_json::Value>> {
        entries::raw_payload(&self.conn, id)
    }

    pub fn count_entries(&self) -> Result<u64> {
        entries::count(&self.conn)
    }

    /// Records a successful sync of the configured source `name`.
    pub fn record_attempt_ok(
        &mut self,
        name: &str,
        kind: SourceKind,
        at: DateTime<Utc>,
    ) -> Result<()> {
        health::record_ok(&self.conn, name, kind, at)
    }

    /// Records a failed sync of the configured source `name`; `message` is shown to the user,
    /// so it must say what failed and never contain a secret.
    pub fn record_attempt_error(
        &mut self,
        name: &str,
        kind: SourceKind,
        at: DateTime<Utc>,
        message: &str,
    ) -> Result<()> {
        health::record_error(&self.conn, name, kind, at, message)
    }

    /// The health of every source that has been attempted, by name, as of `now`.
    pub fn source_health(
        &self,
        now: DateTime<Utc>,
        stale_after: Duration,
    ) -> Result<Vec<SourceHealth>> {
        health::all(&self.conn, now, stale_after)
    }

    pub fn cursor(&self, source_name: &str, key: &str) -> Result<Option<String>> {
        cursors::get(&self.conn, source_name, key)
    }

    pub fn set_cursor(&mut self, source_name: &str, key: &str, value: &str) -> Result<()> {
        cursors::set(&self.conn, source_name, key, value)
    }

    /// Records that the notification `key` was shown at `at`. True only the first time for a
    /// key, across restarts: show the notification only when this returns true.
    pub fn mark_notified(&mut self, key: &str, at: DateTime<Utc>) -> Result<bool> {
        notifications::mark(&self.conn, key, at)
    }

    /// Records the notification `key` for `incident` (empty for none) at data time `at` and
    /// real time `real_at`. True only the first time for a key.
    pub fn mark_notified_for(
        &mut self,
        key: &str,
        incident: &str,
        at: DateTime<Utc>,
        real_at: DateTime<Utc>,
    ) -> Result<bool> {
        notifications::mark_for(&self.conn, key, incident, at, real_at)
    }

    /// How many notifications were shown for `incident`, and the real time of the latest.
    pub fn notifications_shown(&self, incident: &str) -> Result<Option<(u32, DateTime<Utc>)>> {
        notifications::shown(&self.conn, incident)
    }

    /// Every page still triggered or acknowledged, oldest first, whatever its day.
    pub fn open_pages(&self) -> Result<Vec<TimelineEntry>> {
        entries::open_pages(&self.conn)
    }

    /// Replaces the on-call entries `source` last fetched.
    pub fn replace_oncall(
        &mut self,
        source: &str,
        shifts: &[OnCallShift],
        fetched_at: DateTime<Utc>,
    ) -> Result<()> {
        oncall::replace(&self.conn, source, shifts, fetched_at)
    }

    /// Every source's latest on-call entries, and when the oldest of them was fetched.
    pub fn oncall(&self) -> Result<(Vec<OnCallShift>, Option<DateTime<Utc>>)> {
        oncall::all(&self.conn)
    }

    /// Stores a plan awaiting confirmation. Plans are never changed afterwards.
    pub fn insert_plan(&mut self, plan: &NewPlan<'_>) -> Result<()> {
        actions::insert_plan(&self.conn, plan)
    }

    /// The plan whose token hashes to `token_hash`, with when its token was used, if it was.
    pub fn plan_by_token_hash(&self, token_hash: &str) -> Result<Option<StoredPlan>> {
        actions::plan_by_token_hash(&self.conn, token_hash)
    }

    /// Uses a plan's token: true only the first time, across processes.
    pub fn use_token(&mut self, token_hash: &str, at: DateTime<Utc>) -> Result<bool> {
        actions::use_token(&self.conn, token_hash, at)
    }

    /// Appends to the audit log (which refuses updates and deletes); returns the record's
    /// sequence number.
    pub fn start_run(&mut self, run: &NewRun<'_>) -> Result<()> {
        runs::start_run(&self.conn, run)
    }

    /// Appends to a run's log: the event's sequence number, `None` when there is no such run.
    pub fn append_run_event(
        &mut self,
        run_id: &str,
        event: &opsdeck_domain::RunEvent,
    ) -> Result<Option<i64>> {
        runs::append_run_event(&self.conn, run_id, event)
    }

    /// Remembers that `action_id` was planned from `step` of run `run_id`.
    pub fn link_step_action(&mut self, action_id: &str, run_id: &str, step: u32) -> Result<()> {
        runs::link_step_action(&self.conn, action_id, run_id, step)
    }

    /// The run and step an action was planned from, if it was.
    pub fn step_of_action(&self, action_id: &str) -> Result<Option<(String, u32)>> {
        runs::step_of_action(&self.conn, action_id)
    }

    pub fn run(&self, id: &str) -> Result<Option<opsdeck_domain::RunbookRun>> {
        runs::run(&self.conn, id)
    }

    /// The runs started on a timeline entry, oldest first.
    pub fn runs_of_entry(&self, entry_id: &str) -> Result<Vec<opsdeck_domain::RunbookRun>> {
        runs::runs(&self.conn, Some(entry_id), None)
    }

    /// Every run started from `since`, oldest first.
    pub fn runs_since(&self, since: DateTime<Utc>) -> Result<Vec<opsdeck_domain::RunbookRun>> {
        runs::runs(&self.conn, None, Some(since))
    }

    pub fn append_audit(&mut self, record: &AuditRecord) -> Result<i64> {
        actions::append_audit(&self.conn, record)
    }

    /// One action's audit records, oldest first.
    pub fn audit_of(&self, action_id: &str) -> Result<Vec<AuditRecord>> {
        actions::audit_of(&self.conn, action_id)
    }

    // Shifts and what the handoff reads.

    /// Records my schedule shifts from an on-call fetch (new ones added, ends refreshed, the
    /// handoff's edits kept); returns how many rows changed.
    pub fn record_shifts(&mut self, shifts: &[Shift]) -> Result<usize> {
        shifts::record(&self.conn, shifts)
    }

    /// Shifts that started by `until`, newest first.
    pub fn shifts(&self, until: DateTime<Utc>, limit: u32) -> Result<Vec<Shift>> {
        shifts::list(&self.conn, until, limit)
    }

    /// Shifts overlapping `[from, to)`, oldest first.
    pub fn shifts_overlapping(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Shift>> {
        shifts::overlapping(&self.conn, from, to)
    }

    pub fn shift(&self, id: &str) -> Result<Option<Shift>> {
        shifts::by_id(&self.conn, id)
    }

    /// Adds a manual shift, running until [`Store::stop_manual_shift`].
    pub fn start_manual_shift(&mut self, shift: &Shift) -> Result<()> {
        shifts::start_manual(&self.conn, shift)
    }

    /// Ends the running manual shift at `at`; `None` when none runs.
    pub fn stop_manual_shift(&mut self, at: DateTime<Utc>) -> Result<Option<Shift>> {
        shifts::stop_manual(&self.conn, at)
    }

    /// Saves a shift's handoff summary and "watch next" items; `None`: no such shift.
    pub fn edit_handoff(
        &mut self,
        id: &str,
        summary: Option<&str>,
        watch_next: &[String],
        at: DateTime<Utc>,
    ) -> Result<Option<Shift>> {
        shifts::edit_handoff(&self.conn, id, summary, watch_next, at)
    }

    /// Records the silences a source listed; none is ever dropped here.
    pub fn record_silences(&mut self, silences: &[Silence]) -> Result<()> {
        shifts::record_silences(&self.conn, silences)
    }

    /// The silences in force at `at`.
    pub fn silences_at(&self, at: DateTime<Utc>) -> Result<Vec<Silence>> {
        shifts::silences_at(&self.conn, at)
    }

    /// Entries of one kind that started in `[from, to)`, oldest first.
    pub fn entries_of_kind(
        &self,
        kind: EntryKind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<TimelineEntry>> {
        shifts::of_kind_between(&self.conn, kind, from, to)
    }

    /// Pages open at `at`: triggered by then and not resolved by then.
    pub fn pages_open_at(&self, at: DateTime<Utc>) -> Result<Vec<TimelineEntry>> {
        shifts::pages_open_at(&self.conn, at)
    }

    /// Audit records appended after `after_seq`, oldest first, at most `limit`.
    pub fn audit_since(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        actions::audit_since(&self.conn, after_seq, limit)
    }

    // History: search and retention.

    /// Entries containing every word of `q.text` (in their title, service or searchable
    /// details; the last word also as a prefix, unless the text ends in a space) and passing
    /// its filters, newest first
    /// (`started_at` descending, then id), at most `q.limit` (default 100, at most 1000).
    /// The text is words, never query syntax: quotes, operators and brackets are plain
    /// characters. Empty text with filters lists the entries the filters keep; text with no
    /// letter or digit finds nothing. Refused with a typed error: no words and no filter
    /// ([`StoreError::EmptySearch`]), a limit of 0 or above 1000, `since` not before `until`,
    /// more than 64 words.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        search::search(&self.conn, q)
    }

    /// Deletes what is older than `cutoff` — entries (never a page still triggered or
    /// acknowledged) with their search rows, runbook runs, shifts, silences, notification
    /// records (but those of open pages), spent action plans — in batches of 10,000 rows per
    /// transaction, then vacuums the file if anything was deleted. The audit log is never
    /// pruned: it is the audit trail (append-only by its triggers).
    pub fn prune(&mut self, cutoff: DateTime<Utc>) -> Result<PruneReport> {
        retention::prune(&mut self.conn, cutoff)
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}
