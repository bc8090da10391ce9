package dev.postroom.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.MessageListener;
import dev.postroom.Postroom;
import dev.postroom.server.activity.Activity;
import dev.postroom.server.alert.WebhookStore;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Scope;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP server: API v1, events, health, metrics. Build it with the engine's listener wired in
 * ({@link #listener()} must be passed to {@code Postroom.builder().listener(...)}), then
 * {@link #start}. Every {@code /api/} route needs a bearer token; {@code /health/*} needs none.
 * Request bodies are limited to {@link #MAX_BODY_BYTES}, headers to 16 KiB, idle connections
 * close after 30 s.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    /** One line per request, a logger of its own so that an operator can turn them off alone. */
    private static final Logger requests = LoggerFactory.getLogger("dev.postroom.server.http.requests");
    /** A full batch of 1,000 messages of a few KiB each; single payloads are capped at 256 KiB by the engine. */
    public static final long MAX_BODY_BYTES = 8L * 1024 * 1024;
    /** The most of a body read for a request without a valid token, so that its answer arrives whole. */
    private static final long UNAUTHENTICATED_DRAIN_BYTES = 64 * 1024;
    private static final String STREAM_SLOT = "postroom.streamSlot";

    private final ObjectMapper mapper = Bodies.mapper();
    private final AuthStore auth;
    private final AuditLog audit;
    private final InstantSource clock;
    private final FinalStates finalStates = new FinalStates();
    /** Long-polls (receive with a wait, GET a message with waitSeconds) open at once. */
    static final int LONG_POLLS_PER_TOKEN = 128;
    static final int LONG_POLLS_TOTAL = 2048;
    /** Event streams open at once. */
    static final int STREAMS_PER_TOKEN = 16;
    static final int STREAMS_TOTAL = 256;
    private final WaiterLimit longPolls = new WaiterLimit("long-polls", LONG_POLLS_PER_TOKEN, LONG_POLLS_TOTAL, 1);
    private final WaiterLimit streams = new WaiterLimit("event streams", STREAMS_PER_TOKEN, STREAMS_TOTAL, 5);
    private final Metrics metrics = new Metrics();
    private final Activity activity;
    private final EventStream events;
    private final MessageListener listener;
    private Javalin app;
    private final Site.Factory sites;
    private Site site;
    private volatile Postroom postroom;

    /**
     * Operator actions done over the API are recorded in {@code audit}; {@code sites} makes the pages
     * served beside the API (the console), or is null for the API alone.
     */
    public ApiServer(AuthStore auth, AuditLog audit, InstantSource clock, Site.Factory sites) {
        this.sites = sites;
        this.auth = auth;
        this.audit = audit;
        this.clock = clock;
        this.activity = new Activity(clock);
        this.events = new EventStream(mapper, activity);
        this.listener = new Listeners(List.of(finalStates, events, metrics.meters(), activity));
    }

    /** Recent per-second activity of every queue, fed by {@link #listener()}; for the console's charts. */
    public Activity activity() {
        return activity;
    }

    /** The listener to give the engine: feeds long-polls, events, metrics and {@link #activity()}. */
    public MessageListener listener() {
        return listener;
    }

    /** Starts serving {@code postroom} on host:port (port 0 picks a free one). */
    public ApiServer start(Postroom postroom, String host, int port) {
        this.postroom = postroom;
        finalStates.attach(postroom);
        events.attach(postroom);
        metrics.attach(postroom);
        Access access = new Access(auth, clock);
        String openApi = resource("/openapi.json");
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.jsonMapper(new JavalinJackson(mapper, true));
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.jetty.modifyHttpConfiguration(http -> {
                http.setRequestHeaderSize(16 * 1024);
                http.setSendServerVersion(false);
            });
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new JettyProblems(mapper));
                for (var connector : server.getConnectors()) {
                    if (connector instanceof ServerConnector c) {
                        c.setIdleTimeout(30_000);
                    }
                }
            });
            var routes = config.routes;
            // first, so that requests refused by the filters below are timed too (else the timer sees a negative duration)
            routes.before(ctx -> ctx.attribute("postroom.started", System.nanoTime()));
            routes.before("/api/*", ctx -> {
                access.authenticate(ctx); // first: nothing about a request is looked at for someone without a token
                boolean hasBody = ctx.contentLength() > 0 || ctx.header("Transfer-Encoding") != null;
                if (("GET".equals(ctx.method().name()) || "DELETE".equals(ctx.method().name())) && hasBody) {
                    throw ApiException.badRequest("body", ctx.method().name() + " takes no body");
                }
            });
            routes.before("/metrics", access::authenticate);
            routes.after(ctx -> {
                drainBody(ctx);
                metrics.requestTimer(ctx.method().name(), routeOf(ctx), ctx.statusCode())
                        .record(System.nanoTime() - startOf(ctx), TimeUnit.NANOSECONDS);
                if (ctx.attribute(Problems.STORE_FAILED) != null) {
                    metrics.meters().storeFailed("request");
                }
                // One line per request; the server's logback.xml hands lines to a background writer, so this
                // costs the request a queue insert, not a console write.
                if (requests.isInfoEnabled()) {
                    ApiToken token = ctx.attribute("postroom.token");
                    requests.info("http method={} path={} status={} token={}", ctx.method().name(), ctx.path(), ctx.statusCode(),
                            token == null ? "-" : token.id());
                }
            });
            Problems.register(routes, mapper);
            if (sites != null) {
                site = sites.create(postroom, activity);
                site.register(config);
            }
            AuditTrail trail = new AuditTrail(audit);
            new QueueRoutes(postroom, mapper, trail).register(routes);
            MessageRoutes messages = new MessageRoutes(postroom, mapper, finalStates, longPolls, trail);
            messages.register(routes);
            new ArchiveRoutes(postroom, mapper, trail, messages).register(routes);
            new SettleRoutes(postroom, mapper).register(routes);
            new TopicRoutes(postroom, mapper, messages, trail).register(routes);
            new ScheduleRoutes(postroom, mapper, trail).register(routes);
            new BatchRoutes(postroom).register(routes);
            new WorkflowRoutes(postroom, mapper, trail).register(routes);
            new ErasureRoutes(postroom, mapper, trail).register(routes);
            new EncryptionRoutes(postroom, trail, clock).register(routes);
            new AdminRoutes(auth, mapper, clock, trail).register(routes);
            new WebhookRoutes(new WebhookStore(auth.database()), mapper, clock, trail).register(routes);
            new AuditRoutes(audit).register(routes);
            new BackupRoutes(postroom, auth.database(), clock, trail).register(routes);
            routes.before("/api/v1/events", ctx -> {
                Access.require(ctx, Scope.Kind.READ);
                // Javalin's SSE handler silently answers an empty 200 to a client that does not ask for a stream
                String accept = ctx.header("Accept");
                if (accept == null || !accept.contains("text/event-stream")) {
                    throw new ApiException(406, "Not acceptable", "send Accept: text/event-stream to open the event stream", null);
                }
                ctx.attribute(STREAM_SLOT, streams.enter(Access.token(ctx).id())); // last: released when the stream closes
            });
            routes.sse("/api/v1/events", client -> {
                String secret = Access.bearer(client.ctx());
                WaiterLimit.Slot slot = client.ctx().attribute(STREAM_SLOT);
                events.connect(client, () -> access.stillGrants(secret, Scope.Kind.READ), slot);
            });
            routes.get("/api/v1/openapi.json", ctx -> {
                Access.require(ctx, Scope.Kind.READ);
                ctx.contentType("application/json").result(openApi);
            });
            routes.get("/health/live", ctx -> ctx.json(java.util.Map.of("status", "UP")));
            routes.get("/health/ready", ctx -> {
                boolean ready = this.postroom != null && isStoreReachable();
                // A full disk: the node still hands out stored messages, but refuses sends; a load
                // balancer should send new work elsewhere until space is freed.
                boolean full = ready && this.postroom.store().diskFull();
                ctx.status(ready && !full ? 200 : 503).json(full
                        ? java.util.Map.of("status", "DOWN", "reason", "disk full")
                        : java.util.Map.of("status", ready ? "UP" : "DOWN"));
            });
            routes.get("/metrics", ctx -> {
                Access.require(ctx, Scope.Kind.READ);
                ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
            });
        }).start(host, port);
        log.info("http listening host={} port={}", host, app.port());
        return this;
    }

    private boolean isStoreReachable() {
        try {
            postroom.queues();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Reads what is left of a request body that no route read (a 401, a 403, a body on a GET):
     * Jetty closes a connection whose request body was not read to the end, and a client still
     * sending a large body then sees a broken pipe instead of the answer. Bodies over the limit
     * are not read; Javalin has answered those with 413 already. Nor is a large body of a request
     * without a valid token: reading megabytes for anyone who asks is work an attacker gets for
     * free, so its connection is closed after the answer instead.
     */
    private static void drainBody(io.javalin.http.Context ctx) {
        long length = ctx.contentLength();
        if (length > UNAUTHENTICATED_DRAIN_BYTES && ctx.attribute("postroom.token") == null) {
            ctx.header("Connection", "close");
            return;
        }
        if (length > 0 && length <= MAX_BODY_BYTES) {
            try {
                ctx.bodyAsBytes();
            } catch (RuntimeException clientGone) {
                // the client stopped sending: there is no one left to answer, and the answer is already decided
            }
        }
    }

    private static String routeOf(io.javalin.http.Context ctx) {
        try {
            return ctx.endpoint().path;
        } catch (RuntimeException e) {
            return "unmatched";
        }
    }

    private static long startOf(io.javalin.http.Context ctx) {
        Long started = ctx.attribute("postroom.started");
        return started == null ? System.nanoTime() : started;
    }

    private static String resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            return in == null ? "{}" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "{}";
        }
    }

    /**
     * Every route served, as {@code "METHOD /path"} with Javalin's {@code {param}} syntax (filters
     * excluded), in registration order; tests check the OpenAPI document against it.
     */
    public List<String> routes() {
        return app.unsafe.internalRouter.allHttpHandlers().stream()
                .map(handler -> handler.endpoint)
                .filter(endpoint -> endpoint.method.isHttpMethod())
                .map(endpoint -> endpoint.method.name() + " " + endpoint.path)
                .toList();
    }

    /** The port actually bound. */
    /** Long-polls open now (for tests). */
    int longPollsOpen() {
        return longPolls.open();
    }

    public int port() {
        return app.port();
    }

    /** Stops accepting requests; in-flight requests finish. Idempotent. */
    @Override
    public void close() {
        events.close();
        if (site != null) {
            site.close();
        }
        if (app != null) {
            app.stop();
            app = null;
        }
    }
}
