-- The happy path's timeline is implied, not stored. A message sent READY and acked on its first
-- attempt by the node that sent it has the timeline [sent, leased, acked]; writing it out as JSON
-- made the row 45 bytes longer at send and 100 bytes longer again at its ack, and rows packed full
-- by the sends split their pages when the acks grew them. Such a row now stores timeline '' (the
-- column is NOT NULL since V1, and an empty text costs one header byte) with the sending node and
-- the lease's time; its entries are read as Dialect.SQLITE's timeline() spells them out. The first
-- transition off the happy path writes the implied entries out and appends to them, so a row never
-- needs more than it stored. Rows written before keep their stored timelines.
--
-- Nullable columns without defaults: no rewrite of existing rows.
ALTER TABLE messages ADD COLUMN node TEXT;
ALTER TABLE messages ADD COLUMN claimed_at INTEGER;
