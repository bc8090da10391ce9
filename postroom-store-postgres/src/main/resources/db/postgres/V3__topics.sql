-- Topics and their subscriptions (Topics, PostgresTopicStore). A publish reads one topic's
-- subscriptions by key and stores its copies as ordinary messages: nothing here is on the message
-- path. filter is a JSON object of required header values (text, as headers are), NULL for none.
-- Subscriptions go with their topic (ON DELETE CASCADE); queue is not a foreign key: a subscription
-- outlives its queue, and a publish that matches it is refused.
CREATE TABLE topics (
    name       text   PRIMARY KEY,
    created_at bigint NOT NULL
);

CREATE TABLE subscriptions (
    topic      text   NOT NULL REFERENCES topics (name) ON DELETE CASCADE,
    name       text   NOT NULL,
    queue      text   NOT NULL,
    filter     text,
    created_at bigint NOT NULL,
    PRIMARY KEY (topic, name)
);
