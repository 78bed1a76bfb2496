-- Where a connection's vendor sends its events from (SPEC §7, "Event sources"): the public
-- address the vendor was given and signs (HubSpot and Square sign it; it is not the loopback
-- address requests arrive at), and the vendor's signing secrets, sealed under the site's key
-- and bound to the connection: the newest first, and the one before it while the vendor
-- rotates.
CREATE TABLE event_sources (
    connection_id   TEXT PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    public_url      TEXT,
    sealed_secrets  BLOB,
    secrets_active  INTEGER NOT NULL DEFAULT 0 CHECK (secrets_active BETWEEN 0 AND 2),
    updated_at      INTEGER NOT NULL
) STRICT;
