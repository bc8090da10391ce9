/**
 * The embedded store: one SQLite file in WAL mode. All writes go through one thread
 * ({@link dev.postroom.store.sqlite.GroupCommitter}) that batches concurrent sends, claims, acks
 * and transitions into one transaction per fsync; reads use a small pool of read-only connections.
 * Leases are rows like everything else, but after a restart every IN_FLIGHT message is made ready
 * again (its process is gone).
 */
package dev.postroom.store.sqlite;
