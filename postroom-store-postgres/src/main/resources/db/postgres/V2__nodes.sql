-- The node registry: every node upserts its row when it starts and every few seconds after
-- (heartbeat_at, epoch milliseconds on the node's own clock). Whether a node is alive is judged by
-- the reader, since the store never reads a clock; rows of nodes silent for an hour are deleted
-- by any node's maintenance. A handful of rows: no index beyond the key.
CREATE TABLE nodes (
    name         text    PRIMARY KEY,
    started_at   bigint  NOT NULL,
    heartbeat_at bigint  NOT NULL,
    host         text    NOT NULL,
    pid          bigint  NOT NULL
);
