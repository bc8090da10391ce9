-- Postroom on PostgreSQL, shared by every node of a cluster. Times are epoch milliseconds passed
-- in by the engine (the store never reads a clock, and every node's timeline entries compare).
-- States are MessageState ordinals: 0 SCHEDULED, 1 READY, 2 IN_FLIGHT, 3 SUCCEEDED, 4 DEAD,
-- 5 CANCELLED. Unlike the embedded store, IN_FLIGHT is stored: a lease lives in its row, so that
-- every node sees it.
CREATE TABLE queues (
    name       text     PRIMARY KEY,
    policy     text     NOT NULL,
    paused     boolean  NOT NULL DEFAULT false,
    created_at bigint   NOT NULL
);

-- The key is the UUIDv7 id itself, not the sequence derived from it as on SQLite: the sequence is
-- unique per generator only, and two nodes sending in the same millisecond mint the same one (the
-- random tail differs). uuid compares bytewise, and the sequence is the leading bits of the id, so
-- id order is sequence order (ties broken by the random tail): browse cursors become id bounds.
--
-- payload and headers are text, not jsonb: the engine has validated them, text is written as is
-- (no parse on the send path) and read back byte for byte. errors and timeline are jsonb arrays
-- appended with ||, so a transition is one UPDATE with no read before it.
CREATE TABLE messages (
    id               uuid     PRIMARY KEY,
    queue            text     NOT NULL,
    state            smallint NOT NULL,
    priority         smallint NOT NULL,
    available_at     bigint   NOT NULL,
    expires_at       bigint,
    ordering_key     text,
    idempotency_key  text,
    attempt          integer  NOT NULL DEFAULT 0,
    max_attempts     integer  NOT NULL,
    enqueued_at      bigint   NOT NULL,
    updated_at       bigint   NOT NULL,
    lease_id         text,
    lease_expires_at bigint,
    lease_node       text,
    payload          text     NOT NULL,
    headers          text,
    result           text,
    progress_percent integer,
    progress_note    text,
    errors           jsonb,
    timeline         jsonb    NOT NULL
);

-- Claiming: the best READY messages of a queue, in the claim's order. Partial: a row leaves it when
-- it is leased.
CREATE INDEX messages_ready ON messages (queue, priority DESC, id) WHERE state = 1;
-- Promotion of delayed and retrying messages when due (and nextDue).
CREATE INDEX messages_scheduled ON messages (queue, available_at) WHERE state = 0;
-- FIFO per ordering key: the unfinished messages of a key, for the claim's "no earlier unfinished,
-- none leased" check. Holds unfinished rows only, so it stays small however long a key's history.
CREATE INDEX messages_ordering ON messages (queue, ordering_key, id)
    WHERE ordering_key IS NOT NULL AND state IN (0, 1, 2);
-- Idempotency: one retained message per key and queue. The unique index is also what stops two
-- nodes storing the same key at once (the loser's send is retried as a duplicate).
CREATE UNIQUE INDEX messages_idempotency ON messages (queue, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- TTL expiry of messages that were never delivered.
CREATE INDEX messages_ttl ON messages (expires_at) WHERE expires_at IS NOT NULL AND state IN (0, 1);
-- Leases: the in-flight rows, for the concurrency limit (count per queue) and lease expiry. There
-- are at most as many as the queues' concurrency limits allow.
CREATE INDEX messages_leased ON messages (queue, lease_expires_at) WHERE state = 2;
-- The oldest READY message of a queue by when it became ready (MessageStore.oldestReady): see
-- V3__oldest_ready.sql of the embedded store for why messages_ready cannot answer it.
CREATE INDEX messages_ready_since ON messages (queue, available_at) WHERE state = 1;

-- Browsing (newest first, paged by key on id), as V2__browse.sql of the embedded store: one index
-- range read backwards per page. READY is messages_ready (per priority), IN_FLIGHT is
-- messages_leased; SUCCEEDED, the bulk, is deliberately not indexed (every ack would pay for it):
-- a SUCCEEDED or free-text filter walks messages_queue with a bounded number of rows per page.
CREATE INDEX messages_queue ON messages (queue, id);
CREATE INDEX messages_key ON messages (queue, ordering_key, id) WHERE ordering_key IS NOT NULL;
CREATE INDEX messages_state ON messages (queue, state, id) WHERE state IN (0, 4, 5);
