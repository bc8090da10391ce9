package dev.postroom.server.http;

import dev.postroom.Postroom;
import dev.postroom.server.activity.Activity;
import io.javalin.config.JavalinConfig;

/**
 * Pages served by the API server beside the API, such as the console: registered when the server
 * starts, closed when it stops. The server knows them only through this, so that what is built on
 * the API depends on it and not the other way round.
 */
public interface Site extends AutoCloseable {
    /** Adds the site's routes and filters. */
    void register(JavalinConfig config);

    @Override
    void close();

    /** Makes the site for the Postroom the server starts with. */
    @FunctionalInterface
    interface Factory {
        Site create(Postroom postroom, Activity activity);
    }
}
