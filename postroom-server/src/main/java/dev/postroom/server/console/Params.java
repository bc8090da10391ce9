package dev.postroom.server.console;

import io.javalin.http.Context;

/** Request parameters as the console's forms send them: trimmed, and empty rather than missing. */
final class Params {
    private Params() {
    }

    /** A query parameter (GET forms: filters, paging). */
    static String query(Context ctx, String name) {
        return clean(ctx.queryParam(name));
    }

    /** A form field (POST forms). */
    static String form(Context ctx, String name) {
        return clean(ctx.formParam(name));
    }

    private static String clean(String value) {
        return value == null ? "" : value.strip();
    }
}
