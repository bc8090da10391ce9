-- The audit log: one row per operator action (who, when, what, on what, from where). Ordinary
-- sends, receives and acks are data traffic and are not recorded. The id is AUTOINCREMENT so that
-- ids only grow, even after old rows are pruned: the browse cursor relies on it.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target_type TEXT,
    target      TEXT,
    detail      TEXT    NOT NULL,
    address     TEXT
);

CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_target ON audit (target, id);
CREATE INDEX audit_action ON audit (action, id);
