-- Outbound webhooks for alerts, shared by every node of a cluster (auth.db keeps them on the
-- embedded store: db/auth). The secret is kept as it was issued, unlike token secrets: it is the
-- key every delivery is signed with, not a password. events and queues are JSON arrays of strings;
-- queues is null for "every queue". Times are epoch milliseconds.
CREATE TABLE alert_webhooks (
    name               text    PRIMARY KEY,
    url                text    NOT NULL,
    events             text    NOT NULL,
    queues             text,
    format             text    NOT NULL,
    stale_seconds      integer NOT NULL,
    unconsumed_seconds integer NOT NULL,
    secret             text    NOT NULL,
    created_at         bigint  NOT NULL,
    updated_at         bigint  NOT NULL
);

-- One row per condition that is alerting now (a queue stale, a node down). Every node runs the
-- alert monitor; the primary key makes the insert a compare-and-set, so that only the node whose
-- insert took raises the alert, once per episode, and the row is deleted when the condition clears.
CREATE TABLE alert_episodes (
    webhook    text   NOT NULL,
    event      text   NOT NULL,
    subject    text   NOT NULL,
    started_at bigint NOT NULL,
    PRIMARY KEY (webhook, event, subject)
);
