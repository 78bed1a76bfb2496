-- Revocations the vendor has not confirmed (RFC 7009; SPEC §4). A disconnect or a
-- re-authorization moves the grant's token here, sealed under the site's key and bound to this
-- row, in the transaction that takes it off the connection; it is attempted right after, and
-- when the vendor cannot be reached (5xx, 429, no answer) retried on a schedule until it
-- confirms or the schedule ends. Either way the row and the token go, and the activity log
-- records the result. A kill at any point leaves the token either on the connection or here. connection_id is not a foreign key: a
-- disconnected connection is gone by then.
CREATE TABLE pending_revocations (
    id              TEXT PRIMARY KEY,
    site_id         TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    environment_id  INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    connection_id   TEXT NOT NULL,
    connector_type  TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    operator_id     TEXT NOT NULL REFERENCES operators (id),
    -- What the old grant was given up for.
    reason          TEXT NOT NULL CHECK (reason IN ('disconnect', 'reauthorize')),
    -- NULL: the app's own sandbox vendor, whose address is looked up again at each attempt.
    revoke_url      TEXT,
    client_id       TEXT NOT NULL,
    token_kind      TEXT NOT NULL CHECK (token_kind IN ('refresh_token', 'access_token')),
    sealed_token    BLOB NOT NULL,
    attempts_made   INTEGER NOT NULL CHECK (attempts_made >= 0),
    due_at          INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX pending_revocations_due ON pending_revocations (due_at);
