-- Snoozes (Delivery.snooze): how often a message was put back without spending an attempt; the
-- queue's maxSnoozes caps it. A constant default: PostgreSQL 11+ adds it without rewriting the table.
ALTER TABLE messages ADD COLUMN snoozes integer NOT NULL DEFAULT 0;
