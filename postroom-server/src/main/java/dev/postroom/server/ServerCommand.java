package dev.postroom.server;

import dev.postroom.server.console.Console;
import dev.postroom.InvalidMessageException;
import dev.postroom.Postroom;
import dev.postroom.server.alert.Alerts;
import dev.postroom.server.alert.DeadLetterFeed;
import dev.postroom.server.alert.WebhookStore;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthDatabase;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.FirstAdmin;
import dev.postroom.server.demo.DemoCommand;
import dev.postroom.server.http.ApiServer;
import dev.postroom.store.MessageStore;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.postgres.PostgresMessageStore;
import dev.postroom.store.postgres.PostgresOptions;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.store.sqlite.SqliteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import dev.postroom.EncryptionKeyException;
import dev.postroom.EncryptionKeys;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code postroom server}: the engine on the embedded SQLite store or on PostgreSQL, plus the HTTP
 * API and the console. Users, API tokens and the audit log live beside the messages: in
 * {@code --data} on the embedded store, in the shared database and schema on PostgreSQL, so that
 * every node of a cluster knows the same users and tokens. Options come from
 * flags, then {@code POSTROOM_*} environment variables, then a properties file
 * ({@code --config}), then defaults (see {@link Settings}).
 */
@Command(name = "server", mixinStandardHelpOptions = true, defaultValueProvider = Settings.class,
        description = {"Run the Postroom server: the HTTP API and console on the embedded SQLite store (--data)",
                "or on PostgreSQL (--store postgres --db-url jdbc:postgresql://host:5432/db), which several nodes may share.",
                "Users, tokens and the audit log live with the messages, shared on PostgreSQL.",
                "Every option can also be set as an environment variable POSTROOM_<NAME> (e.g. POSTROOM_PORT)",
                "or in a properties file given with --config (e.g. port=8080); flags win, then the environment, then the file."})
public final class ServerCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", description = "Port to bind; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data", description = "Data directory of the embedded store, with its users, tokens and audit log; unused with --store postgres (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--store", description = "Store: sqlite or postgres (default: ${DEFAULT-VALUE}).")
    String store;

    @Option(names = "--db-url", description = "PostgreSQL JDBC URL, e.g. jdbc:postgresql://db:5432/postroom (required with --store postgres).")
    String dbUrl;

    @Option(names = "--db-user", description = "PostgreSQL user (default: from the URL).")
    String dbUser;

    @Option(names = "--db-password", description = "PostgreSQL password; prefer POSTROOM_DB_PASSWORD: process listings show flags.")
    String dbPassword;

    @Option(names = "--db-schema", description = "PostgreSQL schema, created if missing; every node of a cluster names the same one (default: the user's search_path).")
    String dbSchema;

    @Option(names = "--db-pool-size", description = "PostgreSQL connections of this node, 1-500 (default: ${DEFAULT-VALUE}).")
    int dbPoolSize;

    @Option(names = "--node", description = "This node's name, [A-Za-z0-9._-]{1,128}, shown in timelines and the node list; "
            + "a restarted node keeps its place under the same name (default: host-pid).")
    String node;

    @Option(names = "--durability", description = "FULL (fsync every commit) or RELAXED (default: ${DEFAULT-VALUE}).")
    SqliteOptions.Durability durability;

    @Option(names = "--encryption-key-file", description = "File holding the key(s) that encrypt the messages of queues with "
            + "encrypted: true: the base64 of 32 random bytes, or keyId:base64 entries separated by commas, the first one "
            + "encrypting. Or give the same text in POSTROOM_ENCRYPTION_KEY. Never stored in the database.")
    Path encryptionKeyFile;

    @Option(names = "--demo", description = "Also create demo queues with handlers and a stream of sample work.")
    boolean demo;

    @Option(names = "--demo-rate", description = "Demo messages per second (default: ${DEFAULT-VALUE}).")
    int demoRate;

    @Option(names = "--config", description = "Properties file with more settings (keys as the long option names).")
    Path config;

    @Option(names = "--shutdown-seconds", description = "How long shutdown waits for running handlers (default: ${DEFAULT-VALUE}).")
    int shutdownSeconds;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        if (!"sqlite".equals(store) && !"postgres".equals(store)) {
            throw new ParameterException(spec.commandLine(), "--store must be sqlite or postgres, was " + store);
        }
        boolean postgres = "postgres".equals(store);
        if (postgres && (dbUrl == null || dbUrl.isBlank())) {
            return fail(2, "--store postgres needs --db-url (or POSTROOM_DB_URL), e.g. jdbc:postgresql://db:5432/postroom");
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0–65535");
        }
        if (demoRate < 1 || demoRate > 10_000) {
            throw new ParameterException(spec.commandLine(), "--demo-rate must be 1–10000");
        }
        if (!postgres) {
            try {
                Files.createDirectories(data);
            } catch (java.io.IOException e) {
                // A read-only disk or a missing permission: the operator fixes the disk, not the command line.
                return fail(1, "cannot create data directory " + data.toAbsolutePath() + ": "
                        + (e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : e.toString()));
            }
        }
        EncryptionKeys keys;
        try {
            keys = encryptionKeys();
        } catch (EncryptionKeyException e) {
            return fail(2, e.getMessage());
        }
        MessageStore messageStore;
        AuthDatabase authDatabase;
        String where;
        if (postgres) {
            if (dbPoolSize < 1 || dbPoolSize > 500) {
                return fail(2, "--db-pool-size must be 1-500, was " + dbPoolSize);
            }
            PostgresOptions options;
            try {
                options = new PostgresOptions(dbUrl, blankToNull(dbUser), blankToNull(dbPassword), dbPoolSize, blankToNull(dbSchema));
            } catch (IllegalArgumentException e) {
                return fail(2, "invalid PostgreSQL setting: " + e.getMessage());
            }
            try {
                messageStore = PostgresMessageStore.open(options);
            } catch (StoreUnavailableException e) {
                log.debug("cannot open the PostgreSQL store", e);
                return fail(1, firstLine(e.getMessage()));
            }
            try {
                // After the store: on a new schema its migrations must come first (see AuthDatabase).
                authDatabase = AuthDatabase.postgres(options);
            } catch (StoreUnavailableException e) {
                log.debug("cannot open users and audit log on PostgreSQL", e);
                messageStore.close();
                return fail(1, firstLine(e.getMessage()));
            }
            where = "store postgres " + options.redactedUrl() + (options.schema() == null ? "" : " schema " + options.schema())
                    + ", users and audit there too";
        } else {
            try {
                messageStore = SqliteMessageStore.open(SqliteOptions.of(data).withDurability(durability));
            } catch (StoreUnavailableException e) {
                // A damaged file, a read-only directory, a full disk: one line says which, no stack trace.
                log.debug("cannot open the SQLite store", e);
                return fail(1, firstLine(e.getMessage()));
            }
            try {
                authDatabase = AuthDatabase.sqlite(data);
            } catch (StoreUnavailableException e) {
                log.debug("cannot open users and audit log", e);
                messageStore.close();
                return fail(1, firstLine(e.getMessage()));
            }
            where = "data in " + data.toAbsolutePath();
        }
        InstantSource clock = InstantSource.system();
        AuthStore auth = AuthStore.open(authDatabase);
        try {
            FirstAdmin.createIfEmpty(auth, System.getenv("POSTROOM_ADMIN_PASSWORD"), System.getenv("POSTROOM_ADMIN_TOKEN"), clock.instant(), out);
        } catch (InvalidMessageException e) {
            auth.close();
            authDatabase.close();
            messageStore.close();
            String variable = "token".equals(e.field()) ? "POSTROOM_ADMIN_TOKEN" : "POSTROOM_ADMIN_PASSWORD";
            return fail(2, variable + " " + e.getMessage().replaceFirst("^" + e.field() + ":? ?", ""));
        }
        AuditLog audit = AuditLog.open(authDatabase, clock);
        ApiServer api = new ApiServer(auth, audit, clock, Console.site(auth, audit, clock));
        // Deaths caused here are heard on the settling path and alerted from the alerts thread.
        DeadLetterFeed deadLetters = new DeadLetterFeed();
        Postroom.Builder builder = Postroom.builder();
        if (node != null) {
            builder.node(node);
        }
        Postroom postroom;
        try {
            postroom = builder
                    .store(messageStore)
                    .encryptionKeys(keys)
                    .listener(dev.postroom.MessageListener.both(api.listener(), deadLetters))
                    .shutdownTimeout(Duration.ofSeconds(shutdownSeconds))
                    .build();
        } catch (EncryptionKeyException e) {
            audit.close();
            auth.close();
            authDatabase.close();
            messageStore.close();
            return fail(1, e.getMessage());
        }
        Thread sender = null;
        if (demo) {
            DemoCommand.BackOffice office = new DemoCommand.BackOffice();
            office.install(postroom);
            sender = Thread.ofPlatform().daemon().name("demo-sender").start(() -> office.sendLoop(postroom, demoRate));
        }
        Alerts alerts = Alerts.start(postroom, new WebhookStore(authDatabase), deadLetters, Alerts.Settings.DEFAULT);
        api.start(postroom, host, port);
        out.printf("Postroom listening on http://%s:%d (%s)%s%n", host, api.port(), where,
                demo ? ", demo work running" : "");
        out.printf("Console: http://%s:%d/console%n", host, api.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread finalSender = sender;
        Runnable shutdown = new Runnable() {
            private boolean done;

            @Override
            public synchronized void run() {
                if (done) {
                    return;
                }
                done = true;
                log.info("shutting down: no new leases, finishing running handlers");
                if (finalSender != null) {
                    finalSender.interrupt();
                }
                api.close();
                alerts.close();
                postroom.close(); // drains the handlers, webhook deliveries included: their client closes after
                alerts.closeDeliveries();
                audit.close();
                auth.close();
                authDatabase.close();
                log.info("shut down cleanly");
                stopped.countDown();
            }
        };
        // SIGTERM and Ctrl-C stop gracefully and the process exits 0; the hook covers other exits.
        for (String signal : new String[]{"TERM", "INT"}) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> Thread.ofPlatform().start(shutdown));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "postroom-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The keys from --encryption-key-file or POSTROOM_ENCRYPTION_KEY; null when neither is given. */
    private EncryptionKeys encryptionKeys() {
        String fromEnvironment = System.getenv("POSTROOM_ENCRYPTION_KEY");
        if (encryptionKeyFile != null && fromEnvironment != null) {
            throw new EncryptionKeyException("give the encryption key either in --encryption-key-file or in POSTROOM_ENCRYPTION_KEY, not both");
        }
        if (encryptionKeyFile == null) {
            return fromEnvironment == null ? null : EncryptionKeys.parse(fromEnvironment);
        }
        try {
            return EncryptionKeys.parse(Files.readString(encryptionKeyFile));
        } catch (java.io.IOException e) {
            throw new EncryptionKeyException("cannot read --encryption-key-file " + encryptionKeyFile + ": "
                    + (e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage()));
        }
    }

    /** One line on stderr, no usage: the operator fixes the setting or the database, not the command. */
    private int fail(int exitCode, String message) {
        spec.commandLine().getErr().println("postroom server: " + message);
        return exitCode;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String firstLine(String message) {
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline).strip();
    }
}
