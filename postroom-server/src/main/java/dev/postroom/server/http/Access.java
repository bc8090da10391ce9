package dev.postroom.server.http;

import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Scope;
import dev.postroom.InvalidMessageException;
import dev.postroom.server.alert.WebhookDeliveries;
import io.javalin.http.Context;

import java.time.InstantSource;
import java.util.regex.Pattern;

/**
 * Bearer-token checks: {@link #authenticate} runs before every {@code /api/} route (401 without a
 * valid token), and each route calls {@link #require} with the scope it needs (403 without it).
 */
final class Access {
    private static final String TOKEN = "postroom.token";
    /** Postroom's rule for queue names (and topic names, which share it). */
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private final AuthStore auth;
    private final InstantSource clock;

    Access(AuthStore auth, InstantSource clock) {
        this.auth = auth;
        this.clock = clock;
    }

    void authenticate(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw ApiException.unauthorized("an API token is required: Authorization: Bearer <token>");
        }
        ApiToken token = auth.verify(header.substring(7).trim(), clock.instant()).orElseThrow(() -> {
            ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            return ApiException.unauthorized("the API token is unknown or revoked");
        });
        ctx.attribute(TOKEN, token);
    }

    /** The bearer token's secret of a request, or null. */
    static String bearer(Context ctx) {
        String header = ctx.header("Authorization");
        return header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) ? null : header.substring(7).trim();
    }

    /** Whether the token with {@code secret} still exists, is not revoked and grants {@code kind}: for streams that outlive their request. */
    boolean stillGrants(String secret, Scope.Kind kind) {
        return auth.verify(secret, clock.instant()).filter(token -> token.grants(kind, null)).isPresent();
    }

    /**
     * Throws 403 unless the request's token grants {@code kind} (on {@code queue}, for send/receive).
     * The queue's name is checked first (422 naming {@code queue}): a name no queue can have is never
     * matched against the token's globs, whatever its length. Sending to or receiving from
     * Postroom's own delivery queue {@value WebhookDeliveries#QUEUE} takes {@code admin}, whatever
     * the token's globs: its messages are signed and posted to the webhooks as they are, so a
     * sender could forge alerts and a receiver swallow them.
     */
    static ApiToken require(Context ctx, Scope.Kind kind, String queue) {
        ApiToken token = token(ctx);
        if (queue != null && !QUEUE_NAME.matcher(queue).matches()) {
            throw new InvalidMessageException("queue", "must match [A-Za-z0-9._-]{1,128}");
        }
        if (reserved(kind, queue) && !token.grants(Scope.Kind.ADMIN, null)) {
            throw ApiException.forbidden("queue " + queue + " is Postroom's own (webhook deliveries): only a token with the scope admin may "
                    + kind.name().toLowerCase() + " on it");
        }
        if (!token.grants(kind, queue)) {
            throw ApiException.forbidden("token \"" + token.name() + "\" lacks the scope "
                    + kind.name().toLowerCase() + (queue != null && (kind == Scope.Kind.SEND || kind == Scope.Kind.RECEIVE) ? ":" + queue : ""));
        }
        return token;
    }

    /** Whether {@code token} may read a message of {@code queue}: {@code read}, or send or receive on that queue. */
    static boolean maySee(ApiToken token, String queue) {
        return token.grants(Scope.Kind.READ, null) || grants(token, Scope.Kind.SEND, queue) || grants(token, Scope.Kind.RECEIVE, queue);
    }

    /** {@link ApiToken#grants}, except that send and receive on {@value WebhookDeliveries#QUEUE} take {@code admin}. */
    static boolean grants(ApiToken token, Scope.Kind kind, String queue) {
        return reserved(kind, queue) ? token.grants(Scope.Kind.ADMIN, null) : token.grants(kind, queue);
    }

    /** Whether {@code kind} on {@code queue} is kept for admins: sending to or receiving from the webhook deliveries. */
    static boolean reserved(Scope.Kind kind, String queue) {
        return (kind == Scope.Kind.SEND || kind == Scope.Kind.RECEIVE) && WebhookDeliveries.isReserved(queue);
    }

    static ApiToken require(Context ctx, Scope.Kind kind) {
        return require(ctx, kind, null);
    }

    /** The request's token, once {@link #authenticate} has passed. */
    static ApiToken token(Context ctx) {
        ApiToken token = ctx.attribute(TOKEN);
        if (token == null) {
            throw ApiException.unauthorized("an API token is required");
        }
        return token;
    }
}
