-- SGEN Integrations: initial schema. Never edit once landed; add a new numbered file instead.
-- Times are milliseconds since the Unix epoch, set by the backend.

CREATE TABLE sites (
    id          TEXT PRIMARY KEY,                -- site_…
    name        TEXT NOT NULL,
    domain      TEXT NOT NULL,
    demo        INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE environments (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id  TEXT NOT NULL REFERENCES sites (id),
    name     TEXT NOT NULL CHECK (name IN ('live', 'staging')),
    UNIQUE (site_id, name)
) STRICT;

CREATE TABLE operators (
    id          TEXT PRIMARY KEY,                -- op_…
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('administrator', 'editor', 'viewer')),
    created_at  INTEGER NOT NULL
) STRICT;

-- Small app-wide values (the active operator, the last opened site).
CREATE TABLE app_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) STRICT;

CREATE TABLE connections (
    id                  TEXT PRIMARY KEY,        -- con_…
    environment_id      INTEGER NOT NULL REFERENCES environments (id),
    connector_type      TEXT NOT NULL,           -- catalog slug
    display_name        TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('active', 'paused', 'auth_expired', 'auth_revoked', 'error')),
    auth_flow           TEXT NOT NULL,
    vendor_account_id   TEXT,
    scopes_granted      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(scopes_granted)),
    credential_blob     BLOB,                    -- AEAD ciphertext, never plaintext
    refresh_token_blob  BLOB,                    -- AEAD ciphertext, never plaintext
    expires_at          INTEGER,
    last_test_at        INTEGER,
    last_test_outcome   TEXT,
    last_delivery_at    INTEGER,
    operator_of_record  TEXT NOT NULL REFERENCES operators (id),
    base_url_override   TEXT,
    field_mapping       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(field_mapping)),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX connections_by_environment ON connections (environment_id);

CREATE TABLE connection_transitions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id  TEXT NOT NULL REFERENCES connections (id),
    from_state     TEXT,                         -- NULL for the creation transition
    to_state       TEXT NOT NULL,
    cause          TEXT NOT NULL,
    operator_id    TEXT REFERENCES operators (id), -- NULL when the app observed it
    at             INTEGER NOT NULL
) STRICT;
CREATE INDEX transitions_by_connection ON connection_transitions (connection_id, at);

-- One outbound event for one connection. The id is the idempotency key on every attempt.
-- connection_id is deliberately not a foreign key: the log outlives a disconnected connection.
CREATE TABLE deliveries (
    id                  TEXT PRIMARY KEY,        -- dlv_…
    connection_id       TEXT NOT NULL,
    environment_id      INTEGER NOT NULL REFERENCES environments (id),
    originating_module  TEXT NOT NULL,
    event_identifier    TEXT NOT NULL,
    action              TEXT,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'dead_letter')),
    created_at          INTEGER NOT NULL
) STRICT, WITHOUT ROWID;  -- keyed by its (time-ordered) id alone: one B-tree, not two

-- The delivery log: one row per attempt. Columns the log view filters on are copied from the
-- delivery so every query is answered from this table and its indexes.
CREATE TABLE delivery_attempts (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id           TEXT NOT NULL REFERENCES deliveries (id),
    connection_id         TEXT NOT NULL,
    environment_id        INTEGER NOT NULL,
    originating_module    TEXT NOT NULL,
    event_identifier      TEXT NOT NULL,
    attempt_number        INTEGER NOT NULL CHECK (attempt_number >= 1),
    trigger               TEXT NOT NULL CHECK (trigger IN ('scheduled', 'manual')),
    outcome               TEXT NOT NULL CHECK (outcome IN ('delivered', 'retried', 'failed')),
    vendor_response_code  INTEGER,               -- NULL when no response arrived
    latency_ms            INTEGER NOT NULL,
    attempted_at          INTEGER NOT NULL,
    next_attempt_at       INTEGER,
    error_class           TEXT,
    request_summary       TEXT,                  -- redacted
    response_summary      TEXT                   -- redacted
) STRICT;
-- Keyset paging: every index ends in id so (sort value, id) is a total order. Each scope (site
-- environment, connection) has an index for newest-first and for latency order, and one for
-- latency order within an outcome (the slowest attempts are mostly timeouts that were retried,
-- so walking the plain latency index to reach another outcome would pass thousands of them).
-- Newest-first with an outcome filter walks the time index and skips other outcomes: every
-- outcome is at least a few percent of attempts, so a page is found within a few thousand
-- entries. Fewer indexes also make a bulk load's rebuild cheaper.
CREATE INDEX attempts_env_time ON delivery_attempts (environment_id, attempted_at, id);
CREATE INDEX attempts_env_latency ON delivery_attempts (environment_id, latency_ms, id);
CREATE INDEX attempts_env_outcome_latency ON delivery_attempts (environment_id, outcome, latency_ms, id);
CREATE INDEX attempts_conn_time ON delivery_attempts (connection_id, attempted_at, id);
CREATE INDEX attempts_conn_outcome_latency ON delivery_attempts (connection_id, outcome, latency_ms, id);
CREATE INDEX attempts_delivery ON delivery_attempts (delivery_id);

-- Word-prefix search over event identifiers; contentless so it stores only the index. Each
-- document also carries its scope as two tokens (`e<environment id>`, `c<connection id>`), so a
-- search counts its matches within the view's scope without touching the table.
CREATE VIRTUAL TABLE attempt_search USING fts5 (
    event_identifier, content = '', contentless_delete = 1, detail = none,
    -- Prefix indexes answer the short prefix an operator types (`77`, `ord`) from one entry
    -- instead of merging the doclists of every word that starts with it.
    prefix = '2 3 4'
);

CREATE TABLE activity_log (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    at               INTEGER NOT NULL,
    operator_id      TEXT NOT NULL REFERENCES operators (id),
    site_id          TEXT REFERENCES sites (id),
    environment_id   INTEGER REFERENCES environments (id),
    connection_id    TEXT,
    action           TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    details          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
    catalog_version  TEXT NOT NULL
) STRICT;
CREATE INDEX activity_by_connection ON activity_log (connection_id, at);
CREATE INDEX activity_by_time ON activity_log (at);
CREATE TRIGGER activity_log_no_update BEFORE UPDATE ON activity_log
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
CREATE TRIGGER activity_log_no_delete BEFORE DELETE ON activity_log
BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
