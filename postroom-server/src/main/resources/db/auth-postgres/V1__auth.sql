-- Users of the console and API tokens, shared by every node of a cluster (the embedded store keeps
-- them in auth.db: db/auth). Same columns as there; the tables are prefixed so that they cannot
-- meet the message store's tables, nor an application's own "users", in the same schema. Secrets
-- are never stored: passwords as bcrypt hashes, tokens as SHA-256 hashes. Times are epoch
-- milliseconds from the node that wrote them.
CREATE TABLE auth_users (
    username      text   PRIMARY KEY,
    password_hash text   NOT NULL,
    role          text   NOT NULL,
    created_at    bigint NOT NULL
);

CREATE TABLE auth_tokens (
    id           text   PRIMARY KEY,
    name         text   NOT NULL,
    token_hash   text   NOT NULL UNIQUE,
    scopes       text   NOT NULL,
    created_at   bigint NOT NULL,
    last_used_at bigint,
    revoked_at   bigint
);
