-- Operators and roles (issue 15): custom roles, passphrases, the OS user's own profile, and the
-- activity log's filters and retention.

-- A custom role: a name and the capabilities it grants (a JSON array of their names). The
-- built-in roles have a row too, so an operator's role is a foreign key whichever it is; their
-- capabilities are NULL because the app defines them (core `access/roles.rs`), and cannot be
-- edited.
CREATE TABLE roles (
    id            TEXT PRIMARY KEY,           -- administrator | editor | viewer | role_…
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    capabilities  TEXT CHECK (capabilities IS NULL OR json_valid(capabilities)),
    created_at    INTEGER NOT NULL
) STRICT;
INSERT INTO roles (id, name, capabilities, created_at) VALUES
    ('administrator', 'Administrator', NULL, 0),
    ('editor', 'Editor', NULL, 0),
    ('viewer', 'Viewer', NULL, 0);

-- The operators table again, without the CHECK that allowed only the built-in roles (SQLite
-- cannot drop a CHECK in place; the migration runs with foreign keys off and checks them before
-- it commits).
CREATE TABLE operators_new (
    id               TEXT PRIMARY KEY,        -- op_…
    name             TEXT NOT NULL,
    role             TEXT NOT NULL REFERENCES roles (id),
    created_at       INTEGER NOT NULL,
    -- An Argon2id PHC string; never the passphrase. NULL: switching to it asks nothing.
    passphrase_hash  TEXT,
    -- Wrong passphrases in a row; the fifth locks the profile until `locked_until` (epoch ms).
    failed_tries     INTEGER NOT NULL DEFAULT 0,
    locked_until     INTEGER,
    -- The OS account this is the default profile of (the app and the CLI act as it unless told
    -- otherwise).
    os_user          TEXT UNIQUE,
    -- Removed profiles stay, so the activity log still names who did what.
    removed_at       INTEGER
) STRICT;
INSERT INTO operators_new (id, name, role, created_at)
    SELECT id, name, role, created_at FROM operators;
DROP TABLE operators;
ALTER TABLE operators_new RENAME TO operators;
CREATE UNIQUE INDEX operators_by_name ON operators (name COLLATE NOCASE) WHERE removed_at IS NULL;
CREATE INDEX operators_by_role ON operators (role);

-- Who acts is now the session's (the app's, the CLI's `--operator`), not a stored setting.
DELETE FROM app_settings WHERE key = 'active_operator';

-- The activity view filters by each of these, newest first.
CREATE INDEX activity_by_operator ON activity_log (operator_id, at);
CREATE INDEX activity_by_action ON activity_log (action, at);
CREATE INDEX activity_by_outcome ON activity_log (outcome, at);
CREATE INDEX activity_by_site ON activity_log (site_id, at);

-- Still append-only, except for retention: a row may be deleted only when it is older than the
-- cutoff retention wrote (none is written while retention is "keep forever").
DROP TRIGGER activity_log_no_delete;
CREATE TRIGGER activity_log_no_delete BEFORE DELETE ON activity_log
WHEN OLD.at >= coalesce(
    (SELECT CAST(value AS INTEGER) FROM app_settings WHERE key = 'activity_retention_cutoff'),
    -9223372036854775808)
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only; only retention removes rows, older than its cutoff'); END;
