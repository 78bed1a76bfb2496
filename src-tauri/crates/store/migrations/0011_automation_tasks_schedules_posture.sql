-- What automations need beyond events and steps (issue 14): human tasks, schedules, retries,
-- and holding runs while a connection they depend on is unhealthy.

-- A scheduled automation's next firing (epoch ms); NULL for any other trigger.
ALTER TABLE automations ADD COLUMN next_fire_at INTEGER;
-- The connection whose trouble paused it, when the app paused it (not the operator): its
-- recovery resumes the automation.
ALTER TABLE automations ADD COLUMN paused_for TEXT;
CREATE INDEX automations_schedule ON automations (next_fire_at) WHERE next_fire_at IS NOT NULL;
CREATE INDEX automations_paused_for ON automations (paused_for) WHERE paused_for IS NOT NULL;

-- A run started while its automation was paused for a connection waits (status `waiting`, no
-- wake time) until that connection recovers, or the operator drains or discards it.
ALTER TABLE automation_runs ADD COLUMN held_for TEXT;
-- The run this one retries.
ALTER TABLE automation_runs ADD COLUMN retry_of TEXT;
CREATE INDEX automation_runs_held ON automation_runs (automation_id, id) WHERE held_for IS NOT NULL;
CREATE INDEX automation_runs_retry_of ON automation_runs (retry_of) WHERE retry_of IS NOT NULL;

-- A human task: a step waits for an operator to complete it with output (checked against the
-- step's schema), or for it to expire.
CREATE TABLE automation_tasks (
    id              TEXT PRIMARY KEY,
    run_id          TEXT NOT NULL REFERENCES automation_runs (id) ON DELETE CASCADE,
    step            INTEGER NOT NULL,
    automation_id   TEXT NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    environment_id  INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    instructions    TEXT,
    -- The JSON Schema the output must meet (NULL: any JSON object).
    output_schema   TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'expired', 'cancelled')),
    output          TEXT,
    completed_by    TEXT,
    created_at      INTEGER NOT NULL,
    due_at          INTEGER,
    finished_at     INTEGER,
    UNIQUE (run_id, step)
) STRICT;
CREATE INDEX automation_tasks_status ON automation_tasks (environment_id, status, id);
