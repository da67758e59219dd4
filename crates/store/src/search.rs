//! Full-text search over every timeline entry: the `entries_search` FTS5 table (see
//! migrations/0009_search.sql for its shape and why), kept in step with `entries` inside each
//! upsert, filled for entries stored before it existed, and queried newest first.
//!
//! Index rows are keyed by time: `started_at` (Unix ms) × 2^20 plus a 20-bit slot from the
//! entry id, so FTS5's `ORDER BY rowid DESC` is "newest first" and stops after `LIMIT`. Two
//! entries of the same millisecond whose slots collide take the next free slot below; the row
//! of an entry is found again by its `id` column within its millisecond's range of keys.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use opsdeck_domain::{
    search_text, EntryKind, NewEntry, SearchHit, SearchQuery, DEFAULT_SEARCH_LIMIT,
    MAX_SEARCH_LIMIT,
};
use rusqlite::{params, params_from_iter, types::Value as SqlValue, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::entries::StoredRow;
use crate::error::{During, Result, StoreError};
use crate::time::to_millis;

const SLOT_BITS: u32 = 20;
const SLOTS: i64 = 1 << SLOT_BITS;
/// Keys are `ms * SLOTS + slot` with `ms` clamped to ±2^42 (years 1830 to 2109), so they never
/// overflow; entries outside that range still index, in the first or last millisecond.
const MS_LIMIT: i64 = 1 << 42;

/// Words beyond this many make a query too long to be a search.
pub(crate) const MAX_WORDS: usize = 64;

/// Rows indexed per transaction when filling the index for entries stored before it existed.
const BACKFILL_BATCH: i64 = 5_000;

/// The first key of the millisecond `ms`.
fn bucket_start(ms: i64) -> i64 {
    ms.clamp(-MS_LIMIT, MS_LIMIT - 1) * SLOTS
}

/// The slot an entry tries first: higher ids get lower slots, so that within one millisecond
/// `rowid DESC` lists ids in ascending order, as the result order (started_at desc, id) wants.
fn preferred_slot(id: &str) -> i64 {
    let top = id
        .get(..5)
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .unwrap_or(0);
    SLOTS - 1 - top
}

/// The columns of one index row.
pub(crate) struct Doc {
    id: String,
    title: String,
    service: String,
    body: String,
    facets: String,
}

impl Doc {
    pub(crate) fn of_entry(id: &str, entry: &NewEntry) -> Doc {
        Doc::new(
            id,
            entry.source.as_str(),
            entry.kind.as_str(),
            entry.severity.as_str(),
            &entry.title,
            entry.service.as_deref(),
            search_text(entry.kind, &entry.details),
        )
    }

    fn new(
        id: &str,
        source: &str,
        kind: &str,
        severity: &str,
        title: &str,
        service: Option<&str>,
        body: String,
    ) -> Doc {
        let mut facets = format!(
            "{} {} {}",
            facet("src", source),
            facet("kind", kind),
            facet("sev", severity)
        );
        if let Some(service) = service {
            facets.push(' ');
            facets.push_str(&service_facet(service));
        }
        Doc {
            id: id.to_owned(),
            title: plain(title),
            service: service.map(plain).unwrap_or_default(),
            body,
            facets,
        }
    }
}

/// Control characters (among them the snippet markers) never reach the index.
fn plain(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// One token for a closed-vocabulary value: `kind` + `ci_run` → `kindcirun` (unicode61 would
/// split at the underscore).
fn facet(prefix: &str, value: &str) -> String {
    let mut token = String::from(prefix);
    token.extend(value.chars().filter(char::is_ascii_alphanumeric));
    token.make_ascii_lowercase();
    token
}

/// One token for an exact service name, whatever characters it has (the SQL check after the
/// match settles the unlikely hash collision).
fn service_facet(service: &str) -> String {
    let digest = Sha256::digest(service.as_bytes());
    format!("svc{}", hex::encode(&digest[..8]))
}

/// Index changes of one transaction, applied at its end in key order: FTS5 flushes its
/// pending terms to a new segment whenever a write's rowid is lower than the previous one, so
/// writing in the order entries arrive (by vendor, not by time) would cut one segment per
/// out-of-order entry.
#[derive(Default)]
pub(crate) struct Pending {
    /// Keys of rows already in the index to remove.
    deletes: BTreeSet<i64>,
    inserts: BTreeMap<i64, Doc>,
    /// Entry id → the key its row gets in this batch.
    keys: HashMap<String, i64>,
}

impl Pending {
    /// (Re)indexes `doc`, whose entry starts at `started_ms`; `stored_ms` is when the entry
    /// started as already stored (`None` for an entry new to the database), to find its row.
    pub(crate) fn index(
        &mut self,
        conn: &Connection,
        doc: Doc,
        started_ms: i64,
        stored_ms: Option<i64>,
    ) -> Result<()> {
        self.unindex(conn, &doc.id, stored_ms)?;
        let key = self.free_key(conn, &doc.id, started_ms)?;
        self.keys.insert(doc.id.clone(), key);
        self.inserts.insert(key, doc);
        Ok(())
    }

    /// Removes the row of entry `id`, stored as starting at `stored_ms`, if it has one.
    pub(crate) fn unindex(
        &mut self,
        conn: &Connection,
        id: &str,
        stored_ms: Option<i64>,
    ) -> Result<()> {
        if let Some(key) = self.keys.remove(id) {
            // Indexed earlier in this batch: its stored row, if any, is already going.
            self.inserts.remove(&key);
        } else if let Some(ms) = stored_ms {
            if let Some(key) = find_key(conn, id, ms)? {
                self.deletes.insert(key);
            }
        }
        Ok(())
    }

    fn free_key(&self, conn: &Connection, id: &str, started_ms: i64) -> Result<i64> {
        let base = bucket_start(started_ms);
        let first = preferred_slot(id);
        for step in 0..SLOTS {
            let key = base + (first - step).rem_euclid(SLOTS);
            if self.inserts.contains_key(&key) {
                continue;
            }
            if self.deletes.contains(&key) || !key_taken(conn, key)? {
                return Ok(key);
            }
        }
        Err(StoreError::SearchIndexFull {
            id: id.to_owned(),
            started_at_ms: started_ms,
        })
    }

    /// Writes the changes; returns how many rows were deleted.
    pub(crate) fn apply(self, conn: &Connection) -> Result<u64> {
        if self.deletes.is_empty() && self.inserts.is_empty() {
            return Ok(0);
        }
        let mut delete = conn
            .prepare_cached("DELETE FROM entries_search WHERE rowid = ?1")
            .during("preparing the search index delete")?;
        let mut insert = conn
            .prepare_cached(
                "INSERT INTO entries_search (rowid, title, service, body, facets, id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .during("preparing the search index insert")?;
        // One pass in key order; a key both deleted and inserted is deleted first.
        let mut deletes = self.deletes.iter().peekable();
        let mut deleted = 0;
        for (key, doc) in &self.inserts {
            while let Some(d) = deletes.next_if(|d| *d <= key) {
                deleted += delete
                    .execute([d])
                    .during("removing a row from the search index")?
                    as u64;
            }
            insert
                .execute(params![
                    key,
                    doc.title,
                    doc.service,
                    doc.body,
                    doc.facets,
                    doc.id
                ])
                .during_with(|| format!("indexing entry {} for search", doc.id))?;
        }
        for d in deletes {
            deleted += delete
                .execute([d])
                .during("removing a row from the search index")? as u64;
        }
        Ok(deleted)
    }
}

fn key_taken(conn: &Connection, key: i64) -> Result<bool> {
    conn.prepare_cached("SELECT 1 FROM entries_search WHERE rowid = ?1")
        .and_then(|mut stmt| stmt.exists([key]))
        .during("looking up a search index key")
}

/// The key of entry `id`'s row, looked for among the keys of the millisecond it started in.
fn find_key(conn: &Connection, id: &str, started_ms: i64) -> Result<Option<i64>> {
    let base = bucket_start(started_ms);
    conn.prepare_cached(
        "SELECT rowid FROM entries_search WHERE rowid >= ?1 AND rowid < ?2 AND id = ?3",
    )
    .and_then(|mut stmt| {
        stmt.query_row(params![base, base + SLOTS, id], |r| r.get(0))
            .optional()
    })
    .during_with(|| format!("finding entry {id} in the search index"))
}

/// Indexes the entries stored before the index existed (the migration records which), a
/// batch per transaction so that a large cache neither holds the write lock for long nor
/// loses its progress if interrupted. Cheap when there is nothing to do: one read of an
/// empty table. Returns how many entries were indexed.
pub(crate) fn backfill(conn: &mut Connection) -> Result<u64> {
    let pending: bool = conn
        .prepare_cached("SELECT 1 FROM search_backfill")
        .and_then(|mut stmt| stmt.exists([]))
        .during("checking whether the search index needs filling")?;
    if !pending {
        return Ok(0);
    }
    let mut indexed = 0u64;
    loop {
        // Immediate: a second process opening the same cache waits here and then sees the
        // progress this one made, instead of indexing the same batch.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .during("starting a search index backfill batch")?;
        let state: Option<(i64, i64)> = tx
            .query_row(
                "SELECT next_rowid, until_rowid FROM search_backfill",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .during("reading the search index backfill state")?;
        let Some((next, until)) = state else {
            tx.commit().during("ending the search index backfill")?;
            return Ok(indexed);
        };
        let rows: Vec<(i64, BackfillRow)> = tx
            .prepare_cached(
                "SELECT rowid, id, source, kind, severity, title, service, started_at, details \
                 FROM entries WHERE rowid >= ?1 AND rowid <= ?2 ORDER BY rowid LIMIT ?3",
            )
            .and_then(|mut stmt| {
                stmt.query_map(params![next, until, BACKFILL_BATCH], |r| {
                    Ok((
                        r.get(0)?,
                        BackfillRow {
                            id: r.get(1)?,
                            source: r.get(2)?,
                            kind: r.get(3)?,
                            severity: r.get(4)?,
                            title: r.get(5)?,
                            service: r.get(6)?,
                            started_at: r.get(7)?,
                            details: r.get(8)?,
                        },
                    ))
                })?
                .collect()
            })
            .during("reading entries to index for search")?;
        let mut batch = Pending::default();
        for (_, row) in &rows {
            // Entries changed since the migration were indexed by their upsert: indexing
            // again replaces that row, so nothing is ever indexed twice.
            batch.index(&tx, row.doc(), row.started_at, Some(row.started_at))?;
            indexed += 1;
        }
        batch.apply(&tx)?;
        match rows.last() {
            Some((last, _)) if *last < until => tx
                .execute("UPDATE search_backfill SET next_rowid = ?1", [last + 1])
                .during("recording the search index backfill progress")?,
            _ => tx
                .execute("DELETE FROM search_backfill", [])
                .during("finishing the search index backfill")?,
        };
        tx.commit()
            .during("committing a search index backfill batch")?;
    }
}

struct BackfillRow {
    id: String,
    source: String,
    kind: String,
    severity: String,
    title: String,
    service: Option<String>,
    started_at: i64,
    details: String,
}

impl BackfillRow {
    /// Stored values are indexed as they are: an unreadable kind or details JSON still
    /// leaves the entry findable by its title and service.
    fn doc(&self) -> Doc {
        let details = serde_json::from_str(&self.details).unwrap_or(serde_json::Value::Null);
        let body = match self.kind.parse::<EntryKind>() {
            Ok(kind) => search_text(kind, &details),
            Err(_) => search_text(EntryKind::Note, &details),
        };
        Doc::new(
            &self.id,
            &self.source,
            &self.kind,
            &self.severity,
            &self.title,
            self.service.as_deref(),
            body,
        )
    }
}

/// The FTS5 query for the user's words: each word quoted (so `AND`, `NEAR(`, `*`, `"` and
/// parentheses are plain text), the last one also as a prefix — unless the text ends in
/// whitespace, which says the word is complete (and spares the prefix's cost: FTS5 reads a
/// prefix's every posting before it can answer newest first, 60-160 ms at 1M entries for a
/// word in nearly all of them, against well under 1 ms for the whole word). Words without a
/// letter or digit are left out: the tokenizer drops punctuation, so they could only ever
/// match nothing.
pub(crate) fn word_phrases(text: &str) -> Result<Vec<String>> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() > MAX_WORDS {
        return Err(StoreError::SearchTooManyWords {
            words: words.len(),
            max: MAX_WORDS,
        });
    }
    let last = if text.ends_with(char::is_whitespace) {
        usize::MAX
    } else {
        words.len().saturating_sub(1)
    };
    Ok(words
        .iter()
        .enumerate()
        .filter(|(_, word)| word.chars().any(char::is_alphanumeric))
        .map(|(i, word)| {
            let quoted = format!("\"{}\"", word.replace('"', "\"\""));
            if i == last {
                quoted + "*"
            } else {
                quoted
            }
        })
        .collect())
}

/// `facets : ("a" OR "b")` for a non-empty filter list.
fn facet_clause(tokens: impl Iterator<Item = String>) -> Option<String> {
    let tokens: Vec<String> = tokens.map(|t| format!("\"{t}\"")).collect();
    (!tokens.is_empty()).then(|| format!("facets : ({})", tokens.join(" OR ")))
}

const HIT_COLUMNS: &str = "e.id, e.source, e.kind, e.severity, e.status, e.title, e.service, \
     e.url, e.started_at, e.ended_at, e.external_id, e.details";

/// Snippet markers: control characters, which the index never holds (see `plain`).
const OPEN: char = '\u{1}';
const CLOSE: char = '\u{2}';
const SNIPPET_TOKENS: u32 = 12;
const FIELDS: [&str; 3] = ["title", "service", "body"];

pub(crate) fn search(conn: &Connection, q: &SearchQuery) -> Result<Vec<SearchHit>> {
    let limit = q.limit.unwrap_or(DEFAULT_SEARCH_LIMIT);
    if limit == 0 || limit > MAX_SEARCH_LIMIT {
        return Err(StoreError::SearchLimit {
            limit,
            max: MAX_SEARCH_LIMIT,
        });
    }
    if let (Some(since), Some(until)) = (q.since, q.until) {
        if since >= until {
            return Err(StoreError::SearchWindow { since, until });
        }
    }
    let blank = q.text.trim().is_empty();
    if blank && !q.has_filters() {
        return Err(StoreError::EmptySearch);
    }
    let phrases = word_phrases(&q.text)?;
    if !blank && phrases.is_empty() {
        // Only punctuation: no entry can hold such a word.
        return Ok(Vec::new());
    }

    let mut clauses = Vec::new();
    if !phrases.is_empty() {
        clauses.push(format!("{{title service body}} : ({})", phrases.join(" ")));
    }
    clauses.extend(facet_clause(
        q.sources.iter().map(|s| facet("src", s.as_str())),
    ));
    clauses.extend(facet_clause(
        q.kinds.iter().map(|k| facet("kind", k.as_str())),
    ));
    clauses.extend(facet_clause(
        q.severities.iter().map(|s| facet("sev", s.as_str())),
    ));
    clauses.extend(facet_clause(q.services.iter().map(|s| service_facet(s))));

    let since = q.since.map(to_millis);
    let until = q.until.map(to_millis);
    let mut hits = if clauses.is_empty() {
        // Only a time window: the entries' own start index answers it.
        window_only(conn, since, until, limit)?
    } else {
        let query = FtsQuery {
            match_expr: clauses.join(" AND "),
            words: !phrases.is_empty(),
            services: &q.services,
            since,
            until,
        };
        let mut hits = query.run(conn, None, Some(limit))?;
        // Keys order by millisecond exactly but only roughly by id within one, so when the
        // limit cut the list, the rest of the last millisecond is fetched and the cut made
        // again by (started_at, id).
        if hits.len() == limit as usize {
            if let Some(last) = hits.last() {
                let ms = to_millis(last.0.entry.started_at);
                let ties = query.run(conn, Some(ms), None)?;
                let seen: std::collections::HashSet<String> =
                    hits.iter().map(|h| h.0.entry.id.clone()).collect();
                hits.extend(ties.into_iter().filter(|t| !seen.contains(&t.0.entry.id)));
            }
        }
        hits.into_iter().map(|(hit, _)| hit).collect()
    };
    hits.sort_by(|a, b| {
        b.entry
            .started_at
            .cmp(&a.entry.started_at)
            .then_with(|| a.entry.id.cmp(&b.entry.id))
    });
    hits.truncate(limit as usize);
    Ok(hits)
}

struct FtsQuery<'a> {
    match_expr: String,
    words: bool,
    services: &'a [String],
    since: Option<i64>,
    until: Option<i64>,
}

impl FtsQuery<'_> {
    /// Hits newest first (by key), with their keys; `in_ms` keeps only entries of that
    /// millisecond.
    fn run(
        &self,
        conn: &Connection,
        in_ms: Option<i64>,
        limit: Option<u32>,
    ) -> Result<Vec<(SearchHit, i64)>> {
        let (sql, args) = self.sql(in_ms, limit);
        let mut stmt = conn
            .prepare_cached(&sql)
            .during("preparing the search query")?;
        let rows = stmt
            .query_map(params_from_iter(args), |r| {
                Ok((
                    StoredRow::read(r)?,
                    r.get::<_, i64>(12)?,
                    [
                        r.get::<_, String>(13)?,
                        r.get::<_, String>(14)?,
                        r.get::<_, String>(15)?,
                    ],
                ))
            })
            .during("searching the history")?;
        let mut hits = Vec::new();
        for row in rows {
            let (stored, key, snippets) = row.during("reading a search hit")?;
            let (field, snippet) = if self.words {
                best_snippet(snippets)
            } else {
                ("", String::new())
            };
            hits.push((
                SearchHit {
                    entry: stored.into_entry()?,
                    snippet,
                    field: field.to_owned(),
                },
                key,
            ));
        }
        Ok(hits)
    }

    fn sql(&self, in_ms: Option<i64>, limit: Option<u32>) -> (String, Vec<SqlValue>) {
        let snippets = if self.words {
            (0..FIELDS.len())
                .map(|col| {
                    format!(
                        ", snippet(entries_search, {col}, char(1), char(2), '…', {SNIPPET_TOKENS})"
                    )
                })
                .collect::<String>()
        } else {
            ", '', '', ''".to_owned()
        };
        let mut sql = format!(
            "SELECT {HIT_COLUMNS}, entries_search.rowid{snippets} \
             FROM entries_search JOIN entries e ON e.id = entries_search.id \
             WHERE entries_search MATCH ?1"
        );
        let mut args: Vec<SqlValue> = vec![SqlValue::Text(self.match_expr.clone())];
        let mut arg = |sql: &mut String, condition: &str, value: SqlValue| {
            args.push(value);
            sql.push_str(&format!(" AND {condition} ?{}", args.len()));
        };
        let (low, high) = match in_ms {
            Some(ms) => (Some(ms), Some(ms + 1)),
            None => (self.since, self.until),
        };
        if let Some(ms) = low {
            arg(
                &mut sql,
                "entries_search.rowid >=",
                SqlValue::Integer(bucket_start(ms)),
            );
        }
        if let Some(ms) = high {
            arg(
                &mut sql,
                "entries_search.rowid <",
                SqlValue::Integer(bucket_start(ms)),
            );
        }
        // Exact checks behind the keys and facets: a start outside the keys' range of years
        // and a service facet's (64-bit hash) collision.
        if let Some(ms) = self.since {
            arg(&mut sql, "e.started_at >=", SqlValue::Integer(ms));
        }
        if let Some(ms) = self.until {
            arg(&mut sql, "e.started_at <", SqlValue::Integer(ms));
        }
        if !self.services.is_empty() {
            let first = args.len() + 1;
            args.extend(self.services.iter().cloned().map(SqlValue::Text));
            let marks: Vec<String> = (first..=args.len()).map(|i| format!("?{i}")).collect();
            sql.push_str(&format!(" AND e.service IN ({})", marks.join(", ")));
        }
        sql.push_str(" ORDER BY entries_search.rowid DESC");
        if let Some(limit) = limit {
            args.push(SqlValue::Integer(i64::from(limit)));
            sql.push_str(&format!(" LIMIT ?{}", args.len()));
        }
        (sql, args)
    }
}

/// The column whose snippet holds the most matched words (title first on a tie), as plain
/// text with `[` `]` around the matches and line breaks as spaces.
fn best_snippet(snippets: [String; 3]) -> (&'static str, String) {
    let mut best = 0;
    let mut best_count = 0;
    for (i, s) in snippets.iter().enumerate() {
        let count = s.matches(OPEN).count();
        if count > best_count {
            best = i;
            best_count = count;
        }
    }
    let text = snippets[best]
        .chars()
        .map(|c| match c {
            OPEN => '[',
            CLOSE => ']',
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect();
    (FIELDS[best], text)
}

/// Entries that started in the window, newest first, without the search index.
fn window_only(
    conn: &Connection,
    since: Option<i64>,
    until: Option<i64>,
    limit: u32,
) -> Result<Vec<SearchHit>> {
    let sql = format!(
        "SELECT {HIT_COLUMNS} FROM entries e WHERE e.started_at >= ?1 AND e.started_at < ?2 \
         ORDER BY e.started_at DESC, e.id LIMIT ?3"
    );
    let mut stmt = conn
        .prepare_cached(&sql)
        .during("preparing the search query")?;
    let rows = stmt
        .query_map(
            params![
                since.unwrap_or(i64::MIN),
                until.unwrap_or(i64::MAX),
                i64::from(limit)
            ],
            StoredRow::read,
        )
        .during("listing the history")?;
    let mut hits = Vec::new();
    for row in rows {
        hits.push(SearchHit {
            entry: row.during("reading a search hit")?.into_entry()?,
            snippet: String::new(),
            field: String::new(),
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_phrases_and_the_last_is_a_prefix() {
        let p = |text: &str| word_phrases(text).unwrap();
        assert_eq!(p("disk full"), ["\"disk\"", "\"full\"*"]);
        assert_eq!(p("  payments-api"), ["\"payments-api\"*"]);
        assert_eq!(p("disk full "), ["\"disk\"", "\"full\""], "a finished word");
        assert_eq!(p("foo AND ("), ["\"foo\"", "\"AND\""]);
        assert_eq!(p("say \"hi\""), ["\"say\"", "\"\"\"hi\"\"\"*"]);
        assert_eq!(p("NEAR( *"), ["\"NEAR(\""]);
        assert!(p("\" * ( ) -").is_empty());
        assert!(p("").is_empty());
        assert!(matches!(
            word_phrases(&"a ".repeat(MAX_WORDS + 1)),
            Err(StoreError::SearchTooManyWords { .. })
        ));
    }

    #[test]
    fn keys_order_by_millisecond_then_ascending_id() {
        assert!(bucket_start(1) > bucket_start(0) + preferred_slot("00000"));
        assert!(bucket_start(-1) < bucket_start(0));
        assert!(preferred_slot("00001abc") > preferred_slot("00002abc"));
        assert_eq!(preferred_slot("fffff000"), 0);
        assert_eq!(preferred_slot("00000000"), SLOTS - 1);
        assert_eq!(preferred_slot("zz"), SLOTS - 1, "never panics on odd ids");
        // Far-away instants are clamped rather than overflowing.
        assert_eq!(bucket_start(i64::MAX), (MS_LIMIT - 1) * SLOTS);
        assert_eq!(bucket_start(i64::MIN), -MS_LIMIT * SLOTS);
        assert!(bucket_start(i64::MAX).checked_add(SLOTS).is_some());
    }

    #[test]
    fn facets_are_single_tokens() {
        assert_eq!(facet("kind", "k8s_event"), "kindk8sevent");
        assert_eq!(facet("src", "pagerduty"), "srcpagerduty");
        let svc = service_facet("payments-api");
        assert_eq!(svc.len(), 3 + 16);
        assert!(svc.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(svc, service_facet("payments_api"));
    }

    fn plan(conn: &Connection, query: &FtsQuery<'_>, in_ms: Option<i64>) -> String {
        let (sql, args) = query.sql(in_ms, Some(100));
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(params_from_iter(args), |row| row.get::<_, String>(3))
            .unwrap();
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .unwrap()
            .join("\n")
    }

    /// Newest first must come from the index walking backwards, not from sorting every match.
    #[test]
    fn the_search_walks_the_index_newest_first_without_sorting() {
        let store = crate::Store::open_in_memory().unwrap();
        let services = ["payments-api".to_owned()];
        for query in [
            FtsQuery {
                match_expr: "{title service body} : (\"disk\"*)".into(),
                words: true,
                services: &[],
                since: None,
                until: None,
            },
            FtsQuery {
                match_expr: "facets : (\"kindpage\")".into(),
                words: false,
                services: &services,
                since: Some(0),
                until: Some(86_400_000),
            },
        ] {
            for in_ms in [None, Some(5)] {
                let plan = plan(&store.conn, &query, in_ms);
                assert!(
                    plan.starts_with("SCAN entries_search VIRTUAL TABLE"),
                    "{plan}"
                );
                assert!(plan.contains("SEARCH e USING INDEX"), "{plan}");
                assert!(!plan.contains("TEMP B-TREE"), "sorts: {plan}");
            }
        }
    }

    #[test]
    fn a_window_without_words_or_facets_walks_the_start_index() {
        let store = crate::Store::open_in_memory().unwrap();
        let sql = format!(
            "EXPLAIN QUERY PLAN SELECT {HIT_COLUMNS} FROM entries e \
             WHERE e.started_at >= 0 AND e.started_at < 1 ORDER BY e.started_at DESC, e.id LIMIT 5"
        );
        let plan: Vec<String> = store
            .conn
            .prepare(&sql)
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(plan[0].contains("USING INDEX entries_by_start"), "{plan:?}");
    }
}
