-- Every desktop notification shown, by deduplication key, so none repeats after a restart.
CREATE TABLE notifications_sent (
    key     TEXT    NOT NULL PRIMARY KEY,
    -- Unix milliseconds, UTC.
    sent_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
