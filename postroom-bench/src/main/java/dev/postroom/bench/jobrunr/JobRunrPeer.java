package dev.postroom.bench.jobrunr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.configuration.JobRunrConfiguration.JobRunrConfigurationResult;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.server.configuration.BackgroundJobServerThreadType;
import org.jobrunr.server.configuration.DefaultBackgroundJobServerWorkerPolicy;
import org.jobrunr.storage.JobStats;
import org.jobrunr.storage.StorageProvider;
import org.jobrunr.storage.sql.h2.H2StorageProvider;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;
import org.jobrunr.storage.sql.sqlite.SqLiteStorageProvider;
import org.jobrunr.utils.mapper.jackson.JacksonJsonMapper;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * JobRunr (open-source edition, 8.7.0) side of the side-by-side throughput benchmark.
 *
 * <h2>Workload</h2>
 * {@code jobs} no-op jobs ({@link NoOpJob#consume(String)}), each carrying a distinct 200-character
 * ASCII string argument so that every job row holds a payload comparable to a 200-byte Postroom
 * message. All jobs are submitted through JobRunr's bulk API,
 * {@link JobScheduler#enqueue(Stream, org.jobrunr.jobs.lambdas.JobLambdaFromStream)}, which saves
 * them in batches. The clock starts immediately before the first enqueue and stops when the storage
 * provider's {@link JobStats#getSucceeded()} shows that every job has reached {@code SUCCEEDED}, so
 * the figure covers durable enqueue, dispatch, execution and the durable success transition.
 * Completion is polled every {@value #STATS_POLL_MILLIS} ms, which bounds the timing error.
 *
 * <h2>Fairness tuning</h2>
 * <ul>
 *   <li>Durable storage: JobRunr's own {@link SqLiteStorageProvider} on a file in {@code workDir}
 *       with WAL journal and {@code synchronous=FULL}. Transactions are opened with
 *       {@code BEGIN IMMEDIATE} and a long busy timeout: with SQLite's default deferred
 *       transactions JobRunr's read-then-update job fetch fails with {@code SQLITE_BUSY} under
 *       concurrency, aborting fetches and stalling the server. Connections come from a small
 *       HikariCP pool ({@value #SQLITE_POOL_SIZE} connections): SQLite admits one writer at a
 *       time, and on a 2-core machine this measured fastest of no pool (a fresh connection per
 *       operation) and pools of 1, 2, 4 and 10. If SQLite cannot be set up,
 *       {@link #run(int, int, Path)} falls back to {@link H2StorageProvider} on an H2 file
 *       database and says so in {@link PeerResult#notes()}.</li>
 *   <li>Exactly {@code workers} platform worker threads in one in-process
 *       {@link BackgroundJobServer}.</li>
 *   <li>Poll interval {@link #MIN_POLL_INTERVAL}, 5 seconds: the smallest value JobRunr accepts
 *       for any persistent storage provider ({@code AbstractStorageProvider.validatePollInterval},
 *       called from the {@code BackgroundJobServer} constructor, rejects anything shorter; only
 *       the in-memory provider may go down to 200 ms). Between polls JobRunr fetches more work
 *       when a worker becomes idle, but that hand-off is skipped while another fetch is under
 *       way, so with very short jobs processing can stop until the next poll. Run time
 *       therefore varies from run to run; the longest gap without progress is reported in the
 *       notes.</li>
 *   <li>Dashboard, JMX and metrics integrations are off. Succeeded jobs are kept (JobRunr's
 *       default clean-up after 36 hours never starts during a run).</li>
 *   <li>The background job server is started and announced before the clock starts, so JobRunr's
 *       start-up and schema migration are not counted.</li>
 * </ul>
 *
 * <p>JobRunr keeps process-wide static state ({@link JobRunr#configure()}), so runs must not
 * overlap inside one JVM; they may run one after another.
 */
public final class JobRunrPeer {

    /** Smallest poll interval JobRunr 8.x allows for a non-in-memory storage provider. */
    public static final Duration MIN_POLL_INTERVAL = Duration.ofSeconds(5);

    /** Length of each job's string argument, matching Postroom's 200-byte benchmark payloads. */
    public static final int PAYLOAD_LENGTH = 200;

    /** Connections in the pool in front of the SQLite file. */
    public static final int SQLITE_POOL_SIZE = 2;

    /** Connections in the pool in front of the H2 file (H2 allows concurrent writers). */
    public static final int H2_POOL_SIZE = 4;

    /** How often, in milliseconds, the storage provider is asked for job counts during a run. */
    public static final long STATS_POLL_MILLIS = 100;

    /** Upper bound on how long one run may take before it is abandoned. */
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private static final int SQLITE_BUSY_TIMEOUT_MILLIS = 60_000;

    private static final String DB_BASE_NAME = "jobrunr-bench";

    private JobRunrPeer() {
    }

    /** Durable storage back-ends this peer can run JobRunr on. */
    public enum Storage {
        /** JobRunr's {@link SqLiteStorageProvider} on a SQLite file (xerial sqlite-jdbc). */
        SQLITE("SQLite"),
        /** JobRunr's {@link H2StorageProvider} on an H2 file database. */
        H2("H2"),
        /** JobRunr's {@link PostgresStorageProvider} on a PostgreSQL database given by the caller. */
        POSTGRES("PostgreSQL");

        private final String displayName;

        Storage(String displayName) {
            this.displayName = displayName;
        }
    }

    /**
     * Runs the benchmark on JobRunr's SQLite storage, falling back to H2 file storage (noted in the
     * result) if JobRunr cannot be started on SQLite.
     *
     * @param jobs    number of no-op jobs to enqueue and process; must be positive
     * @param workers number of worker threads of the background job server; must be positive
     * @param workDir directory for the database files; created if missing, files of earlier runs
     *                in it are deleted
     * @return the measured throughput
     * @throws Exception if the run fails, a job fails, or the run exceeds its timeout
     */
    public static PeerResult run(int jobs, int workers, Path workDir) throws Exception {
        validate(jobs, workers);
        Started started;
        String fallbackNote = "";
        try {
            started = start(Storage.SQLITE, workers, workDir);
        } catch (Exception sqliteFailure) {
            fallbackNote = "JobRunr's SQLite storage provider failed to start (" + sqliteFailure
                    + "), fell back to H2 file storage; ";
            started = start(Storage.H2, workers, workDir);
        }
        return measure(started, jobs, workers, fallbackNote);
    }

    /**
     * Runs the benchmark on an explicitly chosen storage back-end, without any fallback.
     *
     * @param jobs    number of no-op jobs to enqueue and process; must be positive
     * @param workers number of worker threads of the background job server; must be positive
     * @param workDir directory for the database files; created if missing, files of earlier runs
     *                in it are deleted
     * @param storage the storage back-end to use
     * @return the measured throughput
     * @throws Exception if the run fails, a job fails, or the run exceeds its timeout
     */
    public static PeerResult run(int jobs, int workers, Path workDir, Storage storage) throws Exception {
        validate(jobs, workers);
        return measure(start(storage, workers, workDir), jobs, workers, "");
    }

    /**
     * Runs the benchmark on JobRunr's PostgreSQL storage, in the schema the data source's connections
     * use. The caller owns the data source (and empties the schema beforehand: JobRunr creates its
     * tables there).
     *
     * @param jobs        number of no-op jobs to enqueue and process; must be positive
     * @param workers     number of worker threads of the background job server; must be positive
     * @param dataSource  a pooled data source on the database
     * @param description how the notes describe the storage (URL, schema, pool size)
     * @return the measured throughput
     * @throws Exception if the run fails, a job fails, or the run exceeds its timeout
     */
    public static PeerResult runOnPostgres(int jobs, int workers, HikariDataSource dataSource, String description) throws Exception {
        validate(jobs, workers);
        return measure(startWith(Storage.POSTGRES, description, dataSource, new PostgresStorageProvider(dataSource), workers),
                jobs, workers, "");
    }

    /**
     * Runs 20,000 jobs on 8 workers and prints the result. Optional arguments:
     * {@code [jobs [workers [workDir [SQLITE|H2]]]]}; without a work directory a temporary one is
     * used and deleted afterwards.
     *
     * @param args optional job count, worker count, work directory and storage back-end
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        boolean temporary = args.length <= 2;
        Path workDir = temporary ? Files.createTempDirectory("jobrunr-peer") : Path.of(args[2]);
        try {
            PeerResult result = args.length > 3
                    ? run(jobs, workers, workDir, Storage.valueOf(args[3].toUpperCase(Locale.ROOT)))
                    : run(jobs, workers, workDir);
            System.out.println(result);
        } finally {
            if (temporary) {
                deleteOldDatabaseFiles(workDir);
                Files.deleteIfExists(workDir);
            }
        }
    }

    /** A started JobRunr instance and what is needed to describe and stop it. */
    private record Started(Storage storage, String storageDescription, HikariDataSource dataSource,
                           StorageProvider storageProvider, JobScheduler scheduler) {
    }

    private static void validate(int jobs, int workers) {
        if (jobs <= 0) {
            throw new IllegalArgumentException("jobs must be positive: " + jobs);
        }
        if (workers <= 0) {
            throw new IllegalArgumentException("workers must be positive: " + workers);
        }
    }

    private static Started start(Storage storage, int workers, Path workDir) throws Exception {
        Objects.requireNonNull(storage, "storage");
        Files.createDirectories(workDir);
        deleteOldDatabaseFiles(workDir);

        HikariDataSource dataSource;
        String description;
        switch (storage) {
            case SQLITE -> {
                Path file = workDir.resolve(DB_BASE_NAME + ".db").toAbsolutePath();
                dataSource = pooled(sqliteDataSource(file), SQLITE_POOL_SIZE);
                description = "SQLite file " + file + " (WAL, synchronous=FULL, BEGIN IMMEDIATE, "
                        + SQLITE_POOL_SIZE + "-connection HikariCP pool)";
            }
            case H2 -> {
                Path file = workDir.resolve(DB_BASE_NAME).toAbsolutePath();
                dataSource = pooled(h2DataSource(file), H2_POOL_SIZE);
                description = "H2 file " + file + ".mv.db (" + H2_POOL_SIZE + "-connection HikariCP pool)";
            }
            default -> throw new IllegalArgumentException("unsupported storage " + storage);
        }

        StorageProvider storageProvider;
        try {
            storageProvider = storage == Storage.SQLITE
                    ? new SqLiteStorageProvider(dataSource)
                    : new H2StorageProvider(dataSource);
        } catch (Exception | Error e) {
            dataSource.close();
            throw e;
        }
        return startWith(storage, description, dataSource, storageProvider, workers);
    }

    private static Started startWith(Storage storage, String description, HikariDataSource dataSource,
                                     StorageProvider storageProvider, int workers) throws Exception {
        try {
            BackgroundJobServerConfiguration serverConfiguration = BackgroundJobServerConfiguration
                    .usingStandardBackgroundJobServerConfiguration()
                    .andName("postroom-bench-jobrunr")
                    .andPollInterval(MIN_POLL_INTERVAL)
                    .andBackgroundJobServerWorkerPolicy(new DefaultBackgroundJobServerWorkerPolicy(
                            workers, BackgroundJobServerThreadType.PlatformThreads));
            JobRunrConfigurationResult configured = JobRunr.configure()
                    .useJsonMapper(new JacksonJsonMapper())
                    .useStorageProvider(storageProvider)
                    .useBackgroundJobServer(serverConfiguration, true)
                    .initialize();
            awaitServerReady(configured.getBackgroundJobServer());
            return new Started(storage, description, dataSource, storageProvider,
                    configured.getJobScheduler());
        } catch (Exception | Error e) {
            shutdown(storageProvider, dataSource);
            throw e;
        }
    }

    private static PeerResult measure(Started started, int jobs, int workers, String extraNotes)
            throws Exception {
        try {
            StorageProvider storageProvider = started.storageProvider();
            long baseline = storageProvider.getJobStats().getSucceeded();
            String padding = "x".repeat(PAYLOAD_LENGTH);

            long startNanos = System.nanoTime();
            started.scheduler().enqueue(
                    IntStream.range(0, jobs).mapToObj(i -> payload(i, padding)),
                    payload -> NoOpJob.consume(payload));
            long enqueuedNanos = System.nanoTime();

            long deadline = startNanos + RUN_TIMEOUT.toNanos();
            long lastProgressNanos = enqueuedNanos;
            long longestStallNanos = 0;
            long lastSucceeded = 0;
            while (true) {
                JobStats stats = storageProvider.getJobStats();
                long now = System.nanoTime();
                long succeeded = stats.getSucceeded() - baseline;
                if (succeeded > lastSucceeded) {
                    longestStallNanos = Math.max(longestStallNanos, now - lastProgressNanos);
                    lastProgressNanos = now;
                    lastSucceeded = succeeded;
                }
                if (succeeded >= jobs) {
                    break;
                }
                if (stats.getFailed() > 0) {
                    throw new IllegalStateException(stats.getFailed()
                            + " JobRunr job(s) failed; succeeded so far: " + succeeded + "/" + jobs);
                }
                if (now - deadline > 0) {
                    throw new IllegalStateException("JobRunr run timed out after " + RUN_TIMEOUT
                            + "; succeeded: " + succeeded + "/" + jobs);
                }
                Thread.sleep(STATS_POLL_MILLIS);
            }
            long endNanos = System.nanoTime();

            double seconds = (endNanos - startNanos) / 1e9;
            String notes = extraNotes
                    + "storage=" + started.storageDescription()
                    + "; workers=" + workers + " platform threads"
                    + "; pollInterval=" + MIN_POLL_INTERVAL + " (JobRunr minimum for persistent storage)"
                    + "; dashboard off"
                    + "; payload=" + PAYLOAD_LENGTH + "-char String argument"
                    + String.format(Locale.ROOT,
                            "; bulk enqueue call took %.3f s (workers run meanwhile);"
                                    + " longest gap without progress after it %.3f s",
                            seconds(enqueuedNanos - startNanos),
                            seconds(longestStallNanos));
            String name = "JobRunr 8.7.0 (" + started.storage().displayName + ")";
            return new PeerResult(name, jobs, seconds, jobs / seconds, notes);
        } finally {
            shutdown(started.storageProvider(), started.dataSource());
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Builds a distinct payload of exactly {@link #PAYLOAD_LENGTH} ASCII characters. */
    private static String payload(int index, String padding) {
        String prefix = "msg-" + index + '-';
        return prefix + padding.substring(prefix.length());
    }

    private static SQLiteDataSource sqliteDataSource(Path file) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MILLIS);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + file);
        return dataSource;
    }

    private static JdbcDataSource h2DataSource(Path file) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + file);
        dataSource.setUser("sa");
        dataSource.setPassword("");
        return dataSource;
    }

    private static HikariDataSource pooled(DataSource target, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("jobrunr-bench");
        config.setDataSource(target);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setConnectionTimeout(Duration.ofMinutes(2).toMillis());
        return new HikariDataSource(config);
    }

    private static void awaitServerReady(BackgroundJobServer server) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!(server.isRunning() && server.isAnnounced())) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(
                        "JobRunr background job server did not start within " + STARTUP_TIMEOUT);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Stops the background job server, closes the storage provider (both via JobRunr's own
     * teardown) and then closes the connection pool.
     */
    private static void shutdown(StorageProvider storageProvider, HikariDataSource dataSource) {
        try {
            JobRunr.destroy();
            if (storageProvider != null) {
                // destroy() closes the provider it was configured with; closing again is harmless
                // and covers a failure before initialize() registered it.
                storageProvider.close();
            }
        } finally {
            dataSource.close();
        }
    }

    private static void deleteOldDatabaseFiles(Path workDir) throws IOException {
        try (Stream<Path> files = Files.list(workDir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().startsWith(DB_BASE_NAME)) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }
}
