-- Per-key limits (QueuePolicy.perKey): each message's limit key, taken when it is sent from the
-- header the queue's policy names or from its ordering key ('' when it has none), NULL in queues
-- without per-key limits. The claim of such a queue walks its keys in order, round-robin
-- (KeyRoundRobin), and reads the head of one key at a time from this index.
--
-- Partial on limit_key IS NOT NULL: queues without per-key limits never enter it, so their sends
-- and acks pay nothing for it. Rate-limit state lives in memory (one process per file).
ALTER TABLE messages ADD COLUMN limit_key TEXT;
CREATE INDEX messages_ready_by_key ON messages (queue, limit_key, priority DESC, seq)
    WHERE state = 1 AND limit_key IS NOT NULL;
