package dev.postroom.server.http;

import io.javalin.http.sse.SseClient;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * One event-stream client with a writer thread of its own, so that a client that reads slowly (or
 * not at all) delays nobody else: the feed only queues events here, and a client whose queue
 * fills up ({@link #CAPACITY} events behind) is disconnected; it reconnects and starts afresh.
 * The writer is a platform thread because Javalin writes an event inside {@code synchronized},
 * which pins a virtual thread's carrier on JDK 21–23 while the socket is full.
 */
public final class StreamOutbox implements AutoCloseable {
    /** Events a client may fall behind before it is disconnected: several seconds of a busy feed. */
    static final int CAPACITY = 2_000;
    /**
     * A quiet stream gets a comment line this often: a client that went away is noticed only
     * when a write to it fails, and until then it holds its place under the stream caps.
     */
    private static final long HEARTBEAT_SECONDS = 5;

    private record Event(String name, String data) {
    }

    private final SseClient client;
    private final BooleanSupplier stillAllowed;
    private final WaiterLimit.Slot slot;
    private final BlockingQueue<Event> events = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread writer;

    /**
     * Starts writing to {@code client}; {@code stillAllowed} is the check that its credentials
     * still stand, {@code slot} (may be null) is released when the stream ends.
     */
    public StreamOutbox(SseClient client, BooleanSupplier stillAllowed, WaiterLimit.Slot slot) {
        this.client = client;
        this.stillAllowed = stillAllowed;
        this.slot = slot;
        this.writer = Thread.ofPlatform().daemon().name("postroom-stream-writer").unstarted(this::write);
        client.onClose(this::close); // the client's only close callback: Javalin keeps one
        writer.start();
    }

    /** Whether the client's token or session still allows the stream. */
    public boolean stillAllowed() {
        return stillAllowed.getAsBoolean();
    }

    /** Whether the stream has ended (closed by either side, or dropped for falling behind). */
    public boolean closed() {
        return closed.get() || client.terminated();
    }

    /** Queues an event; a client too far behind is disconnected instead. */
    public void offer(String name, String data) {
        if (!closed() && !events.offer(new Event(name, data))) {
            close();
        }
    }

    private void write() {
        try {
            while (!closed()) {
                Event event = events.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
                if (event != null) {
                    client.sendEvent(event.name(), event.data());
                } else {
                    client.sendComment("heartbeat");
                }
            }
        } catch (InterruptedException ended) {
            // closed while waiting or writing
        } catch (RuntimeException clientGone) {
            // the connection broke mid-write
        } finally {
            close();
        }
    }

    /** Ends the stream: the client's connection closes, its slot is released. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            writer.interrupt();
            events.clear();
            client.close();
            if (slot != null) {
                slot.close();
            }
        }
    }
}
