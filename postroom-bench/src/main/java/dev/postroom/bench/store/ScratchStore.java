package dev.postroom.bench.store;

import dev.postroom.QueuePolicy;
import dev.postroom.StateCounts;
import dev.postroom.store.MessageIds;
import dev.postroom.store.MessageStore;
import dev.postroom.store.NewMessage;
import dev.postroom.store.SendBatch;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.store.sqlite.SqliteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * An embedded store with full durability ({@code synchronous=FULL}, as published) and one queue,
 * in a fresh directory under {@code target/jmh} of the working directory (the system property
 * {@code postroom.bench.dir} moves it), deleted on close. Not under {@code java.io.tmpdir}: that is
 * a tmpfs on some machines, where an fsync costs nothing and a durable commit would measure nothing.
 */
final class ScratchStore implements AutoCloseable {
    static final String QUEUE = "bench";
    static final String NODE = "bench";
    /** The engine's limit is 10,000; no benchmark here holds that many leases. */
    private static final int CONCURRENCY = 10_000;
    private static final String NOTE = "x".repeat(96);

    final MessageStore store;
    private final Path dir;
    private final MessageIds ids = new MessageIds(InstantSource.system());
    private final AtomicLong sequence = new AtomicLong();

    private ScratchStore(Path dir) {
        this.dir = dir;
        this.store = SqliteMessageStore.open(SqliteOptions.of(dir));
        store.upsertQueue(QUEUE, QueuePolicy.DEFAULT.withConcurrency(CONCURRENCY), Instant.now()).join();
    }

    static ScratchStore open(String name) {
        try {
            Path parent = Files.createDirectories(Path.of(System.getProperty("postroom.bench.dir", "target/jmh")));
            return new ScratchStore(Files.createTempDirectory(parent, name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A READY message of about 200 bytes of JSON, the end-to-end benchmark's workload. */
    NewMessage message(Instant now) {
        long n = sequence.incrementAndGet();
        String payload = "{\"tenant\":\"tenant-" + (n % 100) + "\",\"action\":\"refund\",\"target\":\"order-" + n
                + "\",\"note\":\"" + NOTE + "\",\"sentNanos\":" + System.nanoTime() + "}";
        return new NewMessage(ids.next(), QUEUE, payload, Map.of(), 0, now, null, null, null, 5);
    }

    /** Sends {@code count} messages in batches of 1,000, a few batches in flight, and waits until they are durable. */
    void fill(long count) {
        Queue<CompletableFuture<?>> pending = new ArrayDeque<>();
        for (long sent = 0; sent < count; ) {
            Instant now = Instant.now();
            int size = (int) Math.min(1000, count - sent);
            List<NewMessage> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add(message(now));
            }
            pending.add(store.send(new SendBatch(batch, now, NODE)));
            sent += size;
            if (pending.size() >= 8) {
                pending.remove().join();
            }
        }
        pending.forEach(CompletableFuture::join);
    }

    /** READY messages of the queue, from the store's counters. */
    long ready() {
        return store.counts().getOrDefault(QUEUE, StateCounts.EMPTY).ready();
    }

    @Override
    public void close() {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
