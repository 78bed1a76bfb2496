-- Automations (SPEC §7, seed 004): a trigger, conditions and ordered actions, in one site
-- environment. Every saved change is a new version, kept whole, so a run records the version it
-- ran and a retry can choose the one that failed or the current one.
CREATE TABLE automations (
    id              TEXT PRIMARY KEY,
    environment_id  INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'active', 'paused', 'archived')),
    -- Why it is paused when the app paused it (a connection it depends on is unhealthy).
    status_reason   TEXT,
    version         INTEGER NOT NULL,
    -- What starts it, for matching without reading the definition: `event:{type}`,
    -- `schedule`, `manual`.
    trigger_key     TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX automations_environment ON automations (environment_id, name);
CREATE INDEX automations_trigger ON automations (environment_id, status, trigger_key);

CREATE TABLE automation_versions (
    automation_id   TEXT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    -- The definition as saved (seed 004's JSON shape), conditions compiled to `cel`.
    definition      TEXT NOT NULL,
    saved_at        INTEGER NOT NULL,
    saved_by        TEXT NOT NULL,
    PRIMARY KEY (automation_id, version)
) STRICT;

-- Which automations a version depends on: the connections its trigger and actions name.
CREATE TABLE automation_dependencies (
    automation_id   TEXT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    connection_id   TEXT NOT NULL,
    PRIMARY KEY (automation_id, connection_id)
) STRICT;
CREATE INDEX automation_dependencies_connection ON automation_dependencies (connection_id);

-- One run per trigger firing. `next_step` is where it goes on; a run is picked up again after
-- a restart from there.
CREATE TABLE automation_runs (
    id              TEXT PRIMARY KEY,
    automation_id   TEXT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    environment_id  INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    version         INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'waiting', 'completed', 'failed', 'cancelled', 'skipped')),
    dry_run         INTEGER NOT NULL DEFAULT 0,
    -- The event that started it (NULL for a manual or scheduled one).
    event_id        TEXT,
    -- The trigger's input: the event's payload, or the manual input.
    input           TEXT NOT NULL,
    -- Conditions that did not pass: the explain trace (JSON).
    explain         TEXT,
    next_step       INTEGER NOT NULL DEFAULT 0,
    -- A waiting run is looked at again at this time (a delay, a delivery's next attempt).
    wake_at         INTEGER,
    error           TEXT,
    started_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    finished_at     INTEGER
) STRICT;
CREATE INDEX automation_runs_automation ON automation_runs (automation_id, id);
CREATE INDEX automation_runs_environment ON automation_runs (environment_id, id);
CREATE INDEX automation_runs_event ON automation_runs (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX automation_runs_due ON automation_runs (status, wake_at) WHERE status IN ('running', 'waiting');

-- Each step of a run, journaled: a step that recorded success is never run again.
CREATE TABLE automation_steps (
    run_id          TEXT NOT NULL REFERENCES automation_runs (id) ON DELETE CASCADE,
    step            INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('running', 'waiting', 'completed', 'failed', 'skipped')),
    input           TEXT,
    output          TEXT,
    error           TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- The delivery a connector action or webhook step queued (its idempotency key).
    delivery_id     TEXT,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    PRIMARY KEY (run_id, step)
) STRICT;
CREATE INDEX automation_steps_delivery ON automation_steps (delivery_id) WHERE delivery_id IS NOT NULL;

-- How far the engine has read the event log (its rowid): events after it have not yet started
-- the runs they should. Advanced in the transaction that creates those runs.
CREATE TABLE automation_event_cursor (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    last_rowid      INTEGER NOT NULL
) STRICT;
INSERT INTO automation_event_cursor (id, last_rowid)
    VALUES (1, (SELECT COALESCE(MAX(rowid), 0) FROM inbound_events));

-- What the app told the operator (a failed run, a paused automation): the notification centre.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    environment_id  INTEGER REFERENCES environments (id) ON DELETE CASCADE,
    priority        TEXT NOT NULL CHECK (priority IN ('normal', 'high')),
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    -- What it is about: `run:{id}`, `automation:{id}`, `connection:{id}`.
    subject         TEXT,
    created_at      INTEGER NOT NULL,
    read_at         INTEGER
) STRICT;
CREATE INDEX notifications_unread ON notifications (read_at, id);
