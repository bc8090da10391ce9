package dev.postroom.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of one test's own, made by the repository's {@code .ci/postgres-test-cluster}
 * script: for tests that restart or stop the database, which must not do so to the cluster other
 * test classes share ({@code POSTROOM_TEST_PG_URL}). Needs Debian's {@code postgresql} package;
 * without it the calling test is skipped with a warning, or fails when {@code POSTROOM_CI=1}.
 */
final class PostgresTestCluster implements AutoCloseable {
    private static final Path SCRIPT = Path.of("..", ".ci", "postgres-test-cluster").toAbsolutePath().normalize();
    private static final Pattern ASSIGNMENT = Pattern.compile("^(POSTROOM_TEST_PG_URL|POSTROOM_TEST_PG_DIR)='([^']*)'$");

    private final String url;
    private final String dir;

    private PostgresTestCluster(String url, String dir) {
        this.url = url;
        this.dir = dir;
    }

    /** Starts a fresh cluster on a free port; skips (or on CI fails) the test when PostgreSQL is not installed. */
    static PostgresTestCluster start() throws IOException, InterruptedException {
        if (!installed()) {
            TestDatabase.absent("no PostgreSQL server installed (/usr/lib/postgresql/*/bin/initdb): tests that restart"
                    + " a private PostgreSQL SKIPPED. Install Debian's postgresql package to run them.");
        }
        String out = run("start");
        String url = null;
        String dir = null;
        for (String line : out.lines().toList()) {
            Matcher m = ASSIGNMENT.matcher(line.strip());
            if (m.matches() && m.group(1).equals("POSTROOM_TEST_PG_URL")) {
                url = m.group(2);
            } else if (m.matches()) {
                dir = m.group(2);
            }
        }
        if (url == null || dir == null) {
            throw new IllegalStateException("postgres-test-cluster start printed no URL and directory:\n" + out);
        }
        return new PostgresTestCluster(url, dir);
    }

    private static boolean installed() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(versions)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(versions)) {
            return dirs.anyMatch(v -> Files.isExecutable(v.resolve("bin/initdb")));
        }
    }

    /** The JDBC URL of the cluster's database. */
    String url() {
        return url;
    }

    /** {@code pg_ctl restart -m fast}: same port, same data; returns once the server accepts connections again. */
    void restart() throws IOException, InterruptedException {
        run("restart", dir);
    }

    /** Stops the cluster and deletes its directory. */
    @Override
    public void close() throws IOException, InterruptedException {
        run("stop", dir);
    }

    /** Runs the script; its stdout, or an exception with its stderr when it fails. */
    private static String run(String... args) throws IOException, InterruptedException {
        Path err = Files.createTempFile("postgres-test-cluster", ".err");
        try {
            Process process = new ProcessBuilder(Stream.concat(Stream.of("sh", SCRIPT.toString()), Stream.of(args)).toList())
                    .redirectError(err.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("postgres-test-cluster " + List.of(args) + " did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("postgres-test-cluster " + List.of(args) + " exited " + process.exitValue()
                        + ":\n" + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
