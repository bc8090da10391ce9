package dev.postroom.tck;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small tmpfs mounted on a directory, for tests of a full or read-only disk. Mounting needs root:
 * without it (or when {@code mount} fails) the test is skipped with a warning, and fails instead
 * under {@code POSTROOM_CI=1}, as tests without PostgreSQL do. {@link #close()} unmounts, lazily
 * if something still holds a file open there.
 */
public final class TmpfsMount implements AutoCloseable {
    private final Path where;
    private boolean mounted;

    private TmpfsMount(Path where) {
        this.where = where;
    }

    /** Mounts a tmpfs of {@code mebibytes} on {@code where} (created if missing), or skips the test. */
    public static TmpfsMount mount(Path where, int mebibytes) throws IOException {
        if (!isRoot()) {
            absent("mounting a tmpfs needs root; the disk-full and read-only tests are skipped");
        }
        Files.createDirectories(where);
        TmpfsMount mount = new TmpfsMount(where);
        String failure = run("mount", "-t", "tmpfs", "-o", "size=" + mebibytes + "m", "tmpfs", where.toString());
        if (failure != null) {
            absent("mount -t tmpfs failed (" + failure + "); the disk-full and read-only tests are skipped");
        }
        mount.mounted = true;
        return mount;
    }

    /** Where it is mounted. */
    public Path path() {
        return where;
    }

    /** Makes the mounted file system read-only; what is on it stays readable. */
    public void remountReadOnly() {
        String failure = run("mount", "-o", "remount,ro", where.toString());
        if (failure != null) {
            throw new IllegalStateException("remount read-only failed: " + failure);
        }
    }

    /** Bytes still free on the mounted file system. */
    public long usableBytes() throws IOException {
        return Files.getFileStore(where).getUsableSpace();
    }

    /** Unmounts; a no-op when it was never mounted or is unmounted already. */
    @Override
    public void close() {
        if (!mounted) {
            return;
        }
        if (run("umount", where.toString()) != null) {
            String lazy = run("umount", "-l", where.toString());
            if (lazy != null) {
                throw new IllegalStateException("cannot unmount the test tmpfs at " + where + ": " + lazy);
            }
        }
        mounted = false;
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    private static void absent(String reason) {
        if ("1".equals(System.getenv("POSTROOM_CI"))) {
            throw new IllegalStateException("POSTROOM_CI=1 runs every test, but " + reason);
        }
        System.err.println("[postroom] WARNING " + reason);
        Assumptions.abort(reason);
    }

    /** Runs a command; null when it succeeded, else what it printed and its exit code. */
    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "timed out";
            }
            return process.exitValue() == 0 ? null : output + " (exit " + process.exitValue() + ")";
        } catch (IOException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
