package dev.postroom.server;

import dev.postroom.Postroom;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Role;
import dev.postroom.server.auth.Scope;
import dev.postroom.server.demo.DemoCommand;
import dev.postroom.server.http.ApiServer;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.store.sqlite.SqliteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code postroom server}: the engine on the embedded store plus the HTTP API. Options come from
 * flags, then {@code POSTROOM_*} environment variables, then a properties file
 * ({@code --config}), then defaults (see {@link Settings}).
 */
@Command(name = "server", mixinStandardHelpOptions = true, defaultValueProvider = Settings.class,
        description = {"Run the Postroom server: the HTTP API on the embedded SQLite store.",
                "Every option can also be set as an environment variable POSTROOM_<NAME> (e.g. POSTROOM_PORT)",
                "or in a properties file given with --config (e.g. port=8080); flags win, then the environment, then the file."})
public final class ServerCommand implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ServerCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", description = "Port to bind; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data", description = "Data directory of the embedded store (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--store", description = "Store: sqlite (default: ${DEFAULT-VALUE}); postgres comes later.")
    String store;

    @Option(names = "--durability", description = "FULL (fsync every commit) or RELAXED (default: ${DEFAULT-VALUE}).")
    SqliteOptions.Durability durability;

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
    public void run() {
        if (!"sqlite".equals(store)) {
            throw new ParameterException(spec.commandLine(), "--store " + store + " is not available yet; use sqlite");
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0–65535");
        }
        if (demoRate < 1 || demoRate > 10_000) {
            throw new ParameterException(spec.commandLine(), "--demo-rate must be 1–10000");
        }
        try {
            Files.createDirectories(data);
        } catch (java.io.IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot create data directory " + data + ": " + e.getMessage());
        }
        InstantSource clock = InstantSource.system();
        AuthStore auth = AuthStore.open(data);
        bootstrap(auth, clock.instant());
        AuditLog audit = AuditLog.open(data, clock);
        ApiServer api = new ApiServer(auth, audit, clock);
        Postroom postroom = Postroom.builder()
                .store(SqliteMessageStore.open(SqliteOptions.of(data).withDurability(durability)))
                .listener(api.listener())
                .shutdownTimeout(Duration.ofSeconds(shutdownSeconds))
                .build();
        Thread sender = null;
        if (demo) {
            DemoCommand.BackOffice office = new DemoCommand.BackOffice();
            office.install(postroom);
            sender = Thread.ofPlatform().daemon().name("demo-sender").start(() -> office.sendLoop(postroom, demoRate));
        }
        api.start(postroom, host, port);
        out.printf("Postroom listening on http://%s:%d (data in %s)%s%n", host, api.port(), data.toAbsolutePath(),
                demo ? ", demo work running" : "");
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
                postroom.close();
                audit.close();
                auth.close();
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
    }

    /** First start on an empty store: an admin user and an admin token, printed once (or taken from the environment). */
    private void bootstrap(AuthStore auth, Instant now) {
        if (auth.hasUsers()) {
            return;
        }
        String password = System.getenv("POSTROOM_ADMIN_PASSWORD");
        String token = System.getenv("POSTROOM_ADMIN_TOKEN");
        boolean printPassword = password == null || password.isBlank();
        boolean printToken = token == null || token.isBlank();
        if (printPassword) {
            password = random(18);
        }
        auth.addUser("admin", password, Role.ADMIN, now);
        String secret = printToken
                ? auth.createToken("admin", List.of(Scope.parse("admin")), now).secret()
                : auth.importToken("admin", token, List.of(Scope.parse("admin")), now).secret();
        out.println("First start: created user 'admin' and an admin API token. They are shown only now.");
        out.println("  admin password: " + (printPassword ? password : "(from POSTROOM_ADMIN_PASSWORD)"));
        out.println("  admin token:    " + (printToken ? secret : "(from POSTROOM_ADMIN_TOKEN)"));
    }

    private static String random(int bytes) {
        byte[] buffer = new byte[bytes];
        new SecureRandom().nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }
}
