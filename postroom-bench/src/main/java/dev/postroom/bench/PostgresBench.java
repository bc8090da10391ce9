package dev.postroom.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.postroom.MessageListener;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.bench.jobrunr.JobRunrPeer;
import dev.postroom.bench.jobrunr.PeerResult;
import dev.postroom.store.postgres.PostgresMessageStore;
import dev.postroom.store.postgres.PostgresOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.LongAdder;

/**
 * End-to-end benchmarks of Postroom clusters on one PostgreSQL database, with JobRunr on the same
 * database in the same run.
 * <ol>
 *   <li>For each node count in {@code --nodes}: that many Postroom nodes, each with its own store
 *       (its own connection pool and wake-up listener), on a fresh schema. <b>throughput</b>:
 *       {@code --messages} sends spread over the nodes (each node's sender keeps up to 1,000 sends
 *       outstanding), a no-op handler with {@code --workers} slots on every node; the clock stops
 *       when every message's ack is committed. <b>latency</b>: sends paced at {@code --rate} per
 *       second for {@code --latency-seconds}, spread over the nodes; send-to-handler time (nanoTime
 *       in the payload) into an HdrHistogram, whichever node handles it.</li>
 *   <li><b>JobRunr</b> on the same database (its PostgreSQL storage, its own schema, one background
 *       job server with {@code --workers} workers, its shortest poll interval): {@code --jobrunr-jobs}
 *       no-op jobs; throughput and the ratio to the best Postroom figure.</li>
 * </ol>
 * The nodes run in this one JVM so that they share the two cores with PostgreSQL the way separate
 * processes on one machine would, without a JVM per node paying for its own JIT and GC threads; they
 * coordinate only through the database, exactly as separate processes do.
 * <p>Run: start a PostgreSQL with its durable defaults ({@code .ci/postgres-test-cluster start --durable})
 * and pass its URL: {@code java -cp postroom-bench.jar dev.postroom.bench.PostgresBench --db-url URL}.
 */
@Command(name = "PostgresBench", mixinStandardHelpOptions = true,
        description = "End-to-end benchmarks of 1, 2 and 3 Postroom nodes on one PostgreSQL, and JobRunr on it.")
public final class PostgresBench implements Runnable {
    private static final String QUEUE = "bench";

    @Option(names = "--db-url", defaultValue = "${env:POSTROOM_BENCH_PG_URL}", description = "jdbc:postgresql: URL of the database (default $POSTROOM_BENCH_PG_URL).")
    String url;
    @Option(names = "--db-user", description = "Database user, unless the URL names one.")
    String user;
    @Option(names = "--db-password", defaultValue = "${env:POSTROOM_BENCH_PG_PASSWORD}", description = "Database password (default $POSTROOM_BENCH_PG_PASSWORD).")
    String password;
    @Option(names = "--nodes", split = ",", defaultValue = "1,2,3", description = "Node counts to run, in order.")
    List<Integer> nodeCounts;
    @Option(names = "--messages", defaultValue = "100000", description = "Messages in each throughput run.")
    int messages;
    @Option(names = "--workers", defaultValue = "64", description = "Handler slots per node (and JobRunr workers).")
    int workers;
    @Option(names = "--queue-concurrency", defaultValue = "1000",
            description = "The queue's cluster-wide concurrency limit; 0 means every node's handler slots (workers × nodes), "
                    + "-1 the default queue policy's. "
                    + "A message counts until its ack commits, so a limit of just the handler slots caps throughput at "
                    + "slots / (claim-to-ack-commit time).")
    int queueConcurrency;
    @Option(names = "--pool-size", defaultValue = "10", description = "Connections per node.")
    int poolSize;
    @Option(names = "--rate", defaultValue = "2000", description = "Messages/s in each latency run.")
    int rate;
    @Option(names = "--latency-seconds", defaultValue = "15", description = "Length of each latency run.")
    int latencySeconds;
    @Option(names = "--jobrunr-jobs", defaultValue = "20000", description = "Jobs in the JobRunr run; 0 skips it.")
    int jobrunrJobs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PostgresBench()).execute(args));
    }

    @Override
    public void run() {
        if (url == null || url.isBlank()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--db-url (or POSTROOM_BENCH_PG_URL) is required");
        }
        try {
            System.out.printf("postroom postgres bench: %d cores, JDK %s, max heap %d MiB, %s%n", Runtime.getRuntime().availableProcessors(),
                    Runtime.version(), Runtime.getRuntime().maxMemory() >> 20, serverSettings());
            double best = 0;
            for (int nodes : nodeCounts) {
                String schema = "bench_nodes_" + nodes;
                resetSchema(schema);
                double throughput;
                try (Cluster cluster = new Cluster(nodes, schema)) {
                    throughput = throughput(cluster);
                }
                resetSchema(schema);
                try (Cluster cluster = new Cluster(nodes, schema)) {
                    latency(cluster);
                }
                dropSchema(schema);
                best = Math.max(best, throughput);
            }
            if (jobrunrJobs > 0) {
                String schema = "bench_jobrunr";
                resetSchema(schema);
                try (HikariDataSource dataSource = jobRunrDataSource(schema)) {
                    PeerResult peer = JobRunrPeer.runOnPostgres(jobrunrJobs, workers, dataSource,
                            "PostgreSQL schema " + schema + " (" + poolSize + "-connection HikariCP pool)");
                    System.out.printf("jobrunr: %,d jobs in %.2f s = %,.0f jobs/s (%s)%n", peer.jobs(), peer.seconds(), peer.jobsPerSecond(), peer.notes());
                    System.out.printf("ratio: best postroom / jobrunr end-to-end throughput on PostgreSQL = %.1fx%n", best / peer.jobsPerSecond());
                }
                dropSchema(schema);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nodes on one schema; counts committed acks across all of them. */
    private final class Cluster implements AutoCloseable {
        final List<Postroom> nodes = new ArrayList<>();
        final LongAdder succeeded = new LongAdder();

        Cluster(int count, String schema) {
            MessageListener acks = new MessageListener() {
                @Override
                public void changed(String queue, String id, MessageState state) {
                    if (state == MessageState.SUCCEEDED) {
                        succeeded.increment();
                    }
                }
            };
            PostgresOptions options = new PostgresOptions(url, user, password, poolSize, schema);
            for (int i = 0; i < count; i++) {
                Postroom node = Postroom.builder().store(PostgresMessageStore.open(options)).node("bench-" + (i + 1)).listener(acks).build();
                // The queue's concurrency is cluster-wide: every node's handler slots may be busy at once.
                node.createQueue(QUEUE, queueConcurrency < 0 ? QueuePolicy.DEFAULT
                        : QueuePolicy.DEFAULT.withConcurrency(queueConcurrency > 0 ? queueConcurrency : workers * count));
                nodes.add(node);
            }
        }

        @Override
        public void close() {
            nodes.forEach(Postroom::close);
        }
    }

    private double throughput(Cluster cluster) throws Exception {
        for (Postroom node : cluster.nodes) {
            node.handle(QUEUE, Workload.class, d -> null);
        }
        // Warm-up: the JIT above all (a cold JVM runs the first tens of thousands of messages at two
        // thirds of the speed), as the embedded bench does.
        sendAndDrain(cluster, Math.min(50_000, messages / 2));
        long before = cluster.succeeded.sum();
        long walBefore = walBytes();
        long start = System.nanoTime();
        sendAndDrain(cluster, messages);
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = (cluster.succeeded.sum() - before) / seconds;
        long wal = walBytes() - walBefore;
        System.out.printf("%d node(s) throughput: %,d messages send→handler→ack in %.2f s = %,.0f messages/s (%d handler slots and %d connections per node, %s); %,d WAL bytes per message%n",
                cluster.nodes.size(), messages, seconds, rate, workers, poolSize, concurrencyNote(cluster.nodes.size()), wal / messages);
        return rate;
    }

    /** One sender thread per node, each with up to 1,000 sends outstanding; returns when every ack is committed. */
    private static void sendAndDrain(Cluster cluster, int count) throws InterruptedException {
        LoadRun.sendAndDrain(cluster.nodes, QUEUE, count, cluster.succeeded::sum);
    }

    private void latency(Cluster cluster) throws InterruptedException {
        LoadRun.Latency run = LoadRun.latency(cluster.nodes, QUEUE, rate, latencySeconds);
        if (run.unhandled() > 0) {
            System.out.printf("latency: %,d of %,d messages not handled within 60 s%n", run.unhandled(), run.total());
        }
        System.out.printf("%d node(s) latency: %,d messages/s for %d s, %s%n", cluster.nodes.size(), rate, latencySeconds,
                run.percentiles());
    }

    private HikariDataSource jobRunrDataSource(String schema) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("jobrunr-bench");
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setSchema(schema);
        config.setMaximumPoolSize(poolSize);
        return new HikariDataSource(config);
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        return DriverManager.getConnection(url, properties);
    }

    private void resetSchema(String schema) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA " + schema);
        }
    }

    private void dropSchema(String schema) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private String concurrencyNote(int nodes) {
        if (queueConcurrency < 0) {
            return "the default queue policy, concurrency " + QueuePolicy.DEFAULT.concurrency();
        }
        return "queue concurrency " + (queueConcurrency > 0 ? queueConcurrency : workers * nodes);
    }

    /** WAL the server has written since its statistics were last reset (PostgreSQL 14 and later). */
    private long walBytes() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT wal_bytes FROM pg_stat_wal")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The settings that decide what a commit costs, printed with the figures. */
    private String serverSettings() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version(), current_setting('fsync'), current_setting('synchronous_commit')")) {
            rs.next();
            return rs.getString(1).replaceAll(" on .*", "") + ", fsync=" + rs.getString(2) + ", synchronous_commit=" + rs.getString(3);
        }
    }
}
