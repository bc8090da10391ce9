package dev.postroom.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The PostgreSQL the nodes use. Either a private cluster of the campaign's own, made by the
 * repository's {@code .ci/postgres-test-cluster} with PostgreSQL's durable settings (fsync and
 * synchronous commit on: with {@code synchronous_commit = off} a crash may lose commits already
 * acknowledged, which would be PostgreSQL's doing, not Postroom's), which it can kill; or a URL
 * given, on which only sessions can be ended.
 */
final class PostgresCluster implements AutoCloseable {
    private static final Pattern ASSIGNMENT = Pattern.compile("^(POSTROOM_TEST_PG_URL|POSTROOM_TEST_PG_DIR)='([^']*)'$");

    private final String url;
    private final Path script;
    private final String dir;

    private PostgresCluster(String url, Path script, String dir) {
        this.url = url;
        this.script = script;
        this.dir = dir;
    }

    /** A database of someone else's: the campaign may end its nodes' sessions, never kill it. */
    static PostgresCluster external(String url) {
        return new PostgresCluster(url, null, null);
    }

    /** Starts a private, durable cluster with {@code script start --durable}. */
    static PostgresCluster startPrivate(Path script) throws IOException, InterruptedException {
        String out = run(script, "start", "--durable");
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
            throw new IOException(script + " start printed no URL and directory:\n" + out);
        }
        return new PostgresCluster(url, script, dir);
    }

    String url() {
        return url;
    }

    /** True when the campaign made this cluster and may kill it. */
    boolean killable() {
        return dir != null;
    }

    /** SIGKILL of the postmaster and every backend ({@code script kill DIR}); returns once all are gone. */
    void kill() throws IOException, InterruptedException {
        run(script, "kill", dir);
    }

    /** Starts the killed cluster again on the same port and data; returns once it accepts connections. */
    void startAgain() throws IOException, InterruptedException {
        run(script, "start-again", dir);
    }

    /**
     * {@code pg_terminate_backend} of every session whose application name is {@code applicationName}
     * (the nodes'), waiting until each is gone; returns how many were ended.
     */
    int terminateSessions(String applicationName) throws SQLException {
        try (Connection c = DriverManager.getConnection(url);
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
                     + "FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Drops a schema the campaign's nodes made (on a database not of its own). */
    void dropSchema(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url); var statement = c.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
        }
    }

    /** Stops a private cluster and deletes its directory; leaves an external database alone. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (killable()) {
            run(script, "stop", dir);
        }
    }

    private static String run(Path script, String... args) throws IOException, InterruptedException {
        Path err = Files.createTempFile("postgres-test-cluster", ".err");
        try {
            Process process = new ProcessBuilder(Stream.concat(Stream.of("sh", script.toString()), Stream.of(args)).toList())
                    .redirectError(err.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(script + " " + List.of(args) + " did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(script + " " + List.of(args) + " exited " + process.exitValue() + ":\n" + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
