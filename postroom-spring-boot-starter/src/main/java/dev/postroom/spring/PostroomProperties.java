package dev.postroom.spring;

import dev.postroom.store.sqlite.SqliteOptions;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Postroom's settings in a Spring Boot application, under {@code postroom.*}. Checked when they
 * are bound: a duration that must be positive names its property; a queue policy out of range is
 * refused by Postroom itself at start-up, naming its property too.
 * <pre>
 * postroom.store=sqlite
 * postroom.sqlite.data-dir=/var/lib/myapp/postroom
 * postroom.queues.refunds.max-attempts=3
 * postroom.queues[billing.refund].lease=2m
 * </pre>
 */
@ConfigurationProperties("postroom")
public class PostroomProperties implements Validator {

    /** Where Postroom keeps its messages. */
    public enum StoreType {
        /** The embedded store: one SQLite file in {@code postroom.sqlite.data-dir}, for one process. */
        SQLITE,
        /** PostgreSQL through the application's {@code DataSource}, shared by every node. */
        POSTGRES
    }

    /** Whether to auto-configure Postroom. */
    private boolean enabled = true;

    /** Where Postroom keeps its messages: sqlite (embedded, one process) or postgres (the application's DataSource, many nodes). */
    private StoreType store = StoreType.SQLITE;

    /** This node's name on message timelines and in the list of nodes; default host-pid. */
    private String node;

    /** How long stopping waits for running handlers to finish before their messages are left for redelivery. */
    private Duration shutdownTimeout = Duration.ofSeconds(30);

    private final Sqlite sqlite = new Sqlite();

    private final Postgres postgres = new Postgres();

    private final Health health = new Health();

    private final Console console = new Console();

    /**
     * Exception types no retry can fix: a listener that throws one (or one caused by one) sends its
     * message to DEAD after that attempt, as dev.postroom.GiveUpException does.
     */
    private List<Class<? extends Throwable>> nonRetryableExceptions = new ArrayList<>();

    /**
     * Queues to create at start-up, by name, each with the parts of its policy that differ from
     * the default; a queue that exists gets this policy. Names with dots or capitals go in
     * brackets: postroom.queues[billing.refund].max-attempts.
     */
    private final Map<String, Queue> queues = new LinkedHashMap<>();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public StoreType getStore() {
        return store;
    }

    public void setStore(StoreType store) {
        this.store = store;
    }

    public String getNode() {
        return node;
    }

    public void setNode(String node) {
        this.node = node;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public Sqlite getSqlite() {
        return sqlite;
    }

    public Postgres getPostgres() {
        return postgres;
    }

    public List<Class<? extends Throwable>> getNonRetryableExceptions() {
        return nonRetryableExceptions;
    }

    public void setNonRetryableExceptions(List<Class<? extends Throwable>> nonRetryableExceptions) {
        this.nonRetryableExceptions = nonRetryableExceptions;
    }

    public Console getConsole() {
        return console;
    }

    public Health getHealth() {
        return health;
    }

    public Map<String, Queue> getQueues() {
        return queues;
    }

    /** The embedded store ({@code postroom.store=sqlite}). */
    public static class Sqlite {
        /** Directory of the embedded store's file (postroom.db), created if missing. */
        private Path dataDir = Path.of("./postroom-data");

        /** FULL fsyncs every commit; RELAXED survives a crash of the process but may lose the last commits on power loss. */
        private SqliteOptions.Durability durability = SqliteOptions.Durability.FULL;

        public Path getDataDir() {
            return dataDir;
        }

        public void setDataDir(Path dataDir) {
            this.dataDir = dataDir;
        }

        public SqliteOptions.Durability getDurability() {
            return durability;
        }

        public void setDurability(SqliteOptions.Durability durability) {
            this.durability = durability;
        }
    }

    /** The PostgreSQL store ({@code postroom.store=postgres}), on the application's DataSource. */
    public static class Postgres {
        /**
         * Schema of Postroom's tables, created if missing (a lower-case SQL identifier); default the
         * first schema of the DataSource connections' search path.
         */
        private String schema;

        public String getSchema() {
            return schema;
        }

        public void setSchema(String schema) {
            this.schema = schema;
        }
    }

    /** The {@code postroom} health indicator (with Spring Boot's health module). */
    /**
     * Postroom's HTTP API and console on a port of their own, as the standalone server serves them
     * (needs postroom-server on the class path).
     */
    public static class Console {
        /** Whether to serve the console when its port is set. */
        private boolean enabled = true;

        /** Port of the HTTP API and console; unset: no console. 0 picks a free port. */
        private Integer port;

        /** Address the console listens on; 127.0.0.1 keeps it on this machine (put a TLS proxy in front for others). */
        private String host = "127.0.0.1";

        /** Password of user admin, created on the first start of an empty user store; unset: POSTROOM_ADMIN_PASSWORD, else a random one printed once. */
        private String adminPassword;

        /** Secret of the first admin API token (pr_ and 32-128 characters); unset: POSTROOM_ADMIN_TOKEN, else a random one printed once. */
        private String adminToken;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Integer getPort() {
            return port;
        }

        public void setPort(Integer port) {
            this.port = port;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public String getAdminPassword() {
            return adminPassword;
        }

        public void setAdminPassword(String adminPassword) {
            this.adminPassword = adminPassword;
        }

        public String getAdminToken() {
            return adminToken;
        }

        public void setAdminToken(String adminToken) {
            this.adminToken = adminToken;
        }
    }

    public static class Health {
        /** How long a queue's oldest READY message may wait before the health details list the queue as stale. */
        private Duration staleAfter = Duration.ofMinutes(5);

        public Duration getStaleAfter() {
            return staleAfter;
        }

        public void setStaleAfter(Duration staleAfter) {
            this.staleAfter = staleAfter;
        }
    }

    /**
     * One queue's policy; what is not set keeps Postroom's default ({@code QueuePolicy.DEFAULT}).
     * The names follow {@link dev.postroom.QueuePolicy}'s.
     */
    public static class Queue {
        /** Deliveries before a failing message is dead (1-1000); default 5. */
        private Integer maxAttempts;

        /** Lease (visibility timeout) of a delivery, 1s to 12h; default 30s. */
        private Duration lease;

        /** Messages of the queue in flight at once, across every node (1-10000); default 64. */
        private Integer concurrency;

        /** How long SUCCEEDED and CANCELLED messages are kept; default 24h. */
        private Duration retention;

        /** How long DEAD messages are kept; default 7d. */
        private Duration deadRetention;

        /**
         * The longest one attempt may run (1s to 7d): past it the listener is interrupted and the
         * attempt fails with a timeout error. Default: no limit.
         */
        private Duration maxRun;

        private final Backoff backoff = new Backoff();

        private final Rate rateLimit = new Rate();

        private final PerKey perKey = new PerKey();

        public Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public Duration getLease() {
            return lease;
        }

        public void setLease(Duration lease) {
            this.lease = lease;
        }

        public Integer getConcurrency() {
            return concurrency;
        }

        public void setConcurrency(Integer concurrency) {
            this.concurrency = concurrency;
        }

        public Duration getRetention() {
            return retention;
        }

        public void setRetention(Duration retention) {
            this.retention = retention;
        }

        public Duration getDeadRetention() {
            return deadRetention;
        }

        public void setDeadRetention(Duration deadRetention) {
            this.deadRetention = deadRetention;
        }

        public Duration getMaxRun() {
            return maxRun;
        }

        public void setMaxRun(Duration maxRun) {
            this.maxRun = maxRun;
        }

        public Backoff getBackoff() {
            return backoff;
        }

        public Rate getRateLimit() {
            return rateLimit;
        }

        public PerKey getPerKey() {
            return perKey;
        }
    }

    /** Exponential backoff between attempts; default 1s, doubling, at most 10m. */
    public static class Backoff {
        /** Delay before the first retry; default 1s. */
        private Duration initial;

        /** The longest delay between attempts; default 10m. */
        private Duration max;

        /** Growth of the delay per attempt (1-100); default 2. */
        private Double multiplier;

        public Duration getInitial() {
            return initial;
        }

        public void setInitial(Duration initial) {
            this.initial = initial;
        }

        public Duration getMax() {
            return max;
        }

        public void setMax(Duration max) {
            this.max = max;
        }

        public Double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(Double multiplier) {
            this.multiplier = multiplier;
        }
    }

    /** A rate limit: at most {@code count} messages handed out per {@code per}, cluster-wide; none when count is not set. */
    public static class Rate {
        /** Messages handed out per interval (1-1000000). */
        private Integer count;

        /** The interval of the rate limit; default 1s. */
        private Duration per;

        public Integer getCount() {
            return count;
        }

        public void setCount(Integer count) {
            this.count = count;
        }

        public Duration getPer() {
            return per;
        }

        public void setPer(Duration per) {
            this.per = per;
        }
    }

    /** Limits per key (a header's value, or the ordering key); none unless max-in-flight or a rate limit is set. */
    public static class PerKey {
        /** Header whose value is the key; default the ordering key. */
        private String header;

        /** Messages of one key in flight at once, cluster-wide (1-10000). */
        private Integer maxInFlight;

        private final Rate rateLimit = new Rate();

        public String getHeader() {
            return header;
        }

        public void setHeader(String header) {
            this.header = header;
        }

        public Integer getMaxInFlight() {
            return maxInFlight;
        }

        public void setMaxInFlight(Integer maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        public Rate getRateLimit() {
            return rateLimit;
        }
    }

    // ---------------------------------------------------------------- validation when bound

    @Override
    public boolean supports(Class<?> type) {
        return PostroomProperties.class.isAssignableFrom(type);
    }

    /** Checks what Postroom's own checks do not reach: the durations of the starter's settings. */
    @Override
    public void validate(Object target, Errors errors) {
        PostroomProperties properties = (PostroomProperties) target;
        positive(errors, "shutdownTimeout", properties.getShutdownTimeout(), true);
        positive(errors, "health.staleAfter", properties.getHealth().getStaleAfter(), false);
        if (properties.getSqlite().getDataDir() == null) {
            errors.rejectValue("sqlite.dataDir", "required", "must be set");
        }
        Integer consolePort = properties.getConsole().getPort();
        if (consolePort != null && (consolePort < 0 || consolePort > 65535)) {
            errors.rejectValue("console.port", "range", "must be 0-65535 (0 picks a free port)");
        }
    }

    private static void positive(Errors errors, String field, Duration value, boolean zeroAllowed) {
        if (value == null || value.isNegative() || (!zeroAllowed && value.isZero())) {
            errors.rejectValue(field, "range", zeroAllowed ? "must not be negative" : "must be positive");
        }
    }
}
