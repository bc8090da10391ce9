package dev.postroom.server.http;

import io.javalin.http.Context;

/**
 * How a request that is not an API call shows an error: a console page sets one on the request
 * (attribute {@link #ATTRIBUTE}) so that the errors every route may throw render as HTML, not
 * problem+json.
 */
@FunctionalInterface
public interface ErrorPage {
    /** The request attribute holding the page. */
    String ATTRIBUTE = "postroom.errorPage";

    /** Answers the request with an error page for {@code status}. */
    void render(Context ctx, int status, String message);
}
