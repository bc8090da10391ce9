-- Batches (dev.postroom.Batches): a row per batch, and members that are ordinary messages carrying
-- its id. Times are epoch milliseconds from the engine. on_complete_* hold the completion message
-- asked for (null: none); completed_at is set once, by the completion pass that finds no member
-- pending, in the transaction that stores the completion message (whose id it records). Passes of
-- several nodes lock the open rows they complete FOR UPDATE SKIP LOCKED, so one batch is completed
-- by one of them only.
CREATE TABLE batches (
    id                    uuid    PRIMARY KEY,
    queue                 text    NOT NULL,
    created_at            bigint  NOT NULL,
    total                 integer NOT NULL,
    on_complete_queue     text,
    on_complete_payload   text,
    on_complete_headers   text,
    completed_at          bigint,
    completion_message_id uuid
);
-- The completion pass reads the open batches only; there are few.
CREATE INDEX batches_open ON batches (created_at) WHERE completed_at IS NULL;

-- A nullable column without a default: no table rewrite.
ALTER TABLE messages ADD COLUMN batch_id uuid;
-- A batch's members by state: its counts, "any member pending?" and its member list. Partial, so a
-- message outside any batch never enters it, and its send and transitions write nothing here.
-- (state is in other indexes already, so transitions were never HOT updates; this changes nothing
-- for them.)
CREATE INDEX messages_batch ON messages (batch_id, state) WHERE batch_id IS NOT NULL;
