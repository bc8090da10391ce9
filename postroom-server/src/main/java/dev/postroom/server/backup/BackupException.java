package dev.postroom.server.backup;

/**
 * A backup could not be written or an archive could not be restored: the target directory is not
 * empty, the archive is not a Postroom backup, or a file's checksum does not match its manifest.
 * The message is one line for the operator; nothing was left half-written.
 */
public final class BackupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackupException(String message) {
        super(message);
    }

    public BackupException(String message, Throwable cause) {
        super(message, cause);
    }
}
