-- Per configured source: the outcome of its sync attempts (times are Unix milliseconds, UTC).
CREATE TABLE source_health (
    name                TEXT    NOT NULL PRIMARY KEY,
    kind                TEXT    NOT NULL,
    last_attempt_at     INTEGER,
    last_success_at     INTEGER,
    last_error          TEXT,
    last_error_at       INTEGER,
    -- Order of attempts as they happened; timestamps alone tie under a frozen clock.
    last_attempt_failed INTEGER NOT NULL DEFAULT 0 CHECK (last_attempt_failed IN (0, 1))
) STRICT;

-- Where each source left off (page tokens, resource versions, "since" marks).
CREATE TABLE sync_cursors (
    source TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (source, key)
) STRICT, WITHOUT ROWID;
