package dev.postroom.server.console;

import dev.postroom.Postroom;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Role;
import dev.postroom.server.http.ApiServer;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real server on a random port with three console users, one per role: {@code admin},
 * {@code operator}, {@code viewer}, each with password {@link #PASSWORD}. One per test class;
 * tests keep apart by their own queue names ({@link #uniqueQueue}).
 */
final class ConsoleFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    static final String PASSWORD = "correct horse battery";
    private static final AtomicInteger QUEUES = new AtomicInteger();

    /** How far the console's clock runs ahead of the system's: for tests of sessions that expire. */
    private volatile Duration ahead = Duration.ZERO;
    private final InstantSource clock = () -> Instant.now().plus(ahead);
    private Path ownDir;
    private AuthStore auth;
    private AuditLog audit;
    private ApiServer api;
    private Postroom postroom;

    /** For {@code @RegisterExtension static final ConsoleFixture console = new ConsoleFixture();}: starts before the class's tests in a temp dir of its own, stops after. */
    ConsoleFixture() {
    }

    private ConsoleFixture(Path dir) {
        open(dir);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        ownDir = Files.createTempDirectory("postroom-console");
        open(ownDir);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
        try (Stream<Path> files = Files.walk(ownDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    private void open(Path dir) {
        auth = AuthStore.open(dir);
        for (Role role : Role.values()) {
            auth.addUser(role.name().toLowerCase(), PASSWORD, role, Instant.now());
        }
        audit = AuditLog.open(dir, clock);
        api = new ApiServer(auth, audit, clock, Console.site(auth, audit, clock));
        postroom = Postroom.builder().store(SqliteMessageStore.open(dir.resolve("data"))).listener(api.listener())
                .encryptionKeys(dev.postroom.EncryptionKeys.of("console", new byte[32])).build();
        api.start(postroom, "127.0.0.1", 0);
    }

    static ConsoleFixture start(Path dir) {
        return new ConsoleFixture(dir);
    }

    /** Moves the console's clock {@code by} ahead of the system clock (sessions, audit times); the engine keeps the system's. */
    void moveClockAhead(Duration by) {
        ahead = ahead.plus(by);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + api.port();
    }

    Postroom postroom() {
        return postroom;
    }

    ApiServer api() {
        return api;
    }

    AuditLog audit() {
        return audit;
    }

    AuthStore auth() {
        return auth;
    }

    /** A browser-like client signed in as {@code username} (one of admin, operator, viewer). */
    ConsoleClient signIn(String username) {
        ConsoleClient client = new ConsoleClient(baseUrl());
        client.signIn(username, PASSWORD);
        return client;
    }

    /** A client with no session. */
    ConsoleClient anonymous() {
        return new ConsoleClient(baseUrl());
    }

    static String uniqueQueue(String prefix) {
        return prefix + "." + QUEUES.incrementAndGet();
    }

    @Override
    public void close() {
        api.close();
        postroom.close();
        audit.close();
        auth.close();
    }
}
