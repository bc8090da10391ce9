package dev.postroom.server.console;

import dev.postroom.InvalidMessageException;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.NewToken;
import dev.postroom.server.auth.Role;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.time.InstantSource;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * API tokens ({@code /console/tokens}, admins only): list, create, revoke. A new token's secret
 * is rendered into the response to the create request and nowhere else; a redirect or a flash
 * would carry it through the session or a URL, and the store keeps only its hash.
 */
final class TokenPages {
    private final AuthStore auth;
    private final Templates templates;
    private final Audit audit;
    private final InstantSource clock;

    TokenPages(AuthStore auth, Templates templates, Audit audit, InstantSource clock) {
        this.auth = auth;
        this.templates = templates;
        this.audit = audit;
        this.clock = clock;
    }

    void register(RoutesConfig routes) {
        routes.get("/console/tokens", ctx -> list(ctx, ConsoleGuard.require(ctx, Role.ADMIN), "", "", null, null));
        routes.post("/console/tokens", this::create);
        routes.post("/console/tokens/{id}/revoke", this::revoke);
    }

    private void create(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String name = text(ctx, "name");
        String scopesText = text(ctx, "scopes");
        NewToken created;
        try {
            created = auth.createToken(name, parseScopes(scopesText), clock.instant());
        } catch (InvalidMessageException e) {
            ctx.status(422);
            list(ctx, session, name, scopesText, e.getMessage(), null);
            return;
        }
        ApiToken token = created.token();
        audit.record(ctx, session, "token.create", "token", token.id(),
                Map.of("name", token.name(), "scopes", Format.scopes(token.scopes())));
        list(ctx, session, "", "", null, created);
    }

    private void revoke(Context ctx) {
        Session session = ConsoleGuard.require(ctx, Role.ADMIN);
        String id = ctx.pathParam("id");
        ApiToken token = auth.tokens().stream().filter(t -> t.id().equals(id)).findFirst()
                .orElseThrow(() -> ConsoleException.notFound("There is no live token " + id + "."));
        if (!auth.revoke(id, clock.instant())) {
            throw ConsoleException.notFound("There is no live token " + id + ".");
        }
        audit.record(ctx, session, "token.revoke", "token", id, Map.of("name", token.name()));
        session.flash("Revoked token " + id + " (" + token.name() + "); requests with it now get 401.");
        ctx.redirect("/console/tokens", HttpStatus.SEE_OTHER);
    }

    /** {@code send:emails.* read}: scopes separated by spaces or commas. */
    static List<Scope> parseScopes(String text) {
        return Arrays.stream(text.split("[\\s,]+")).filter(s -> !s.isEmpty()).map(Scope::parse).toList();
    }

    private void list(Context ctx, Session session, String name, String scopes, String error, NewToken created) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Page.of(session, "API tokens", "tokens"));
        params.put("tokens", auth.tokens());
        params.put("name", name);
        params.put("scopes", scopes);
        params.put("error", error);
        params.put("created", created);
        templates.page(ctx, "tokens.jte", params);
    }

    private static String text(Context ctx, String field) {
        String value = ctx.formParam(field);
        return value == null ? "" : value.strip();
    }
}
