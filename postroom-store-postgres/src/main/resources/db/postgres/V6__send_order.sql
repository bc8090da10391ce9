-- FIFO per ordering key follows the order sends were stored in. Ids are minted by each node from
-- its own clock, so a message sent through a node whose clock is behind can have a smaller id than
-- one sent earlier through another node; seq is drawn from one sequence at insert instead. The
-- sequence is not cached (CACHE 1), so a send stored after another one committed draws a larger
-- value, whichever node stored either.
CREATE SEQUENCE messages_seq CACHE 1;
ALTER TABLE messages ADD COLUMN seq bigint;
-- Messages stored before this migration keep their id order.
WITH numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM messages)
UPDATE messages m SET seq = numbered.n FROM numbered WHERE m.id = numbered.id;
SELECT setval('messages_seq', coalesce((SELECT max(seq) FROM messages), 0) + 1, false);
ALTER TABLE messages ALTER COLUMN seq SET DEFAULT nextval('messages_seq'), ALTER COLUMN seq SET NOT NULL;

DROP INDEX messages_ordering;
CREATE INDEX messages_ordering ON messages (queue, ordering_key, seq)
    WHERE ordering_key IS NOT NULL AND state IN (0, 1, 2);
