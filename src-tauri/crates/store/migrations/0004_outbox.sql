-- The outbox: deliveries still to be attempted. A row is written in the same transaction as its
-- delivery and removed in the same transaction as the attempt that ends it (delivered, dead
-- letter, destination gone). Workers claim due rows by setting a lease; a lease that runs out
-- (the process died mid-attempt) makes the row due again, with the same delivery id.
CREATE TABLE outbox (
    delivery_id    TEXT PRIMARY KEY REFERENCES deliveries (id),
    connection_id  TEXT NOT NULL,
    payload        TEXT NOT NULL CHECK (json_valid(payload)),
    attempts_made  INTEGER NOT NULL DEFAULT 0,
    due_at         INTEGER NOT NULL,
    leased_until   INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
CREATE INDEX outbox_due ON outbox (due_at);
