package dev.postroom.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The servers under test and, on PostgreSQL, their database: one node on SQLite, or several nodes
 * sharing one PostgreSQL schema. Knows which nodes are up, so that the load only calls those.
 */
final class Deployment implements AutoCloseable {
    /** Bounds on a JVM's start, generous for a busy 2-core machine. */
    static final long START_SECONDS = 90;

    private final List<ServerNode> nodes;
    private final Map<String, PostroomClient> clients = new ConcurrentHashMap<>();
    private final Map<String, Boolean> up = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private final String token;
    private final PostgresCluster postgres;
    private final String schema;
    private final String applicationName;

    private Deployment(List<ServerNode> nodes, ObjectMapper json, String token, PostgresCluster postgres, String schema,
                       String applicationName) {
        this.nodes = nodes;
        this.json = json;
        this.token = token;
        this.postgres = postgres;
        this.schema = schema;
        this.applicationName = applicationName;
    }

    /** One node on an SQLite data directory under {@code dir}. */
    static Deployment sqlite(Path serverJar, List<String> jvmOptions, Path dir, String token, ObjectMapper json) {
        ServerNode node = ServerNode.of("node-a", serverJar, jvmOptions, token, dir, List.of("--data", dir.resolve("data").toString()));
        return new Deployment(List.of(node), json, token, null, null, null);
    }

    /**
     * {@code count} nodes sharing a fresh schema of {@code postgres}. Their sessions carry an
     * application name of their own (the URL's {@code ApplicationName} wins over the server's), so
     * that {@code pg_terminate_backend} ends theirs and no one else's.
     */
    static Deployment postgres(Path serverJar, List<String> jvmOptions, Path dir, String token, ObjectMapper json, PostgresCluster postgres,
                               int count, long seed) {
        String schema = "chaos_" + Long.toHexString(seed & 0xffffffffL) + "_" + ProcessHandle.current().pid();
        String applicationName = "postroom-" + schema;
        String url = postgres.url() + (postgres.url().contains("?") ? "&" : "?") + "ApplicationName=" + applicationName;
        List<ServerNode> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = "node-" + (char) ('a' + i);
            nodes.add(ServerNode.of(name, serverJar, jvmOptions, token, dir, List.of("--store", "postgres", "--db-url", url,
                    "--db-schema", schema, "--db-pool-size", "4", "--data", dir.resolve(name).toString())));
        }
        return new Deployment(List.copyOf(nodes), json, token, postgres, schema, applicationName);
    }

    List<ServerNode> nodes() {
        return nodes;
    }

    Optional<PostgresCluster> postgres() {
        return Optional.ofNullable(postgres);
    }

    String applicationName() {
        return applicationName;
    }

    /** Starts every node, one after the other (the first creates the schema). */
    void startAll() throws IOException, InterruptedException {
        for (ServerNode node : nodes) {
            start(node);
        }
    }

    /** Starts (or starts again) one node and marks it up. */
    void start(ServerNode node) throws IOException, InterruptedException {
        int port = node.start(START_SECONDS);
        clients.put(node.name(), new PostroomClient(json, token, port));
        up.put(node.name(), true);
    }

    /** SIGKILL of one node, marked down first so that the load turns to the others; returns its exit status. */
    int kill(ServerNode node) throws InterruptedException {
        up.put(node.name(), false);
        return node.kill();
    }

    /** A node that is up, picked at random; empty while every node is down. */
    Optional<ServerNode> anyUp(Random random) {
        List<ServerNode> alive = nodes.stream().filter(n -> up.getOrDefault(n.name(), false)).toList();
        return alive.isEmpty() ? Optional.empty() : Optional.of(alive.get(random.nextInt(alive.size())));
    }

    PostroomClient client(ServerNode node) {
        return clients.get(node.name());
    }

    /**
     * Waits until every node that is up answers {@code /health/ready} with 200, at most {@code seconds};
     * returns the names of those that did not.
     */
    List<String> awaitReady(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<String> notReady;
        do {
            notReady = nodes.stream().filter(n -> up.getOrDefault(n.name(), false) && !client(n).ready()).map(ServerNode::name).toList();
            if (notReady.isEmpty()) {
                return notReady;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        return notReady;
    }

    /** Stops every node; drops the schema on a database not of the campaign's own, and stops a private cluster. */
    @Override
    public void close() throws Exception {
        for (ServerNode node : nodes) {
            node.close();
        }
        if (postgres != null) {
            if (!postgres.killable()) {
                postgres.dropSchema(schema);
            }
            postgres.close();
        }
    }
}
