package dev.postroom.server.console;

import dev.postroom.server.http.StreamOutbox;
import dev.postroom.server.http.WaiterLimit;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /console/live}: once a second, the overview's queue rows and nodes as HTML fragments
 * (server-sent events {@code queues} and {@code nodes}) that htmx swaps into the page. Rendered
 * once per tick for all viewers, and only while someone is watching.
 */
final class LiveFeed implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveFeed.class);

    private final Set<StreamOutbox> clients = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("postroom-console-live").factory());
    private final Templates templates;
    private final Supplier<List<QueueRow>> queues;
    private final Supplier<List<NodeRow>> nodes;

    LiveFeed(Templates templates, Supplier<List<QueueRow>> queues, Supplier<List<NodeRow>> nodes) {
        this.templates = templates;
        this.queues = queues;
        this.nodes = nodes;
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Streams to {@code client} for as long as {@code stillSignedIn} holds: a sign-out, an expired
     * session, or the user's removal or role change ends the stream at the next tick.
     */
    void connect(SseClient client, BooleanSupplier stillSignedIn, WaiterLimit.Slot slot) {
        client.keepAlive();
        clients.add(new StreamOutbox(client, stillSignedIn, slot)); // a closed one is dropped at the next tick
    }

    private void tick() {
        if (clients.isEmpty()) {
            return;
        }
        try {
            String queueRows = templates.fragment("queueRows.jte", Map.of("rows", queues.get()));
            String nodeRows = templates.fragment("nodeRows.jte", Map.of("nodes", nodes.get()));
            for (StreamOutbox client : clients) {
                if (!client.stillAllowed()) {
                    client.close();
                }
                if (client.closed()) {
                    clients.remove(client);
                } else { // never blocks: a watcher that stopped reading is disconnected, not waited for
                    client.offer("queues", queueRows);
                    client.offer("nodes", nodeRows);
                }
            }
        } catch (RuntimeException e) {
            log.warn("console live tick failed error={}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        clients.forEach(StreamOutbox::close);
    }
}
