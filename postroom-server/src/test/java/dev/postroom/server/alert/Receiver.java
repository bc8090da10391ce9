package dev.postroom.server.alert;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntUnaryOperator;

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request and answers the status its
 * {@code answer} gives for the request's number (1 for the first).
 */
final class Receiver implements AutoCloseable {
    /** One request as received: its headers (names lower-cased) and body. */
    record Request(Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    private Receiver(HttpServer server, IntUnaryOperator answer) {
        this.server = server;
        server.createContext("/hook", exchange -> {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, String> headers = new java.util.HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.getFirst()));
            requests.add(new Request(headers, body));
            exchange.sendResponseHeaders(answer.applyAsInt(requests.size()), -1);
            exchange.close();
        });
        server.start();
    }

    /** A receiver on a free port. */
    static Receiver start(IntUnaryOperator answer) throws IOException {
        return on(0, answer);
    }

    /** A receiver on {@code port}. */
    static Receiver on(int port, IntUnaryOperator answer) throws IOException {
        return new Receiver(HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0), answer);
    }

    /** A port nothing listens on now (it was free a moment ago). */
    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    static String url(int port) {
        return "http://127.0.0.1:" + port + "/hook";
    }

    String url() {
        return url(server.getAddress().getPort());
    }

    List<Request> requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
