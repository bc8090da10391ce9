-- The happy path's timeline is implied, not stored. A message sent READY, leased, and acked on
-- that first attempt by the node that leased it has the timeline [sent, leased, acked]; written
-- out as JSON it grew the row at every one of those three writes, and each write of a row is a new
-- row version in the write-ahead log. Such a row now keeps timeline NULL with the sending node and
-- the lease's time and node; Dialect.POSTGRES's timeline() spells its entries out. The first step
-- off that path (a failure, an expired lease, an operator's action, an ack by another node) writes
-- the implied entries out and appends to them. Rows written before keep their stored timelines.
--
-- Dropping NOT NULL and adding nullable columns without defaults change the catalog only.
ALTER TABLE messages ALTER COLUMN timeline DROP NOT NULL;
ALTER TABLE messages ADD COLUMN node text;
ALTER TABLE messages ADD COLUMN claimed_at bigint;
ALTER TABLE messages ADD COLUMN claim_node text;
