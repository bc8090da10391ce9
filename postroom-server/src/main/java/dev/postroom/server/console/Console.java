package dev.postroom.server.console;

import dev.postroom.server.http.Site;
import dev.postroom.server.http.WaiterLimit;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.server.activity.Activity;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.staticfiles.Location;

import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator console under {@code /console}: server-rendered pages (jte), live parts over
 * server-sent events (htmx), charts (uPlot). Signed-in users only; every state-changing request
 * needs the role for it and the session's CSRF token, and is audited.
 */
public final class Console implements Site {
    private final Postroom postroom;
    private final AuthStore auth;
    private final InstantSource clock;
    private final Sessions sessions;
    private final Templates templates = new Templates();
    private final ConsoleGuard guard;
    private final LoginPages login;
    private final Audit audit;
    private final LiveFeed live;
    /** Live streams open at once, per user and in all: each holds a connection and a writer thread. */
    private final WaiterLimit liveStreams = new WaiterLimit("live streams", 16, 256, 5);
    private static final String LIVE_SLOT = "postroom.liveSlot";

    private final AuditLog auditLog;
    private final Activity activity;

    /** The console as the API server's site: it shares the server's users, tokens and audit log. */
    public static Site.Factory site(AuthStore auth, AuditLog auditLog, InstantSource clock) {
        return (postroom, activity) -> new Console(postroom, auth, auditLog, activity, clock);
    }

    /** A console over {@code postroom}, signing in against {@code auth}, recording actions in {@code auditLog}. */
    public Console(Postroom postroom, AuthStore auth, AuditLog auditLog, Activity activity, InstantSource clock) {
        this.postroom = postroom;
        this.activity = activity;
        this.auth = auth;
        this.clock = clock;
        this.auditLog = auditLog;
        this.audit = new AuditTrailAdapter(auditLog);
        this.sessions = new Sessions(auth::credentialStamp);
        this.guard = new ConsoleGuard(sessions, clock, this::error);
        this.login = new LoginPages(auth, sessions, guard, templates, audit, clock);
        this.live = new LiveFeed(templates, this::queueRows, this::nodeRows);
    }

    /** Serves the console's assets and pages from {@code config}. */
    @Override
    public void register(JavalinConfig config) {
        config.staticFiles.enableWebjars();
        config.staticFiles.add(files -> {
            files.hostedPath = "/console/assets";
            files.directory = "/console";
            files.location = Location.CLASSPATH;
        });
        RoutesConfig routes = config.routes;
        routes.before("/console", guard::before);
        routes.before("/console/*", guard::before);
        routes.after("/console", ConsoleGuard::after);
        routes.after("/console/*", ConsoleGuard::after);
        routes.exception(ConsoleException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
        routes.get("/", ctx -> ctx.redirect("/console"));
        login.register(routes);
        routes.get("/console", this::overview);
        routes.before("/console/live", ctx -> { // after the guard's: only signed-in users count
            if (ctx.method() == HandlerType.GET) {
                ctx.attribute(LIVE_SLOT, liveStreams.enter(ConsoleGuard.session(ctx).username()));
            }
        });
        routes.sse("/console/live", client -> {
            String session = client.ctx().cookie(ConsoleGuard.COOKIE);
            WaiterLimit.Slot slot = client.ctx().attribute(LIVE_SLOT);
            live.connect(client, () -> sessions.isLive(session, clock.instant()), slot);
        });
        new MessagePages(postroom, templates, audit).register(routes);
        new ArchivePages(postroom, templates, audit).register(routes);
        new ErasurePages(postroom, templates, audit).register(routes);
        new WebhookPages(new dev.postroom.server.alert.WebhookStore(auth.database()), templates, audit, clock).register(routes);
        new BatchPages(postroom, templates).register(routes);
        new WorkflowPages(postroom, templates, audit, clock).register(routes);
        new SendPages(postroom, templates, audit).register(routes);
        new AuditPages(auditLog, templates).register(routes);
        new QueuePages(postroom, templates, audit).register(routes);
        new UserPages(auth, sessions, templates, audit, clock).register(routes);
        new TokenPages(auth, templates, audit, clock).register(routes);
        new DeadLetterPages(postroom, templates, audit, clock).register(routes);
        new TopicPages(postroom, templates, audit).register(routes);
        new SchedulePages(postroom, templates, audit).register(routes);
        routes.get("/console/series.json", this::series);
    }

    private void overview(Context ctx) {
        Session session = ConsoleGuard.session(ctx);
        String window = switch (String.valueOf(ctx.queryParam("window"))) {
            case "1h" -> "1h";
            case "24h" -> "24h";
            default -> "15m";
        };
        templates.page(ctx, "overview.jte", Map.of("page", Page.of(session, "Overview", "overview"),
                "rows", queueRows(), "nodes", nodeRows(), "window", window));
    }

    private List<QueueRow> queueRows() {
        return postroom.queues().stream().map(q -> row(q)).toList();
    }

    private QueueRow row(QueueInfo queue) {
        Activity.Rates rates = activity.rates(queue.name());
        return new QueueRow(queue, queue.oldestReadyAge(clock.instant()).toMillis() / 1000.0, rates.sent(), rates.acked(), rates.failed());
    }

    /** The charts' data, column by column as uPlot takes it: {@code t} (epoch seconds), rates per second, latency in ms. */
    private void series(Context ctx) {
        ConsoleGuard.session(ctx);
        Duration window = switch (String.valueOf(ctx.queryParam("window"))) {
            case "1h" -> Duration.ofHours(1);
            case "24h" -> Duration.ofHours(24);
            default -> Duration.ofMinutes(15);
        };
        String queue = ctx.queryParam("queue");
        Activity.Series s = activity.series(queue == null || queue.isBlank() ? null : queue, window);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("step", s.stepSeconds());
        json.put("t", s.timestamps());
        json.put("sent", s.sent());
        json.put("acked", s.acked());
        json.put("failed", s.failed());
        json.put("dead", s.dead());
        json.put("p50", s.p50Millis());
        json.put("p95", s.p95Millis());
        json.put("p99", s.p99Millis());
        ctx.json(json);
    }

    private List<NodeRow> nodeRows() {
        return postroom.nodes().stream().map(NodeRow::of).toList();
    }

    /** Renders an error page; for a request from htmx, only the message. */
    void error(Context ctx, int status, String message) {
        ctx.status(status);
        if (ctx.header("HX-Request") != null) {
            ctx.contentType("text/plain; charset=utf-8").result(message);
            return;
        }
        Session session = ctx.attribute("console.session");
        Page page = session == null ? Page.anonymous(title(status)) : Page.of(session, title(status), "");
        templates.page(ctx.status(status), "error.jte", Map.of("page", page, "status", status, "message", message));
    }

    private static String title(int status) {
        return switch (status) {
            case 401 -> "Signed out";
            case 403 -> "Not allowed";
            case 404 -> "Not found";
            case 409 -> "Not possible now";
            case 422, 400 -> "Cannot do that";
            default -> "Something went wrong";
        };
    }

    @Override
    public void close() {
        live.close();
    }
}
