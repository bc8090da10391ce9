-- The archive, as V12__archive.sql of the embedded store: finished messages of queues whose policy
-- has archiveHours, moved here by the maintenance pass when their retention ends. Compact rows.
CREATE TABLE archived_messages (
    id           text     PRIMARY KEY,
    queue        text     NOT NULL,
    state        smallint NOT NULL,
    priority     smallint NOT NULL,
    ordering_key text,
    attempt      integer  NOT NULL,
    max_attempts integer  NOT NULL,
    enqueued_at  bigint   NOT NULL,
    finished_at  bigint   NOT NULL,
    archived_at  bigint   NOT NULL,
    batch_id     text,
    payload      text     NOT NULL,
    headers      text,
    result       text,
    last_error   text
);

CREATE INDEX archived_queue ON archived_messages (queue, id);
CREATE INDEX archived_age ON archived_messages (queue, archived_at);
