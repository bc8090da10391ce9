package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A small client for the Postroom HTTP API ({@code /api/v1}) on {@link HttpClient}: JSON in and
 * out, a bearer token on every request, and every failure turned into a {@link CliException} with
 * a one-line reason — the server's problem+json reduced by {@link Problem}, or "cannot reach URL:
 * connection refused" when nothing answers. Paths are given relative to the base URL and must
 * already be encoded; {@link #segment} encodes a name for a path.
 *
 * <p>One instance per command run; {@link #close()} releases the HTTP client's threads.
 */
final class ApiClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** The address a local {@code postroom server} binds by default (see API.md, Start-up). */
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Generous for ordinary calls; long-polls add their own wait on top (see {@link #timeoutFor}). */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final String token;
    private final HttpClient http;

    /** A successful answer: its status (some commands tell 201 created from 200 updated) and JSON body, missing for 204. */
    record Response(int status, JsonNode body) {
    }

    ApiClient(URI base, String token) {
        String text = base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.token = token == null || token.isBlank() ? null : token.strip();
        // HTTP/1.1 because an h2c upgrade attempt buys nothing on localhost and confuses some proxies.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }

    URI base() {
        return base;
    }

    Response get(String path) {
        return send("GET", path, null, REQUEST_TIMEOUT);
    }

    Response get(String path, Duration timeout) {
        return send("GET", path, null, timeout);
    }

    Response post(String path, JsonNode body) {
        return send("POST", path, body, REQUEST_TIMEOUT);
    }

    Response post(String path, JsonNode body, Duration timeout) {
        return send("POST", path, body, timeout);
    }

    Response put(String path, JsonNode body) {
        return send("PUT", path, body, REQUEST_TIMEOUT);
    }

    Response delete(String path) {
        return send("DELETE", path, null, REQUEST_TIMEOUT);
    }

    /** The timeout for a request that may legitimately wait {@code waitSeconds} on the server before answering. */
    static Duration timeoutFor(Number waitSeconds) {
        return waitSeconds == null ? REQUEST_TIMEOUT
                : REQUEST_TIMEOUT.plusMillis((long) Math.ceil(waitSeconds.doubleValue() * 1000));
    }

    /** Encodes one path segment or query value (a queue name, a message id, a user name). */
    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Response send(String method, String path, JsonNode body, Duration timeout) {
        HttpRequest.Builder request = request(path).timeout(timeout).header("Accept", "application/json");
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response = exchange(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() >= 300) {
            throw failure(response.statusCode(), response.body());
        }
        String text = response.body();
        if (text == null || text.isBlank()) {
            return new Response(response.statusCode(), MissingNode.getInstance());
        }
        try {
            return new Response(response.statusCode(), JSON.readTree(text));
        } catch (IOException notJson) {
            throw new CliException(response.statusCode() + " answer from " + base + " is not JSON; is --url a Postroom server?");
        }
    }

    /**
     * POSTs to {@code path} without a body and copies a successful answer's bytes into {@code target}
     * (created or replaced); for downloads such as a backup. {@code timeout} runs until the answer's
     * headers arrive, so it must cover the time the server takes to prepare the file.
     */
    void download(String path, java.nio.file.Path target, Duration timeout) {
        HttpRequest request = request(path).timeout(timeout).header("Accept", "application/octet-stream, application/problem+json")
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<java.io.InputStream> response = exchange(request, HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = response.body()) {
            if (response.statusCode() >= 300) {
                throw failure(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
            java.nio.file.Files.copy(body, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CliException("lost the download from " + base + ": " + describe(e));
        }
    }

    /**
     * Follows a server-sent event stream, handing each event to {@code sink} on the calling thread,
     * until the server ends the stream (returns normally) or the connection breaks (throws).
     */
    void events(String path, Consumer<ServerSentEvent> sink) {
        HttpRequest request = request(path).header("Accept", "text/event-stream").GET().build(); // no timeout: it is meant to stay open
        HttpResponse<Stream<String>> response = exchange(request, HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            if (response.statusCode() >= 300) {
                throw failure(response.statusCode(), lines.collect(Collectors.joining("\n")));
            }
            EventStreamParser parser = new EventStreamParser();
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                parser.accept(it.next()).ifPresent(sink);
            }
        } catch (UncheckedIOException broken) {
            throw new CliException("lost the event stream from " + base + ": " + describe(broken.getCause()));
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw new CliException("cannot reach " + base + ": connection timed out");
        } catch (HttpTimeoutException e) {
            throw new CliException(base + " did not answer within " + request.timeout().map(Duration::toSeconds).orElse(0L) + " s");
        } catch (IOException e) {
            throw new CliException("cannot reach " + base + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
    }

    @Override
    public void close() {
        http.close(); // HttpClient is AutoCloseable since JDK 21; closing stops its selector thread
    }

    private CliException failure(int status, String body) {
        String reason = Problem.parse(status, body).reason();
        if (status == 401 && token == null) {
            reason += " (no token given: pass --token or set POSTROOM_TOKEN)";
        }
        return new CliException(reason);
    }

    /** Names the cause in a few words; HttpClient's own messages are often null or a bare class name. */
    private static String describe(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host";
            }
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return t.getMessage() == null || t.getMessage().isBlank() ? "connection refused"
                        : t.getMessage().toLowerCase(java.util.Locale.ROOT);
            }
        }
        String message = error == null ? null : error.getMessage();
        return message == null || message.isBlank() ? error == null ? "I/O error" : error.getClass().getSimpleName() : message;
    }
}
