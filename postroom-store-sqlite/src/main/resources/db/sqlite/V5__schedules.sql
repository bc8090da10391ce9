-- Cron schedules (MessageStore.schedules()). The engine parses the cron and decides each run; the
-- store keeps the definition and the run state, and stores a run's message in the same transaction
-- as the schedule's advance (one writer: two passes can never take the same run).
--   missed_runs   MissedRuns.wireName(): 'skip' or 'runOnce'
--   next_run_at   epoch milliseconds; NULL while paused, so "due" is one range of the index below
--   headers       a JSON object, NULL for none
CREATE TABLE schedules (
    name            TEXT    PRIMARY KEY,
    cron            TEXT    NOT NULL,
    timezone        TEXT    NOT NULL,
    queue           TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    headers         TEXT,
    missed_runs     TEXT    NOT NULL,
    paused          INTEGER NOT NULL DEFAULT 0,
    next_run_at     INTEGER,
    last_run_at     INTEGER,
    last_message_id TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

-- The due schedules, earliest first: read by every maintenance pass (four a second), so it must be a
-- short range read however many schedules there are.
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE next_run_at IS NOT NULL;
