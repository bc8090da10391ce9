package dev.postroom.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.NewToken;
import dev.postroom.server.auth.Role;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/tokens} and {@code /api/v1/users}: admin scope only. Secrets are shown once, never listed. */
final class AdminRoutes {
    private final AuthStore auth;
    private final ObjectMapper mapper;
    private final InstantSource clock;
    private final AuditTrail audit;

    AdminRoutes(AuthStore auth, ObjectMapper mapper, InstantSource clock, AuditTrail audit) {
        this.auth = auth;
        this.mapper = mapper;
        this.clock = clock;
        this.audit = audit;
    }

    record TokenView(String id, String name, List<String> scopes, Instant createdAt, Instant lastUsedAt) {
        static TokenView of(ApiToken t) {
            return new TokenView(t.id(), t.name(), t.scopes().stream().map(Scope::toString).toList(), t.createdAt(), t.lastUsedAt());
        }
    }

    record CreatedToken(String id, String name, List<String> scopes, Instant createdAt, String token) {
    }

    record Tokens(List<TokenView> tokens) {
    }

    record UserView(String username, String role) {
    }

    void register(RoutesConfig routes) {
        routes.post("/api/v1/tokens", this::createToken);
        routes.get("/api/v1/tokens", ctx -> {
            Access.require(ctx, Scope.Kind.ADMIN);
            ctx.json(new Tokens(auth.tokens().stream().map(TokenView::of).toList()));
        });
        routes.delete("/api/v1/tokens/{id}", ctx -> {
            Access.require(ctx, Scope.Kind.ADMIN);
            if (!auth.revoke(ctx.pathParam("id"), clock.instant())) {
                throw ApiException.notFound("token not found: " + ctx.pathParam("id"));
            }
            audit.record(ctx, "token.revoke", "token", ctx.pathParam("id"), null);
            ctx.status(204);
        });
        routes.post("/api/v1/users", this::addUser);
        routes.put("/api/v1/users/{username}/password", this::setPassword);
        routes.delete("/api/v1/users/{username}", ctx -> {
            Access.require(ctx, Scope.Kind.ADMIN);
            if (!auth.removeUser(ctx.pathParam("username"))) {
                throw ApiException.notFound("user not found: " + ctx.pathParam("username"));
            }
            audit.record(ctx, "user.remove", "user", ctx.pathParam("username"), null);
            ctx.status(204);
        });
    }

    private void createToken(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        Bodies.NewToken body = Bodies.read(ctx, mapper, Bodies.NewToken.class);
        if (body.scopes() == null) {
            throw new InvalidMessageException("scopes", "is required, e.g. [\"send:emails.*\", \"read\"]");
        }
        NewToken created = auth.createToken(body.name(), body.scopes().stream().map(Scope::parse).toList(), clock.instant());
        ApiToken t = created.token();
        // the secret stays out of the log: entries are readable with the read scope
        audit.record(ctx, "token.create", "token", t.id(), Map.of("name", t.name(), "scopes", t.scopes().stream().map(Scope::toString).toList()));
        ctx.status(201).json(new CreatedToken(t.id(), t.name(), t.scopes().stream().map(Scope::toString).toList(), t.createdAt(), created.secret()));
    }

    private void addUser(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        Bodies.NewUser body = Bodies.read(ctx, mapper, Bodies.NewUser.class);
        Role role = Role.parse(body.role() == null ? "viewer" : body.role());
        auth.addUser(body.username(), body.password(), role, clock.instant());
        audit.record(ctx, "user.add", "user", body.username(), Map.of("role", role.name().toLowerCase()));
        ctx.status(201).json(new UserView(body.username(), role.name().toLowerCase()));
    }

    private void setPassword(Context ctx) throws IOException {
        Access.require(ctx, Scope.Kind.ADMIN);
        Bodies.Password body = Bodies.read(ctx, mapper, Bodies.Password.class);
        if (!auth.setPassword(ctx.pathParam("username"), body.password())) {
            throw ApiException.notFound("user not found: " + ctx.pathParam("username"));
        }
        audit.record(ctx, "user.passwd", "user", ctx.pathParam("username"), null);
        ctx.status(204);
    }
}
