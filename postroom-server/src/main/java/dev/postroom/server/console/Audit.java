package dev.postroom.server.console;

import io.javalin.http.Context;

import java.util.Map;

/** Where the console records who did what. */
interface Audit {
    /** Records a console action by {@code session}'s user (null before sign-in), from the request's address. */
    default void record(Context ctx, Session session, String action, String targetType, String target, Map<String, Object> detail) {
        recordOutcome(ctx.ip(), session, action, targetType, target, detail);
    }

    /**
     * Records the outcome of work that outlived its request (a bulk job), by {@code session}'s user, who
     * started it from {@code address}. Called from the job's thread once it ends, when the request that
     * started it is long gone, so there is no {@link Context} to read the address from.
     */
    void recordOutcome(String address, Session session, String action, String targetType, String target, Map<String, Object> detail);
}
