-- Snoozes (Delivery.snooze): how often a message was put back without spending an attempt; the
-- queue's maxSnoozes caps it. A constant default: no rewrite of existing rows.
ALTER TABLE messages ADD COLUMN snoozes INTEGER NOT NULL DEFAULT 0;
