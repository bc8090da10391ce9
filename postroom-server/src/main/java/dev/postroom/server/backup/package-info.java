/**
 * Backups of the embedded store: {@link dev.postroom.server.backup.BackupArchive} packs consistent
 * copies of {@code postroom.db} and {@code auth.db} with a manifest into one zip while the server
 * runs, and unpacks and verifies one into an empty data directory. The HTTP route and the
 * {@code backup} and {@code restore} commands use it; PostgreSQL is backed up with its own tools.
 */
package dev.postroom.server.backup;
