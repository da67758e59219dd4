-- Runbook runs: one row per run, and its append-only log of what was done to each step.
-- A run's state is a fold of its log (opsdeck_domain::fold_run), so nothing is overwritten.
CREATE TABLE runbook_runs (
    id          TEXT PRIMARY KEY,
    runbook     TEXT NOT NULL,           -- the runbook's slug
    title       TEXT NOT NULL,           -- its title when the run started
    steps       INTEGER NOT NULL,        -- its step count then
    entry_id    TEXT,                    -- the page or alert it was started on; NULL standalone
    started_at  INTEGER NOT NULL,        -- data time, ms
    started_by  TEXT
);
CREATE INDEX runbook_runs_by_entry ON runbook_runs (entry_id) WHERE entry_id IS NOT NULL;
CREATE INDEX runbook_runs_by_start ON runbook_runs (started_at);

CREATE TABLE runbook_run_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     TEXT NOT NULL REFERENCES runbook_runs (id),
    kind       TEXT NOT NULL,            -- tick | untick | skip | note | action | suggest | end
    step       INTEGER,
    text       TEXT,
    action_id  TEXT,
    ok         INTEGER,
    at         INTEGER NOT NULL,         -- data time, ms
    by         TEXT
);
CREATE INDEX runbook_run_events_by_run ON runbook_run_events (run_id, seq);

-- Actions planned from a run's step: when one is confirmed, its outcome joins that step's log.
CREATE TABLE runbook_step_actions (
    action_id  TEXT PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES runbook_runs (id),
    step       INTEGER NOT NULL
);
