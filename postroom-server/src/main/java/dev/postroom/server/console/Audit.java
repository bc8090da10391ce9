package dev.postroom.server.console;

import io.javalin.http.Context;

import java.util.Map;

/** Where the console records who did what. */
interface Audit {
    /** Records a console action by {@code session}'s user (null before sign-in), from the request's address. */
    void record(Context ctx, Session session, String action, String targetType, String target, Map<String, Object> detail);
}
