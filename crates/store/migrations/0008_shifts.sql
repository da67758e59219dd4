-- Shifts: my on-call spans kept as history (the on-call snapshot of 0005 is replaced on every
-- fetch), and spans started and stopped by hand when there is no schedule. A shift's handoff
-- report is built from the timeline on demand; only what the engineer wrote is stored here.
CREATE TABLE shifts (
    -- Schedule shifts: opsdeck_domain::shift_id(email, schedule or policy, start), so seeing
    -- the same on-call entry again lands on the same row; manual ones: "manual-<start ms>".
    id                TEXT    NOT NULL PRIMARY KEY,
    origin            TEXT    NOT NULL CHECK (origin IN ('schedule', 'manual')),
    user_name         TEXT    NOT NULL,
    user_email        TEXT,
    schedule          TEXT,
    escalation_policy TEXT,
    start_at          INTEGER NOT NULL,      -- data time, Unix ms
    end_at            INTEGER,               -- NULL: a manual shift still running
    -- The handoff's editable parts: a one-line summary and the "watch next" items (JSON array
    -- of strings), with when they were last edited.
    summary           TEXT,
    watch_next        TEXT    NOT NULL DEFAULT '[]',
    edited_at         INTEGER
) STRICT;
CREATE INDEX shifts_by_start ON shifts (start_at);

-- Every silence a source has listed, by (source name, silence id), updated in place on each
-- poll and never dropped when the vendor forgets an expired one: "which silences were active
-- at the end of that shift" is answered from here.
CREATE TABLE silences (
    source     TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    matchers   TEXT    NOT NULL,             -- as written: alertname="X", service=~"a|b"
    comment    TEXT    NOT NULL,
    created_by TEXT    NOT NULL,
    starts_at  INTEGER NOT NULL,             -- Unix ms
    ends_at    INTEGER NOT NULL,             -- Unix ms; an expired silence's expiry time
    PRIMARY KEY (source, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX silences_by_end ON silences (ends_at);

-- The handoff reads entries of a few kinds over long spans (pages open at a shift's end,
-- whenever they started; CI runs, rollouts and nodes of the days before it): by kind, then time.
CREATE INDEX entries_by_kind_start ON entries (kind, started_at);
