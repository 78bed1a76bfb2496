-- The event log (SPEC §7): every event a connection's vendor sent (pushed to the listener, or
-- pulled from the vendor's events API), and the app's own connection-state events, once each.
-- `dedupe_key` is the vendor's event id, or a digest of the event where the vendor sends none;
-- it is unique per connection for as long as the row is kept, so a second copy (a vendor's
-- retry, the same event pulled after it was pushed) only counts a duplicate. Ids are
-- time-ordered (`ine_` + ms + randomness), so they are also the keyset order. connection_id is
-- not a foreign key: events outlive a disconnected connection.
CREATE TABLE inbound_events (
    id                TEXT PRIMARY KEY,
    environment_id    INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    connection_id     TEXT NOT NULL,
    dedupe_key        TEXT NOT NULL,
    vendor_event_id   TEXT,
    event_type        TEXT NOT NULL,
    -- pushed: to the listener; pulled: from the vendor's events API; app: a state change.
    arrival           TEXT NOT NULL CHECK (arrival IN ('pushed', 'pulled', 'app')),
    -- How it was verified: the manifest's scheme, `events_api` or `app`.
    verified_by       TEXT NOT NULL,
    received_at       INTEGER NOT NULL,
    -- The vendor's signing time, where the scheme has one (ms).
    signed_at         INTEGER,
    duplicates        INTEGER NOT NULL DEFAULT 0,
    last_duplicate_at INTEGER,
    -- JSON object of the request's headers, secret-looking values redacted.
    headers           TEXT NOT NULL,
    -- The event as the vendor sent it (its element, for a vendor that batches).
    payload           BLOB NOT NULL,
    UNIQUE (connection_id, dedupe_key)
) STRICT;
CREATE INDEX inbound_events_environment ON inbound_events (environment_id, id);
CREATE INDEX inbound_events_connection ON inbound_events (connection_id, id);
CREATE INDEX inbound_events_type ON inbound_events (environment_id, event_type, id);
CREATE INDEX inbound_events_vendor_id ON inbound_events (vendor_event_id) WHERE vendor_event_id IS NOT NULL;

-- Requests the listener refused, with the step that failed, so an operator can tell a wrong
-- secret from a slow clock. Bounded (the newest few thousand are kept); headers and the address
-- have secret-looking values redacted, and the body is kept up to a limit.
CREATE TABLE inbound_rejections (
    seq             INTEGER PRIMARY KEY,
    -- As the request's path named it: it may name no connection.
    connection_id   TEXT NOT NULL,
    environment_id  INTEGER REFERENCES environments (id) ON DELETE CASCADE,
    received_at     INTEGER NOT NULL,
    -- JSON of the rejection: {"step": "no_secret_matched", …}.
    rejection       TEXT NOT NULL,
    method          TEXT NOT NULL,
    target          TEXT NOT NULL,
    headers         TEXT NOT NULL,
    body            BLOB NOT NULL,
    body_length     INTEGER NOT NULL,
    -- The last re-check (after the operator fixed a secret): "verified" or a rejection's JSON.
    rechecked_at    INTEGER,
    recheck         TEXT
) STRICT;
CREATE INDEX inbound_rejections_connection ON inbound_rejections (connection_id, seq);

-- Where each connection's catch-up from the vendor's events API stands.
CREATE TABLE inbound_cursors (
    connection_id   TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    -- The newest event id seen (Stripe's `ending_before`) or the vendor's cursor.
    position        TEXT,
    caught_up_at    INTEGER,
    last_error      TEXT
) STRICT;
