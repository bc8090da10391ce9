package dev.postroom.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.MessageListener;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.server.activity.Activity;
import io.javalin.http.sse.SseClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /api/v1/events}: server-sent events. {@code message} events ({id, queue, state}) as
 * this node changes messages, and {@code queue} events ({queue, counts, paused, rates:{sent, acked,
 * failed} per second over the last 5 s, oldestReadyAgeSeconds}) once a second per queue whose event
 * changed: while messages flow or wait to be delivered, every second. A burst beyond what a client can take is thinned: at most
 * {@link #MAX_MESSAGE_EVENTS_PER_TICK} message events per 200 ms tick go out; the queue events
 * still tell the totals.
 */
final class EventStream implements MessageListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    private static final int MAX_MESSAGE_EVENTS_PER_TICK = 200;

    record MessageEvent(String id, String queue, MessageState state) {
    }

    record QueueEvent(String queue, Views.Counts counts, boolean paused, Views.Rates rates, double oldestReadyAgeSeconds) {
    }

    private final BlockingQueue<MessageEvent> pending = new ArrayBlockingQueue<>(10_000);
    private final Set<StreamOutbox> clients = ConcurrentHashMap.newKeySet();
    private final Map<String, QueueEvent> lastCounts = new HashMap<>();
    private final ObjectMapper mapper;
    private final Activity activity;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("postroom-events").factory());
    private volatile Postroom postroom;
    private int ticks;

    EventStream(ObjectMapper mapper, Activity activity) {
        this.mapper = mapper;
        this.activity = activity;
        timer.scheduleWithFixedDelay(this::tick, 200, 200, TimeUnit.MILLISECONDS);
    }

    void attach(Postroom postroom) {
        this.postroom = postroom;
    }

    /**
     * Streams to {@code client} for as long as {@code stillAllowed} holds: a revoked token (or one
     * that lost its scope) ends the stream within a second. {@code slot} is released when it ends.
     */
    void connect(SseClient client, BooleanSupplier stillAllowed, WaiterLimit.Slot slot) {
        client.keepAlive();
        clients.add(new StreamOutbox(client, stillAllowed, slot)); // a closed one is dropped at the next event
        synchronized (lastCounts) {
            lastCounts.clear(); // a new client gets every queue's counts at the next full tick
        }
    }

    @Override
    public void sent(String queue, String id, MessageState state, boolean duplicate) {
        if (!duplicate) {
            changed(queue, id, state);
        }
    }

    @Override
    public void changed(String queue, String id, MessageState state) {
        if (!clients.isEmpty()) {
            pending.offer(new MessageEvent(id, queue, state)); // full: drop; counts still go out
        }
    }

    private void tick() {
        try {
            List<MessageEvent> batch = new ArrayList<>();
            pending.drainTo(batch);
            if (clients.isEmpty()) {
                return;
            }
            List<MessageEvent> sending = batch.size() > MAX_MESSAGE_EVENTS_PER_TICK ? batch.subList(0, MAX_MESSAGE_EVENTS_PER_TICK) : batch;
            for (MessageEvent event : sending) {
                broadcast("message", event);
            }
            boolean everySecond = ++ticks % 5 == 0;
            if (everySecond) {
                endRevoked();
            }
            if (everySecond && postroom != null) {
                Instant now = postroom.clock().instant();
                for (QueueInfo queue : postroom.queues()) {
                    QueueEvent event = new QueueEvent(queue.name(), Views.Counts.of(queue.counts()), queue.paused(),
                            Views.Rates.of(activity.rates(queue.name())), Views.ageSeconds(queue, now));
                    boolean changed;
                    synchronized (lastCounts) {
                        changed = !Objects.equals(lastCounts.put(queue.name(), event), event);
                    }
                    if (changed) {
                        broadcast("queue", event);
                    }
                }
            }
        } catch (RuntimeException e) {
            log.warn("event tick failed error={}", e.toString());
        }
    }

    private void endRevoked() {
        for (StreamOutbox client : clients) {
            if (!client.stillAllowed()) {
                clients.remove(client);
                client.close();
            }
        }
    }

    private void broadcast(String name, Object event) {
        String data;
        try {
            data = mapper.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            return;
        }
        for (StreamOutbox client : clients) {
            if (client.closed()) {
                clients.remove(client);
            } else {
                client.offer(name, data); // never blocks: a slow client is disconnected, not waited for
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        clients.forEach(StreamOutbox::close);
    }
}
