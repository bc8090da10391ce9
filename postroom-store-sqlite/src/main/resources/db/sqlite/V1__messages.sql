-- Postroom embedded schema. Times are epoch milliseconds. States: 0 SCHEDULED, 1 READY,
-- 3 SUCCEEDED, 4 DEAD, 5 CANCELLED (MessageState ordinals). IN_FLIGHT (2) is never stored:
-- leases live in memory and a leased row stays READY (see Leases).
CREATE TABLE queues (
    name       TEXT PRIMARY KEY,
    policy     TEXT    NOT NULL,
    paused     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- seq is the 63-bit sequence encoded in the UUIDv7 id (see MessageIds): the row key, so that a
-- send writes one B-tree less than a text primary key would.
CREATE TABLE messages (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL,
    queue            TEXT    NOT NULL,
    state            INTEGER NOT NULL,
    priority         INTEGER NOT NULL,
    available_at     INTEGER NOT NULL,
    expires_at       INTEGER,
    ordering_key     TEXT,
    idempotency_key  TEXT,
    attempt          INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    enqueued_at      INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    payload          TEXT    NOT NULL,
    headers          TEXT,
    result           TEXT,
    progress_percent INTEGER,
    progress_note    TEXT,
    errors           TEXT,
    timeline         TEXT    NOT NULL
);

-- Claiming: the best READY message of a queue. Partial, so rows leave it once leased.
CREATE INDEX messages_ready ON messages (queue, priority DESC, seq) WHERE state = 1;
-- Promotion of delayed and retrying messages when due.
CREATE INDEX messages_scheduled ON messages (queue, available_at) WHERE state = 0;
-- FIFO per ordering key: the oldest unfinished message of a key.
CREATE INDEX messages_ordering ON messages (queue, ordering_key, seq)
    WHERE ordering_key IS NOT NULL AND state IN (0, 1, 2);
-- Idempotency: one retained message per key and queue.
CREATE UNIQUE INDEX messages_idempotency ON messages (queue, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- TTL expiry of messages that were never delivered.
CREATE INDEX messages_ttl ON messages (expires_at)
    WHERE expires_at IS NOT NULL AND state IN (0, 1);
