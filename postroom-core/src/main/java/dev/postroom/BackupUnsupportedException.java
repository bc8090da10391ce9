package dev.postroom;

/**
 * The store cannot copy itself to a file: its data lives in a database server that has backup
 * tools of its own. Nothing was written. The message says what to use instead; for the PostgreSQL
 * store that is {@code pg_dump} or the server's point-in-time recovery.
 */
public class BackupUnsupportedException extends PostroomException {
    public BackupUnsupportedException(String reason) {
        super("online backup to a file is not supported: " + reason);
    }
}
