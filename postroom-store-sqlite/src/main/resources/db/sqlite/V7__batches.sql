-- Batches (dev.postroom.Batches): a row per batch, and members that are ordinary messages carrying
-- its id. Times are epoch milliseconds. on_complete_* hold the completion message asked for (null:
-- none); completed_at is set once, by the completion pass that finds no member pending, together
-- with the id of the completion message it stored.
CREATE TABLE batches (
    id                    TEXT    PRIMARY KEY,
    queue                 TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    total                 INTEGER NOT NULL,
    on_complete_queue     TEXT,
    on_complete_payload   TEXT,
    on_complete_headers   TEXT,
    completed_at          INTEGER,
    completion_message_id TEXT
);
-- The completion pass reads the open batches only; there are few.
CREATE INDEX batches_open ON batches (created_at) WHERE completed_at IS NULL;

-- Adding a nullable column without a default rewrites nothing.
ALTER TABLE messages ADD COLUMN batch_id TEXT;
-- A batch's members by state: its counts, "any member pending?" and its member list. Partial, so a
-- message outside any batch never enters it: its send and every transition write no entry here
-- (SQLite evaluates the WHERE on each row written, which costs no page).
CREATE INDEX messages_batch ON messages (batch_id, state) WHERE batch_id IS NOT NULL;
