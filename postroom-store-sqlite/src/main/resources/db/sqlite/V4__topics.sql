-- Topics and their subscriptions (Topics, SqliteTopicStore). A publish reads one topic's
-- subscriptions by the primary key and stores its copies as ordinary messages: nothing here is on
-- the message path. filter is a JSON object of required header values, NULL for none. queue is not
-- a foreign key: a subscription outlives its queue, and a publish that matches it is refused.
CREATE TABLE topics (
    name       TEXT    PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE subscriptions (
    topic      TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    queue      TEXT    NOT NULL,
    filter     TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (topic, name)
);
