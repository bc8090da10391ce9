-- Workflows (dev.postroom.Workflows): a row per workflow, a row per step, and step messages that
-- are ordinary messages carrying the workflow's id. Times are epoch milliseconds. A step that
-- follows others is stored SCHEDULED with available_at 253402300799999 (9999-12-31T23:59:59.999Z,
-- "held"), which no promotion ever reaches; the workflow pass releases it.
CREATE TABLE workflows (
    id              TEXT    PRIMARY KEY,
    name            TEXT,
    idempotency_key TEXT,
    state           TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    ended_at        INTEGER
);
CREATE UNIQUE INDEX workflows_idempotency ON workflows (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The pass reads the running workflows only; the list filters by state or name, newest first.
CREATE INDEX workflows_running ON workflows (id) WHERE state = 'RUNNING';
CREATE INDEX workflows_state ON workflows (state, id);
CREATE INDEX workflows_name ON workflows (name, id) WHERE name IS NOT NULL;

-- follows: the names of the steps it follows, a JSON array. inputs: their results, a JSON object
-- written when the step is released. message_seq: its message's row key (see V1).
CREATE TABLE workflow_steps (
    workflow_id    TEXT    NOT NULL,
    position       INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    queue          TEXT    NOT NULL,
    message_id     TEXT    NOT NULL,
    message_seq    INTEGER NOT NULL,
    follows        TEXT    NOT NULL,
    run_on_failure INTEGER NOT NULL,
    inputs         TEXT,
    PRIMARY KEY (workflow_id, position)
);
CREATE UNIQUE INDEX workflow_steps_message ON workflow_steps (message_seq);

ALTER TABLE messages ADD COLUMN workflow_id TEXT;
-- A FAILED workflow runs on when an operator retries its dead step: the pass finds such workflows
-- by their step messages handed out again. Only released, unfinished step messages are in it, so
-- a message outside any workflow never is, and a pass reads what is in progress, not history.
CREATE INDEX messages_workflow_active ON messages (workflow_id)
    WHERE workflow_id IS NOT NULL AND state IN (0, 1) AND available_at < 253402300799999;
