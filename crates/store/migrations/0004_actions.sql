-- Actions are two-phase (plan, then confirm with a single-use token) and audited. All three
-- tables are insert-only: a plan is never changed, using a token is a row of its own (whose
-- primary key makes each token usable once, even when two processes confirm at the same
-- moment), and the audit log is a journal that triggers keep from being rewritten.

CREATE TABLE action_plans (
    action_id    TEXT    NOT NULL PRIMARY KEY,
    -- sha256 of the token, hex; the token itself is never stored.
    token_hash   TEXT    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    target       TEXT    NOT NULL,
    request      TEXT    NOT NULL,   -- ActionRequest as JSON
    effect       TEXT    NOT NULL,   -- Effect as JSON
    protection   TEXT    NOT NULL,
    -- Data time (Unix ms) of the plan; the token's expiry is real time (Unix ms).
    planned_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE action_token_uses (
    token_hash TEXT    NOT NULL PRIMARY KEY REFERENCES action_plans (token_hash),
    used_at    INTEGER NOT NULL    -- real time, Unix ms
) STRICT, WITHOUT ROWID;

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    action_id TEXT    NOT NULL,
    event     TEXT    NOT NULL
              CHECK (event IN ('planned', 'confirmed', 'refused', 'cancelled', 'succeeded',
                             'failed')),
    at        INTEGER NOT NULL,    -- data time, Unix ms
    real_at   INTEGER NOT NULL,    -- real time, Unix ms
    kind      TEXT,
    source    TEXT,
    target    TEXT,
    actor     TEXT,
    message   TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_log_by_action ON audit_log (action_id, seq);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER action_plans_no_update BEFORE UPDATE ON action_plans
BEGIN SELECT RAISE(ABORT, 'action_plans is insert-only'); END;
CREATE TRIGGER action_token_uses_no_update BEFORE UPDATE ON action_token_uses
BEGIN SELECT RAISE(ABORT, 'action_token_uses is insert-only'); END;
