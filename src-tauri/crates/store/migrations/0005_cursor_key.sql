-- The key page cursors are signed with (HMAC-SHA256), one per database: a cursor names a
-- position in the delivery log, and without a key anyone who knows the format could forge one.
-- Not a credential (it protects nothing secret), so it lives with the settings; a support
-- bundle must still leave it out.
INSERT OR IGNORE INTO app_settings (key, value) VALUES ('cursor_key', lower(hex(randomblob(32))));
