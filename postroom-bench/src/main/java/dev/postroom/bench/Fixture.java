package dev.postroom.bench;

import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.StateCounts;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.store.sqlite.SqliteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A fresh embedded Postroom in a temporary directory, deleted on close. */
final class Fixture implements AutoCloseable {
    final Path dir;
    final Postroom postroom;

    Fixture(Path parent, String name, int concurrency) {
        try {
            dir = Files.createTempDirectory(parent, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        postroom = Postroom.builder().store(SqliteMessageStore.open(SqliteOptions.of(dir))).build();
        postroom.createQueue("bench", QueuePolicy.DEFAULT.withConcurrency(concurrency));
    }

    /** Read from the store's counters alone: polled every few milliseconds, it must not cost the run it measures. */
    long succeeded() {
        return postroom.store().counts().getOrDefault("bench", StateCounts.EMPTY).succeeded();
    }

    @Override
    public void close() {
        postroom.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
