-- The audit log of every node of a cluster: one row per operator action. The id is an identity
-- column, so ids only grow and are never reused after pruning: the browse cursor relies on it.
-- Ids are taken when a row is inserted and become visible when it commits, so two nodes writing in
-- the same instant may commit out of id order; a reader paging at that instant can miss the
-- earlier one on its next page, as with any sequence. The detail is text, not jsonb, so that an
-- entry reads back exactly as it was written.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          bigint NOT NULL,
    actor       text   NOT NULL,
    action      text   NOT NULL,
    target_type text,
    target      text,
    detail      text   NOT NULL,
    address     text
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_target ON audit_log (target, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
