-- Cron schedules (MessageStore.schedules()), shared by every node. The engine parses the cron and
-- decides each run; the store keeps the definition and the run state. A maintenance pass takes the
-- due rows FOR UPDATE SKIP LOCKED and stores each run's message in the same transaction as the
-- row's advance, so two nodes never both send one run (and each message's idempotency key,
-- schedule:<name>:<run time>, is a second guard).
--   missed_runs   MissedRuns.wireName(): 'skip' or 'runOnce'
--   next_run_at   epoch milliseconds; NULL while paused, so "due" is one range of the index below
--   headers       a JSON object as text, NULL for none
CREATE TABLE schedules (
    name            text    PRIMARY KEY,
    cron            text    NOT NULL,
    timezone        text    NOT NULL,
    queue           text    NOT NULL,
    payload         text    NOT NULL,
    headers         text,
    missed_runs     text    NOT NULL,
    paused          boolean NOT NULL DEFAULT false,
    next_run_at     bigint,
    last_run_at     bigint,
    last_message_id text,
    created_at      bigint  NOT NULL,
    updated_at      bigint  NOT NULL
);

-- Every node reads the due schedules four times a second: a short range read of this index.
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE next_run_at IS NOT NULL;
