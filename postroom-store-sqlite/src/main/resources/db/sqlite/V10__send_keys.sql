-- Unique and debounce keys (SendOptions.uniqueKey, Debounce). Nullable columns without defaults: no
-- rewrite. A send with a unique key is refused while an unfinished message of the queue has it; a
-- send with a debounce key goes into the key's pending message (not handed out yet) if there is one,
-- and debounce_until is the latest that message's start may be pushed back to. Both are looked up
-- at send time only, from these partial indexes, so messages without keys never enter them. Not
-- UNIQUE: an operator's retry or redrive may make an older message unfinished again beside a newer
-- one, and must not fail for it.
ALTER TABLE messages ADD COLUMN unique_key TEXT;
ALTER TABLE messages ADD COLUMN debounce_key TEXT;
ALTER TABLE messages ADD COLUMN debounce_until INTEGER;
CREATE INDEX messages_unique ON messages (queue, unique_key) WHERE unique_key IS NOT NULL AND state IN (0, 1);
CREATE INDEX messages_debounce ON messages (queue, debounce_key) WHERE debounce_key IS NOT NULL AND state IN (0, 1);
