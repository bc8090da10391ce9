-- Workflows (dev.postroom.Workflows): a row per workflow, a row per step, and step messages that
-- are ordinary messages carrying the workflow's id. Times are epoch milliseconds from the engine. A
-- step that follows others is stored SCHEDULED with available_at 253402300799999
-- (9999-12-31T23:59:59.999Z, "held"), which no promotion ever reaches; the workflow pass releases it.
-- Passes of several nodes lock the workflow rows they advance FOR UPDATE SKIP LOCKED, and a release
-- is an UPDATE guarded by the held state, so a step is released once.
CREATE TABLE workflows (
    id              uuid   PRIMARY KEY,
    name            text,
    idempotency_key text,
    state           text   NOT NULL,
    created_at      bigint NOT NULL,
    updated_at      bigint NOT NULL,
    ended_at        bigint
);
CREATE UNIQUE INDEX workflows_idempotency ON workflows (idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The pass reads the running workflows only; the list filters by state or name, newest first.
CREATE INDEX workflows_running ON workflows (id) WHERE state = 'RUNNING';
CREATE INDEX workflows_state ON workflows (state, id);
CREATE INDEX workflows_name ON workflows (name, id) WHERE name IS NOT NULL;

-- follows: the names of the steps it follows, a JSON array. inputs: their results, a JSON object
-- written when the step is released.
CREATE TABLE workflow_steps (
    workflow_id    uuid    NOT NULL,
    position       integer NOT NULL,
    name           text    NOT NULL,
    queue          text    NOT NULL,
    message_id     uuid    NOT NULL,
    follows        text    NOT NULL,
    run_on_failure boolean NOT NULL,
    inputs         text,
    PRIMARY KEY (workflow_id, position)
);
CREATE UNIQUE INDEX workflow_steps_message ON workflow_steps (message_id);

-- A nullable column without a default: no table rewrite.
ALTER TABLE messages ADD COLUMN workflow_id uuid;
-- A FAILED workflow runs on when an operator retries its dead step: the pass finds such workflows by
-- their step messages handed out again. Only released, unfinished step messages are in it, so a
-- message outside any workflow never is.
CREATE INDEX messages_workflow_active ON messages (workflow_id)
    WHERE workflow_id IS NOT NULL AND state IN (0, 1, 2) AND available_at < 253402300799999;
