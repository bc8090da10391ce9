-- Rate limits and per-key limits (QueuePolicy.rateLimit, QueuePolicy.perKey), held cluster-wide:
-- their state is in the database, read and written by claims under the queue-row lock every claim
-- of a queue already takes (MessageWrites.lockQueue), so every node counts against the same state.

-- The queue's rate window (RateWindow: window start in epoch milliseconds, messages handed out in
-- the window before and in this one) and the key the last round-robin claim ended on.
ALTER TABLE queues
    ADD COLUMN rate_window_start bigint  NOT NULL DEFAULT 0,
    ADD COLUMN rate_previous     integer NOT NULL DEFAULT 0,
    ADD COLUMN rate_current      integer NOT NULL DEFAULT 0,
    ADD COLUMN key_cursor        text;

-- Each message's limit key, taken when it is sent from the header the queue's policy names or its
-- ordering key ('' when it has none); NULL in queues without per-key limits, which therefore never
-- enter the partial index below and pay nothing for it on sends and acks. The claim walks the keys
-- of a queue in order (a loose index scan, one key at a time) and reads each key's head from it.
ALTER TABLE messages ADD COLUMN limit_key text;
CREATE INDEX messages_ready_by_key ON messages (queue, limit_key, priority DESC, id)
    WHERE state = 1 AND limit_key IS NOT NULL;

-- Per-key rate windows, one row per key that was handed a message lately. A row two intervals old
-- counts nothing; claims delete such rows now and then.
CREATE TABLE key_rates (
    queue        text    NOT NULL,
    limit_key    text    NOT NULL,
    window_start bigint  NOT NULL,
    previous     integer NOT NULL,
    current      integer NOT NULL,
    PRIMARY KEY (queue, limit_key)
);
