-- The outbox: deliveries not yet delivered. A row is written in the same transaction as its
-- delivery and removed in the same transaction as the attempt that delivers it. A dead letter
-- or a delivery whose destination is gone stays, parked, with its payload, so an operator can
-- retry it. Workers claim due rows by setting a lease; a lease that runs out (the process died
-- mid-attempt) makes the row due again, with the same delivery id.
CREATE TABLE outbox (
    delivery_id    TEXT PRIMARY KEY REFERENCES deliveries (id),
    connection_id  TEXT NOT NULL,
    payload        TEXT NOT NULL CHECK (json_valid(payload)),
    attempts_made  INTEGER NOT NULL DEFAULT 0,
    due_at         INTEGER NOT NULL,
    leased_until   INTEGER NOT NULL DEFAULT 0,
    parked         INTEGER NOT NULL DEFAULT 0 CHECK (parked IN (0, 1)),
    -- The next attempt is an operator's retry, not the schedule's.
    manual         INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1))
) STRICT, WITHOUT ROWID;
CREATE INDEX outbox_due ON outbox (due_at);
