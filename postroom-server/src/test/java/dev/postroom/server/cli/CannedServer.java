package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for the Postroom server in CLI tests: an HTTP server on 127.0.0.1 and a free port that
 * answers each {@code METHOD /path} with a canned response and records every request, so a test can
 * check both what the CLI sent and what it printed. Requests without a canned answer get a 500
 * problem naming them, which makes the command under test fail visibly.
 */
final class CannedServer implements AutoCloseable {
    record Request(String method, String path, String query, String authorization, String accept, String body) {
        JsonNode json() {
            try {
                return ApiClient.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private record Answer(int status, String contentType, String body) {
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    CannedServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers with JSON ({@code null} or empty body: no body, e.g. for 204). */
    CannedServer answer(String method, String path, int status, String json) {
        return raw(method, path, status, "application/json", json);
    }

    /** Answers with an RFC 9457 problem document. */
    CannedServer problem(String method, String path, int status, String problemJson) {
        return raw(method, path, status, "application/problem+json", problemJson);
    }

    CannedServer raw(String method, String path, int status, String contentType, String body) {
        answers.put(method + " " + path, new Answer(status, contentType, body));
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The one request made to {@code METHOD path}; fails unless there was exactly one. */
    Request only(String method, String path) {
        List<Request> matching = requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one " + method + " " + path + " but got " + requests);
        }
        return matching.get(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(method, path, exchange.getRequestURI().getRawQuery(),
                    exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Accept"), body));
            Answer answer = answers.getOrDefault(method + " " + path, new Answer(500, "application/problem+json",
                    "{\"status\":500,\"title\":\"test\",\"detail\":\"no canned answer for " + method + " " + path + "\"}"));
            byte[] bytes = answer.body() == null ? new byte[0] : answer.body().getBytes(StandardCharsets.UTF_8);
            if (answer.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            }
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
