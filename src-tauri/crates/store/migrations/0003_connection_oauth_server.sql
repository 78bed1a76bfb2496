-- The authorization server a connection was authorized at, when it is neither the catalog's nor
-- a sandbox vendor's (a Salesforce instance, a test server): JSON with authorize_url, token_url,
-- revoke_url, issuer and client_id. Refresh and revocation go back to the same server.
ALTER TABLE connections ADD COLUMN oauth_server TEXT
    CHECK (oauth_server IS NULL OR json_valid(oauth_server));
