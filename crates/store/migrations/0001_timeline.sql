-- Timeline entries: one row per occurrence at a vendor, keyed by (source, external_id).
--
-- (source, external_id) is unique through the primary key: `id` is a function of that pair
-- (opsdeck_domain::entry_id), so the same pair always lands on the same id, and the store
-- refuses a different pair that hashes to an existing id. A separate UNIQUE (source,
-- external_id) index would enforce nothing more, and with vendor ids being random it doubled
-- the pages each upsert batch writes (ingest at 300k entries: 32k/s with it, 64k/s without).
CREATE TABLE entries (
    -- opsdeck_domain::entry_id(source, external_id): 16 lowercase hex characters.
    id            TEXT    NOT NULL PRIMARY KEY,
    source        TEXT    NOT NULL,
    external_id   TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    severity      TEXT    NOT NULL,
    status        TEXT,
    title         TEXT    NOT NULL,
    service       TEXT,
    url           TEXT,
    -- Unix milliseconds, UTC.
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER,
    -- JSON text.
    details       TEXT    NOT NULL,
    raw           TEXT    NOT NULL,
    -- SHA-256 of every column above but the keys, so a re-sync can tell "same" from "changed"
    -- without comparing JSON.
    content_hash  BLOB    NOT NULL,
    -- Store revisions (see store_revision), not clock times: the store never reads a clock,
    -- and "changed since revision N" is what a change feed needs.
    first_seen_rev INTEGER NOT NULL,
    updated_rev    INTEGER NOT NULL
) STRICT;

-- Serves the day query: a range scan on started_at that already yields (started_at, id) order.
CREATE INDEX entries_by_start ON entries (started_at, id);

-- A single counter, bumped once per upsert transaction that changes something.
CREATE TABLE store_revision (
    only_row INTEGER NOT NULL PRIMARY KEY CHECK (only_row = 1),
    revision INTEGER NOT NULL
) STRICT;
INSERT INTO store_revision (only_row, revision) VALUES (1, 0);
