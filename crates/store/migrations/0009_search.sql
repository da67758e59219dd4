-- Full-text search over every timeline entry (crates/store/src/search.rs keeps it in step with
-- `entries` inside each upsert transaction).
--
-- A regular FTS5 table that stores its own text, rather than an external-content or
-- contentless one: `body` is derived in Rust from the entry's details (opsdeck_domain::
-- search_text) and exists in no other table, so an external-content table would need a second
-- table holding it anyway; a contentless one cannot produce snippet()s and cannot tell which
-- entry a row belongs to. The copy costs the title, service and body text once more.
--
-- Its rowid is NOT entries.rowid but a key ordered by time: started_at (Unix ms) * 2^20 plus a
-- 20-bit slot taken from the entry id (search::key). "Newest first" is then FTS5's own
-- ORDER BY rowid DESC, which it walks from the end of each term's list and stops after LIMIT
-- rows: a word in most of the history answers in milliseconds instead of joining and sorting
-- every match (about 10 s at 1M entries with rowid = entries.rowid, in a prototype), and a
-- time window is a rowid range. It also keeps the index independent of entries.rowid, which
-- SQLite documents VACUUM (run by every prune) as free to change. `id` (the entry id) maps a row back to its entry; `facets` holds
-- one token per source, kind, severity and service so that filters are part of the MATCH.
CREATE VIRTUAL TABLE entries_search USING fts5 (
    title,
    service,
    body,
    facets,
    id UNINDEXED,
    -- unicode61 splits "payments-api" into "payments" and "api"; remove_diacritics 2 folds
    -- "café" to "cafe" whatever the Unicode form.
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Entries stored before this migration are indexed by Rust right after migrating (body is
-- derived in Rust), in batches, walking entries by rowid up to the last one that existed then.
-- The row is deleted when done, so an up-to-date database pays one empty read per open.
CREATE TABLE search_backfill (
    only_row    INTEGER NOT NULL PRIMARY KEY CHECK (only_row = 1),
    next_rowid  INTEGER NOT NULL,   -- the first entries.rowid not indexed yet
    until_rowid INTEGER NOT NULL    -- the last entries.rowid to index
) STRICT;
INSERT INTO search_backfill (only_row, next_rowid, until_rowid)
    SELECT 1, 0, max(rowid) FROM entries HAVING count(*) > 0;
