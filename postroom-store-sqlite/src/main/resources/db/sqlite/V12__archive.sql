-- The archive: finished messages of queues whose policy has archiveHours, moved here by the
-- maintenance pass when their retention ends instead of being deleted. Compact rows: no timeline,
-- no progress, only the last error; keyed by the text id, whose order is send order.
CREATE TABLE archived_messages (
    id           TEXT    PRIMARY KEY,
    queue        TEXT    NOT NULL,
    state        INTEGER NOT NULL,
    priority     INTEGER NOT NULL,
    ordering_key TEXT,
    attempt      INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    enqueued_at  INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    archived_at  INTEGER NOT NULL,
    batch_id     TEXT,
    payload      TEXT    NOT NULL,
    headers      TEXT,
    result       TEXT,
    last_error   TEXT
) WITHOUT ROWID;

-- Browsing a queue's archive newest first, and its purge when archiveHours ends.
CREATE INDEX archived_queue ON archived_messages (queue, id);
CREATE INDEX archived_age ON archived_messages (queue, archived_at);
