/**
 * The audit log: who changed what, when, and from where. {@link dev.postroom.server.audit.AuditLog}
 * keeps one entry per operator action (pausing or purging a queue, retrying a message, creating a
 * token, a console login) beside users and tokens, in {@code auth.db} or the shared PostgreSQL
 * schema, newest first, for
 * {@link dev.postroom.server.audit.AuditLog#RETENTION}. Message traffic (sends, receives, acks) is
 * not recorded here. The routes that record and serve entries live in
 * {@code dev.postroom.server.http}.
 */
package dev.postroom.server.audit;
