-- The on-call entries each source last fetched, replaced whole on every fetch: they are a
-- snapshot of "who is on call from now on", not history (shifts, issue 8, keep that).
CREATE TABLE oncall_snapshots (
    source     TEXT    NOT NULL PRIMARY KEY,
    -- Data time, Unix ms.
    fetched_at INTEGER NOT NULL,
    -- Vec<OnCallShift> as JSON.
    shifts     TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
