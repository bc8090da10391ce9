package dev.postroom.server.console;

import dev.postroom.server.auth.AuthStore;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** Sign-in and sign-out. Failed attempts are throttled per user name and per address, and audited. */
final class LoginPages {
    /** Password checks running at once: a bcrypt hash takes one core for tens of milliseconds. */
    static final int PASSWORD_CHECKS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final Duration PASSWORD_CHECK_WAIT = Duration.ofSeconds(5);
    private final Semaphore passwordChecks = new Semaphore(PASSWORD_CHECKS);
    private final AuthStore auth;
    private final Sessions sessions;
    private final ConsoleGuard guard;
    private final LoginThrottle throttle = new LoginThrottle();
    private final Templates templates;
    private final Audit audit;
    private final InstantSource clock;

    LoginPages(AuthStore auth, Sessions sessions, ConsoleGuard guard, Templates templates, Audit audit, InstantSource clock) {
        this.auth = auth;
        this.sessions = sessions;
        this.guard = guard;
        this.templates = templates;
        this.audit = audit;
        this.clock = clock;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/login", ctx -> {
            if (sessions.find(ctx.cookie(ConsoleGuard.COOKIE), clock.instant()).isPresent()) {
                ctx.redirect(safeNext(ctx.queryParam("next")));
                return;
            }
            form(ctx, ctx.queryParam("next"), "", null);
        });
        routes.post("/console/login", this::signIn);
        routes.post("/console/logout", ctx -> {
            Session session = ConsoleGuard.session(ctx);
            guard.signOut(ctx);
            audit.record(ctx, session, "user.logout", "user", session.username(), Map.of());
            ctx.redirect("/console/login", HttpStatus.SEE_OTHER);
        });
    }

    private void signIn(Context ctx) {
        String username = bounded(ctx.formParam("username"), 128);
        String password = bounded(ctx.formParam("password"), 1024);
        String next = ctx.formParam("next");
        Duration wait = throttle.attempt(username, ctx.ip(), clock.instant());
        if (!wait.isZero()) {
            ctx.status(429).header("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
            form(ctx, next, username, "Too many failed sign-ins. Try again in " + Format.age(wait) + ".");
            return;
        }
        Optional<AuthStore.SignIn> signIn = Optional.empty();
        if (!username.isEmpty() && !password.isEmpty()) {
            if (!acquirePasswordCheck()) {
                ctx.status(429).header("Retry-After", "1");
                form(ctx, next, username, "The console is busy checking other sign-ins. Try again in a moment.");
                return;
            }
            try {
                signIn = auth.signIn(username, password);
            } finally {
                passwordChecks.release();
            }
        }
        if (signIn.isEmpty()) {
            audit.record(ctx, null, "user.login_failed", "user", username, Map.of());
            ctx.status(401);
            form(ctx, next, username, "Wrong user name or password.");
            return;
        }
        throttle.succeeded(username, ctx.ip());
        Session session = sessions.create(username, signIn.get().role(), signIn.get().credentialStamp(), clock.instant());
        guard.signIn(ctx, session);
        audit.record(ctx, session, "user.login", "user", username, Map.of());
        ctx.redirect(safeNext(next), HttpStatus.SEE_OTHER);
    }

    /**
     * A turn to check a password, at most {@link #PASSWORD_CHECKS} at once: each costs a bcrypt
     * hash, and a flood of sign-ins must not take every core from the API. False when none came free in time.
     */
    private boolean acquirePasswordCheck() {
        try {
            return passwordChecks.tryAcquire(PASSWORD_CHECK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void form(Context ctx, String next, String username, String error) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.anonymous("Sign in"));
        params.put("next", next == null ? "" : next);
        params.put("username", username == null ? "" : username);
        params.put("error", error);
        templates.page(ctx, "login.jte", params);
    }

    /** Only a console path: never another site, and never a scheme-relative {@code //host}. */
    static String safeNext(String next) {
        if (next == null || !next.startsWith("/console") || next.startsWith("//") || next.contains("\\")
                || next.chars().anyMatch(Character::isISOControl)) {
            return "/console";
        }
        return next;
    }

    private static String bounded(String value, int max) {
        if (value == null) {
            return "";
        }
        return value.length() > max ? value.substring(0, max) : value;
    }
}
