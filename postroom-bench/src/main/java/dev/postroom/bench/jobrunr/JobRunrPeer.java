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
 *
 * <h2>Fairness tuning</h2>
 * <ul>
 *   <li>Durable storage: JobRunr's own {@link SqLiteStorageProvider} on a file in {@code workDir}
 *       (WAL journal, {@code synchronous=FULL}, generous busy timeout). If SQLite cannot be set up,
 *       {@link #run(int, int, Path)} falls back to {@link H2StorageProvider} on an H2 file database
 *       and says so in {@link PeerResult#notes()}.</li>
 *   <li>Exactly {@code workers} platform worker threads in one in-process
 *       {@link BackgroundJobServer}.</li>
 *   <li>Poll interval set to {@link #MIN_POLL_INTERVAL}, 5 seconds: the smallest value JobRunr
 *       accepts for any persistent storage provider ({@code AbstractStorageProvider.validatePollInterval}
 *       rejects anything shorter; only the in-memory provider may go down to 200 ms). The poll
 *       interval mostly bounds the delay before the first batch is picked up: whenever a worker
 *       becomes idle, JobRunr fetches new work immediately rather than waiting for the next poll.</li>
 *   <li>Dashboard, JMX and metrics integrations are left off. Succeeded jobs are kept (JobRunr's
 *       default clean-up after 36 hours never triggers during a run).</li>
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

    /** Upper bound on how long one run may take before it is abandoned. */
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(15);

    /** How often the storage provider is asked for job counts while waiting for completion. */
    private static final Duration STATS_POLL = Duration.ofMillis(20);

    private static final int SQLITE_BUSY_TIMEOUT_MILLIS = 60_000;

    private static final String DB_BASE_NAME = "jobrunr-bench";

    private JobRunrPeer() {
    }

    /** Durable storage back-ends this peer can run JobRunr on. */
    public enum Storage {
        /** JobRunr's {@link SqLiteStorageProvider} on a SQLite file (xerial sqlite-jdbc). */
        SQLITE,
        /** JobRunr's {@link H2StorageProvider} on an H2 file database. */
        H2
    }

    /**
     * Runs the benchmark on JobRunr's SQLite storage, falling back to H2 file storage (noted in the
     * result) if JobRunr cannot be started on SQLite.
     *
     * @param jobs    number of no-op jobs to enqueue and process; must be positive
     * @param workers number of worker threads of the background job server; must be positive
     * @param workDir directory for the database files; created if missing, earlier benchmark files
     *                in it are deleted
     * @return the measured throughput
     * @throws Exception if the run fails, a job fails, or the run exceeds its timeout
     */
    public static PeerResult run(int jobs, int workers, Path workDir) throws Exception {
        Started started;
        String fallbackNote = "";
        try {
            started = start(Storage.SQLITE, workers, workDir);
        } catch (Exception sqliteFailure) {
            fallbackNote = "SQLite storage provider failed to start (" + sqliteFailure
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
     * @param workDir directory for the database files; created if missing, earlier benchmark files
     *                in it are deleted
     * @param storage the storage back-end to use
     * @return the measured throughput
     * @throws Exception if the run fails, a job fails, or the run exceeds its timeout
     */
    public static PeerResult run(int jobs, int workers, Path workDir, Storage storage) throws Exception {
        return measure(start(storage, workers, workDir), jobs, workers, "");
    }

    /**
     * Runs 20,000 jobs on 8 workers (or {@code jobs workers [workDir [SQLITE|H2]]} from the command
     * line) and prints the result.
     *
     * @param args optional job count, worker count, work directory and storage back-end
     * @throws Exception if the run fails
     */
    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path workDir = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("jobrunr-peer");
        PeerResult result = args.length > 3
                ? run(jobs, workers, workDir, Storage.valueOf(args[3].toUpperCase(Locale.ROOT)))
                : run(jobs, workers, workDir);
        System.out.println(result);
    }

    /** A started JobRunr instance and the details needed to describe it. */
    private record Started(Storage storage, String storageDescription, StorageProvider storageProvider,
                           JobScheduler scheduler, BackgroundJobServer server) {
    }

    private static Started start(Storage storage, int workers, Path workDir) throws Exception {
        if (workers <= 0) {
            throw new IllegalArgumentException("workers must be positive: " + workers);
        }
        Objects.requireNonNull(storage, "storage");
        Files.createDirectories(workDir);
        deleteOldDatabaseFiles(workDir);

        StorageProvider storageProvider;
        String description;
        switch (storage) {
            case SQLITE -> {
                Path file = workDir.resolve(DB_BASE_NAME + ".db").toAbsolutePath();
                storageProvider = new SqLiteStorageProvider(sqliteDataSource(file));
                description = "SQLite file " + file + " (WAL, synchronous=FULL)";
            }
            case H2 -> {
                Path file = workDir.resolve(DB_BASE_NAME).toAbsolutePath();
                storageProvider = new H2StorageProvider(h2DataSource(file));
                description = "H2 file " + file + ".mv.db";
            }
            default -> throw new IllegalArgumentException("unsupported storage " + storage);
        }

        BackgroundJobServerConfiguration serverConfiguration = BackgroundJobServerConfiguration
                .usingStandardBackgroundJobServerConfiguration()
                .andName("postroom-bench-jobrunr")
                .andPollInterval(MIN_POLL_INTERVAL)
                .andBackgroundJobServerWorkerPolicy(new DefaultBackgroundJobServerWorkerPolicy(
                        workers, BackgroundJobServerThreadType.valueOf(System.getProperty("xp.threads", "PlatformThreads"))));
        try {
            JobRunrConfigurationResult configured = JobRunr.configure()
                    .useJsonMapper(new JacksonJsonMapper())
                    .useStorageProvider(storageProvider)
                    .useBackgroundJobServer(serverConfiguration, true)
                    .initialize();
            Started started = new Started(storage, description, storageProvider,
                    configured.getJobScheduler(), configured.getBackgroundJobServer());
            awaitServerReady(started.server());
            return started;
        } catch (Exception | Error e) {
            shutdown(storageProvider);
            throw e;
        }
    }

    private static PeerResult measure(Started started, int jobs, int workers, String extraNotes)
            throws Exception {
        try {
            if (jobs <= 0) {
                throw new IllegalArgumentException("jobs must be positive: " + jobs);
            }
            StorageProvider storageProvider = started.storageProvider();
            long baseline = storageProvider.getJobStats().getSucceeded();
            String padding = "x".repeat(PAYLOAD_LENGTH);

            long startNanos = System.nanoTime();
            started.scheduler().enqueue(
                    IntStream.range(0, jobs).mapToObj(i -> payload(i, padding)),
                    payload -> NoOpJob.consume(payload));
            long enqueuedNanos = System.nanoTime();

            long deadline = startNanos + RUN_TIMEOUT.toNanos();
            long firstSuccessNanos = -1;
            while (true) {
                long q0 = System.nanoTime();
                JobStats stats = storageProvider.getJobStats();
                if (Boolean.getBoolean("xp.qtime")) { System.out.printf("QT %.2f ms%n", (System.nanoTime()-q0)/1e6); }
                long succeeded = stats.getSucceeded() - baseline;
                if (Boolean.getBoolean("xp.trace")) { System.out.printf("XP %.2f %d %d %d%n", (System.nanoTime()-startNanos)/1e9, succeeded, stats.getEnqueued(), stats.getProcessing()); }
                if (succeeded > 0 && firstSuccessNanos < 0) {
                    firstSuccessNanos = System.nanoTime();
                }
                if (succeeded >= jobs) {
                    break;
                }
                if (stats.getFailed() > 0) {
                    throw new IllegalStateException(stats.getFailed()
                            + " JobRunr job(s) failed; succeeded so far: " + succeeded + "/" + jobs);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("JobRunr run timed out after " + RUN_TIMEOUT
                            + "; succeeded: " + succeeded + "/" + jobs);
                }
                Thread.sleep(Long.getLong("xp.poll", STATS_POLL.toMillis()));
            }
            long endNanos = System.nanoTime();

            double seconds = (endNanos - startNanos) / 1e9;
            String notes = extraNotes
                    + "storage=" + started.storageDescription()
                    + "; workers=" + workers + " platform threads"
                    + "; pollInterval=" + MIN_POLL_INTERVAL + " (JobRunr minimum for persistent storage)"
                    + "; dashboard off"
                    + String.format(Locale.ROOT, "; bulk enqueue took %.3f s", (enqueuedNanos - startNanos) / 1e9)
                    + String.format(Locale.ROOT, "; first success observed after %.3f s",
                            (firstSuccessNanos - startNanos) / 1e9)
                    + "; payload=" + PAYLOAD_LENGTH + "-char String argument";
            String name = "JobRunr 8.7.0 (" + (started.storage() == Storage.SQLITE ? "SQLite" : "H2") + ")";
            return new PeerResult(name, jobs, seconds, jobs / seconds, notes);
        } finally {
            shutdown(started.storageProvider());
        }
    }

    /** Builds a distinct payload of exactly {@link #PAYLOAD_LENGTH} ASCII characters. */
    private static String payload(int index, String padding) {
        String prefix = "msg-" + index + '-';
        return prefix + padding.substring(prefix.length());
    }

    private static DataSource sqliteDataSource(Path file) {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(System.getProperty("xp.sync", "FULL")));
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MILLIS);
        config.setTransactionMode(SQLiteConfig.TransactionMode.valueOf(System.getProperty("xp.tx", "DEFERRED")));
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl("jdbc:sqlite:" + file);
        int pool = Integer.getInteger("xp.pool", 0);
        if (pool > 0) {
            com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
            hc.setDataSource(dataSource);
            hc.setMaximumPoolSize(pool);
            hc.setConnectionTimeout(120_000);
            return new com.zaxxer.hikari.HikariDataSource(hc);
        }
        return dataSource;
    }

    private static DataSource h2DataSource(Path file) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + file + ";DB_CLOSE_DELAY=-1");
        dataSource.setUser("sa");
        dataSource.setPassword("");
        return dataSource;
    }

    private static void awaitServerReady(BackgroundJobServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(server.isRunning() && server.isAnnounced())) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("JobRunr background job server did not start within 60 s");
            }
            Thread.sleep(10);
        }
    }

    /** Stops the background job server and closes the storage provider (via JobRunr's own teardown). */
    private static void shutdown(StorageProvider storageProvider) {
        try {
            JobRunr.destroy();
        } finally {
            // destroy() closes the provider it was configured with; closing again is harmless and
            // covers a failure before initialize() registered it.
            storageProvider.close();
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
