package dev.postroom.server.console;

import dev.postroom.InvalidMessageException;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.LastAdminException;
import dev.postroom.server.auth.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Console users ({@code /console/users}, admins only): add, change role, reset password, remove.
 * A change to a user's role or password, or their removal, signs them out everywhere, so that no
 * session keeps powers (or a password) it no longer should. The store refuses to remove or demote
 * the only admin; the page says why.
 */
final class UserPages {
    private final AuthStore auth;
    private final Sessions sessions;
    private final Templates templates;
    private final Audit audit;
    private final InstantSource clock;

    UserPages(AuthStore auth, Sessions sessions, Templates templates, Audit audit, InstantSource clock) {
        this.auth = auth;
        this.sessions = sessions;
        this.templates = templates;
        this.audit = audit;
        this.clock = clock;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/users", ctx -> list(ctx, ConsoleGuard.require(ctx, Role.ADMIN), "", "viewer", null));
        routes.post("/console/users", this::add);
        routes.post("/console/users/{name}/role", this::changeRole);
        routes.post("/console/users/{name}/password", this::resetPassword);
        routes.post("/console/users/{name}/remove", this::remove);
    }

    private void add(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String name = text(ctx, "username");
        String roleText = text(ctx, "role");
        try {
            Role role = Role.parse(roleText);
            auth.addUser(name, String.valueOf(ctx.formParam("password")), role, clock.instant());
            audit.record(ctx, session, "user.add", "user", name, Map.of("role", lower(role)));
            session.flash("Added " + name + " as " + article(role) + ".");
            ctx.redirect("/console/users", HttpStatus.SEE_OTHER);
        } catch (InvalidMessageException e) {
            ctx.status(422);
            list(ctx, session, name, roleText, e.getMessage());
        }
    }

    private void changeRole(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String name = ctx.pathParam("name");
        Role role;
        try {
            role = Role.parse(text(ctx, "role"));
        } catch (InvalidMessageException e) {
            ctx.status(422);
            list(ctx, session, "", "viewer", e.getMessage());
            return;
        }
        try {
            if (!auth.setRole(name, role)) {
                throw ConsoleException.notFound("There is no user " + name + ".");
            }
        } catch (LastAdminException e) {
            ctx.status(409);
            list(ctx, session, "", "viewer", "Cannot make " + name + " " + article(role) + ": there must be at least one admin.");
            return;
        }
        sessions.endAllOf(name);
        audit.record(ctx, session, "user.role", "user", name, Map.of("role", lower(role)));
        done(ctx, session, name, name + " is now " + article(role) + " and has been signed out everywhere.");
    }

    private void resetPassword(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String name = ctx.pathParam("name");
        boolean changed;
        try {
            changed = auth.setPassword(name, String.valueOf(ctx.formParam("password")));
        } catch (InvalidMessageException e) {
            ctx.status(422);
            list(ctx, session, "", "viewer", "New password for " + name + ": " + e.getMessage());
            return;
        }
        if (!changed) {
            throw ConsoleException.notFound("There is no user " + name + ".");
        }
        sessions.endAllOf(name);
        audit.record(ctx, session, "user.passwd", "user", name, Map.of());
        done(ctx, session, name, "Set a new password for " + name + "; they have been signed out everywhere.");
    }

    private void remove(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String name = ctx.pathParam("name");
        try {
            if (!auth.removeUser(name)) {
                throw ConsoleException.notFound("There is no user " + name + ".");
            }
        } catch (LastAdminException e) {
            ctx.status(409);
            list(ctx, session, "", "viewer", "Cannot remove " + name + ": there must be at least one admin.");
            return;
        }
        sessions.endAllOf(name);
        audit.record(ctx, session, "user.remove", "user", name, Map.of());
        done(ctx, session, name, "Removed " + name + " and ended their sessions.");
    }

    /** Back to the list; or to sign-in when the admin just changed their own account, which ended their session too. */
    private static void done(Context ctx, Session session, String name, String flash) {
        if (name.equals(session.username())) {
            ctx.redirect("/console/login", HttpStatus.SEE_OTHER);
            return;
        }
        session.flash(flash);
        ctx.redirect("/console/users", HttpStatus.SEE_OTHER);
    }

    private void list(Context ctx, Session session, String newName, String newRole, String error) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "Users", "users"));
        params.put("users", auth.users());
        params.put("roles", List.of(Role.values()));
        params.put("newName", newName);
        params.put("newRole", newRole == null ? "" : newRole.toLowerCase(Locale.ROOT));
        params.put("error", error);
        templates.page(ctx, "users.jte", params);
    }

    private static String text(Context ctx, String field) {
        String value = ctx.formParam(field);
        return value == null ? "" : value.strip();
    }

    private static String lower(Role role) {
        return role.name().toLowerCase(Locale.ROOT);
    }

    private static String article(Role role) {
        return (role == Role.ADMIN || role == Role.OPERATOR ? "an " : "a ") + lower(role);
    }
}
