-- Outbound webhooks for alerts (see dev.postroom.server.alert). The secret is kept as it was
-- issued, unlike token secrets: it is the key every delivery is signed with, not a password.
-- events and queues are JSON arrays of strings; queues is null for "every queue".
CREATE TABLE alert_webhooks (
    name               TEXT PRIMARY KEY,
    url                TEXT    NOT NULL,
    events             TEXT    NOT NULL,
    queues             TEXT,
    format             TEXT    NOT NULL,
    stale_seconds      INTEGER NOT NULL,
    unconsumed_seconds INTEGER NOT NULL,
    secret             TEXT    NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);

-- One row per condition that is alerting now (a queue stale, a node down): the row is the
-- "already told" mark, so that a condition alerts once when it starts and again only after it
-- has cleared (its row deleted). The primary key makes the insert a compare-and-set.
CREATE TABLE alert_episodes (
    webhook    TEXT    NOT NULL,
    event      TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    started_at INTEGER NOT NULL,
    PRIMARY KEY (webhook, event, subject)
);
