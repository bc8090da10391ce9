-- The same table names as on PostgreSQL, where they sit beside the message store's tables (and
-- perhaps an application's own "users"), so that one set of statements serves both databases.
-- SQLite carries the indexes and the audit log's AUTOINCREMENT sequence over to the new names.
ALTER TABLE users RENAME TO auth_users;
ALTER TABLE tokens RENAME TO auth_tokens;
ALTER TABLE audit RENAME TO audit_log;
