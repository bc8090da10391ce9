package dev.postroom.spring;

import dev.postroom.MessageListener;
import dev.postroom.Postroom;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthDatabase;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.FirstAdmin;
import dev.postroom.server.console.Console;
import dev.postroom.server.http.ApiServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.InstantSource;

/**
 * Postroom's HTTP API and console on a port of their own beside the application, as the standalone
 * server serves them: the same routes, users, API tokens, roles and audit log. Its users and tokens
 * live beside the messages: {@code auth.db} in the SQLite data directory, or tables in the
 * application's PostgreSQL database.
 */
public final class PostroomConsole implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PostroomConsole.class);
    private final AuthDatabase database;
    private final AuthStore auth;
    private final AuditLog audit;
    private final ApiServer api;
    private final String host;
    private final int port;
    private volatile boolean started;

    private PostroomConsole(AuthDatabase database, String host, int port) {
        InstantSource clock = InstantSource.system();
        this.database = database;
        this.host = host;
        this.port = port;
        AuthStore openedAuth = null;
        AuditLog openedAudit = null;
        try {
            openedAuth = AuthStore.open(database);
            openedAudit = AuditLog.open(database, clock);
            this.api = new ApiServer(openedAuth, openedAudit, clock, Console.site(openedAuth, openedAudit, clock));
        } catch (RuntimeException e) {
            closeQuietly(openedAudit);
            closeQuietly(openedAuth);
            throw e;
        }
        this.auth = openedAuth;
        this.audit = openedAudit;
    }

    /**
     * Opens users, tokens and the audit log in {@code database}; on first start creates user
     * {@code admin} and an admin token from the given secrets, or random ones printed once to
     * {@code out}. Serves nothing until {@link #start}.
     */
    static PostroomConsole open(AuthDatabase database, String host, int port, String adminPassword, String adminToken, PrintStream out) {
        PostroomConsole console = new PostroomConsole(database, host, port);
        try {
            FirstAdmin.createIfEmpty(console.auth, adminPassword, adminToken, InstantSource.system().instant(), out);
        } catch (RuntimeException e) {
            console.close();
            throw e;
        }
        return console;
    }

    /** What the live views and metrics hear: Postroom reports every change of this node to it. */
    public MessageListener listener() {
        return api.listener();
    }

    /** Starts serving {@code postroom}. */
    void start(Postroom postroom) {
        api.start(postroom, host, port);
        started = true;
        log.info("postroom console listening url={}", url());
    }

    /** The port it listens on (the one chosen when {@code postroom.console.port} is 0), once started. */
    public int port() {
        if (!started) {
            throw new IllegalStateException("the console has not started yet: it starts with the application");
        }
        return api.port();
    }

    /** Where operators open the console, e.g. {@code http://127.0.0.1:8082/console}. */
    public String url() {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/console";
    }

    @Override
    public void close() {
        api.close();
        closeQuietly(audit);
        closeQuietly(auth);
        database.close();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("closing {} failed: {}", closeable, e.toString());
        }
    }
}
