package dev.postroom.server.alert;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntUnaryOperator;

/**
 * A webhook receiver on 127.0.0.1 for tests: records every request and answers the status its
 * {@code answer} gives for the request's number (1 for the first). It is bound once and stays
 * bound until closed, so that no test ever reuses a port; a receiver "down" answers 503 instead.
 * {@link #STALL} answers 200 with a long body of which it sends one byte, then nothing until closed.
 */
final class Receiver implements AutoCloseable {
    /** One request as received: its headers (names lower-cased) and body. */
    record Request(Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    /** An answer that sends its headers and one byte of a long body, then stalls until the receiver closes. */
    static final int STALL = -1;
    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

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
            int status = answer.applyAsInt(requests.size());
            if (status == STALL) {
                exchange.sendResponseHeaders(200, 1_000_000);
                exchange.getResponseBody().write('{');
                exchange.getResponseBody().flush();
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(Thread.ofPlatform().daemon().factory()));
        server.start();
    }

    /** A receiver on a free port. */
    static Receiver start(IntUnaryOperator answer) throws IOException {
        return new Receiver(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), answer);
    }

    /** A receiver that answers 503 while {@code up} is false, then 200. */
    static Receiver switchable(AtomicBoolean up) throws IOException {
        return start(n -> up.get() ? 200 : 503);
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Request> requests() {
        return requests;
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
    }
}
