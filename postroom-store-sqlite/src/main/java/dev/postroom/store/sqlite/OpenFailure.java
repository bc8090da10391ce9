package dev.postroom.store.sqlite;

import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * Says in one line why the store could not be opened, in the operator's terms: a damaged file, a
 * directory that cannot be written, a full disk. The causes come wrapped (Flyway puts SQLite's
 * error in a multi-line report), so this looks for the one that matters.
 */
final class OpenFailure {
    private OpenFailure() {
    }

    static String describe(Path dataDir, Path file, Throwable failure) {
        String where = "cannot open SQLite store in " + dataDir.toAbsolutePath() + ": ";
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException e) {
                SQLiteErrorCode code = e.getResultCode();
                if (code == SQLiteErrorCode.SQLITE_NOTADB || code == SQLiteErrorCode.SQLITE_CORRUPT) {
                    return where + file.getFileName() + " is damaged (" + code.name() + ": " + code.message
                            + "); restore it from a backup with 'postroom restore'";
                }
                if (code == SQLiteErrorCode.SQLITE_READONLY || code == SQLiteErrorCode.SQLITE_CANTOPEN) {
                    return where + "the directory or " + file.getFileName() + " cannot be written (" + code.name() + ")";
                }
                if (code == SQLiteErrorCode.SQLITE_FULL) {
                    return where + "the disk is full (" + code.name() + "); free some space and start again";
                }
            }
            if (t instanceof FileSystemException e && (e instanceof AccessDeniedException
                    || e.getReason() != null && e.getReason().contains("Read-only"))) {
                return where + "the directory cannot be written (" + (e.getReason() == null ? "permission denied" : e.getReason()) + ")";
            }
        }
        return where + firstLine(failure.getMessage());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline).strip();
    }
}
