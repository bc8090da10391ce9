package dev.postroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes a process has caused to be written to storage, from Linux's {@code /proc/<pid>/io}
 * ({@code write_bytes}): for the embedded store that is the write-ahead log's frames and the
 * checkpoints that copy them back, which bound its throughput. Elsewhere it reads as unknown.
 */
public final class DiskWrites {
    private static final String FIELD = "write_bytes:";

    private DiskWrites() {
    }

    /** This JVM's bytes written so far, or -1 when the platform does not say. */
    static long ofThisProcess() {
        return of(ProcessHandle.current().pid());
    }

    /** The process's bytes written so far, or -1 when the platform does not say. */
    public static long of(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith(FIELD)) {
                    return Long.parseLong(line.substring(FIELD.length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not allowed: reported as unknown
        }
        return -1;
    }

    /** "N bytes written to disk per message" between two readings, or a note that it is unknown. */
    static String perMessage(long before, long after, long messages) {
        if (before < 0 || after < 0 || messages <= 0) {
            return "bytes written per message unknown (no /proc/self/io)";
        }
        return "%,d bytes written to disk per message".formatted((after - before) / messages);
    }
}
