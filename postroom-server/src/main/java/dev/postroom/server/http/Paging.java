package dev.postroom.server.http;

import io.javalin.http.Context;

/** The {@code limit} query parameter of the list routes that page by id (batches, workflows). */
final class Paging {
    /** Without {@code limit}, a page holds this many. */
    static final int DEFAULT_LIMIT = 50;

    private Paging() {
    }

    /** The page size asked for, or the default; the facade checks the range (1–500) and names the field. */
    static int limit(Context ctx) {
        String text = ctx.queryParam("limit");
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit", "must be a whole number");
        }
    }
}
