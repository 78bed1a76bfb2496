-- This data directory's own id. The OS keyring is one per user, shared by every data directory
-- on the machine; key entries are filed under this id, so two directories never share one.
INSERT OR IGNORE INTO app_settings (key, value) VALUES ('data_dir_id', lower(hex(randomblob(16))));
