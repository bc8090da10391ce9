package dev.postroom.server.http;

import java.util.List;

/**
 * Every route the server registers, in one place: {@link OpenApiTest} checks the document and the
 * server against it, and {@link AccessTest} walks it for the auth matrix. A new route belongs here
 * first; both tests then fail until it is documented and has an access case.
 */
final class ApiRoutes {
    private ApiRoutes() {
    }

    /** A method and a path template in OpenAPI's (and Javalin's) {@code {param}} syntax. */
    record Route(String method, String path) {
        boolean needsToken() {
            return !path.startsWith("/health/");
        }

        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static final List<Route> ALL = List.of(
            new Route("PUT", "/api/v1/queues/{queue}"),
            new Route("GET", "/api/v1/queues"),
            new Route("GET", "/api/v1/queues/{queue}"),
            new Route("DELETE", "/api/v1/queues/{queue}"),
            new Route("POST", "/api/v1/queues/{queue}/pause"),
            new Route("POST", "/api/v1/queues/{queue}/resume"),
            new Route("POST", "/api/v1/queues/{queue}/purge"),
            new Route("POST", "/api/v1/queues/{queue}/redrive"),
            new Route("POST", "/api/v1/queues/{queue}/messages"),
            new Route("POST", "/api/v1/queues/{queue}/messages:batch"),
            new Route("POST", "/api/v1/queues/{queue}/receive"),
            new Route("POST", "/api/v1/messages/{id}/ack"),
            new Route("POST", "/api/v1/messages/{id}/nack"),
            new Route("POST", "/api/v1/messages:ack"),
            new Route("POST", "/api/v1/messages:nack"),
            new Route("POST", "/api/v1/messages/{id}/extend"),
            new Route("POST", "/api/v1/messages/{id}/snooze"),
            new Route("POST", "/api/v1/messages/{id}/progress"),
            new Route("GET", "/api/v1/messages"),
            new Route("GET", "/api/v1/messages/{id}"),
            new Route("POST", "/api/v1/messages/{id}/retry"),
            new Route("POST", "/api/v1/messages/{id}/cancel"),
            new Route("DELETE", "/api/v1/messages/{id}"),
            new Route("PUT", "/api/v1/topics/{topic}"),
            new Route("GET", "/api/v1/topics"),
            new Route("GET", "/api/v1/topics/{topic}"),
            new Route("DELETE", "/api/v1/topics/{topic}"),
            new Route("PUT", "/api/v1/topics/{topic}/subscriptions/{name}"),
            new Route("DELETE", "/api/v1/topics/{topic}/subscriptions/{name}"),
            new Route("POST", "/api/v1/topics/{topic}/messages"),
            new Route("PUT", "/api/v1/schedules/{name}"),
            new Route("GET", "/api/v1/schedules"),
            new Route("GET", "/api/v1/schedules/{name}"),
            new Route("DELETE", "/api/v1/schedules/{name}"),
            new Route("POST", "/api/v1/schedules/{name}/pause"),
            new Route("POST", "/api/v1/schedules/{name}/resume"),
            new Route("POST", "/api/v1/schedules/{name}/run"),
            new Route("GET", "/api/v1/batches"),
            new Route("GET", "/api/v1/batches/{id}"),
            new Route("GET", "/api/v1/batches/{id}/messages"),
            new Route("POST", "/api/v1/erasures"),
            new Route("GET", "/api/v1/erasures/{id}"),
            new Route("GET", "/api/v1/encryption"),
            new Route("GET", "/api/v1/archive"),
            new Route("GET", "/api/v1/archive/{id}"),
            new Route("POST", "/api/v1/replays"),
            new Route("GET", "/api/v1/replays"),
            new Route("GET", "/api/v1/replays/{id}"),
            new Route("POST", "/api/v1/encryption/reencrypt"),
            new Route("POST", "/api/v1/workflows"),
            new Route("GET", "/api/v1/workflows"),
            new Route("GET", "/api/v1/workflows/{id}"),
            new Route("POST", "/api/v1/workflows/{id}/cancel"),
            new Route("POST", "/api/v1/workflows/{id}/retry"),
            new Route("POST", "/api/v1/tokens"),
            new Route("GET", "/api/v1/tokens"),
            new Route("DELETE", "/api/v1/tokens/{id}"),
            new Route("POST", "/api/v1/users"),
            new Route("PUT", "/api/v1/users/{username}/password"),
            new Route("DELETE", "/api/v1/users/{username}"),
            new Route("PUT", "/api/v1/webhooks/{name}"),
            new Route("GET", "/api/v1/webhooks"),
            new Route("DELETE", "/api/v1/webhooks/{name}"),
            new Route("GET", "/api/v1/audit"),
            new Route("POST", "/api/v1/backups"),
            new Route("GET", "/api/v1/events"),
            new Route("GET", "/api/v1/openapi.json"),
            new Route("GET", "/health/live"),
            new Route("GET", "/health/ready"),
            new Route("GET", "/metrics"));

    /** The routes that need a bearer token: all but {@code /health/*}. */
    static List<Route> withToken() {
        return ALL.stream().filter(Route::needsToken).toList();
    }
}
