package dev.postroom.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * An append-only text log, one line per record, whose {@link #append} future completes only once
 * the line has been written and {@code fsync}'d. One writer thread batches whatever lines are
 * waiting into one write and one {@code force}, so 64 concurrent handlers do not pay 64 fsyncs.
 *
 * <p>A SIGKILL can interrupt a write and leave a partial last line. Opening the log cuts such a
 * tail off: nobody was told it was written (its future never completed), and a truncated line
 * like {@code m-1-2} (from {@code m-1-23}) would otherwise claim a record that never happened.
 */
public final class DurableLog implements AutoCloseable {
    private record Entry(byte[] line, CompletableFuture<Void> done) {
    }

    private static final Entry STOP = new Entry(new byte[0], null);

    private final FileChannel channel;
    private final LinkedBlockingQueue<Entry> pending = new LinkedBlockingQueue<>();
    private final Consumer<Throwable> onFailure;
    private final Thread writer;

    private DurableLog(FileChannel channel, String name, Consumer<Throwable> onFailure) {
        this.channel = channel;
        this.onFailure = onFailure;
        this.writer = Thread.ofPlatform().daemon().name("durable-log-" + name).start(this::loop);
    }

    /** Opens (creating) the log, dropping a partial last line; {@code onFailure} hears of any I/O error. */
    public static DurableLog open(Path path, Consumer<Throwable> onFailure) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long end = completeLinesEnd(channel);
        if (end < channel.size()) {
            channel.truncate(end);
            channel.force(true);
        }
        channel.position(end);
        return new DurableLog(channel, path.getFileName().toString(), onFailure);
    }

    /** The offset just past the last '\n' (0 when there is none). */
    private static long completeLinesEnd(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer one = ByteBuffer.allocate(1);
        for (long at = size - 1; at >= 0; at--) {
            one.clear();
            channel.read(one, at);
            if (one.get(0) == '\n') {
                return at + 1;
            }
        }
        return 0;
    }

    /** Queues {@code line}; the future completes once it is on disk. */
    public CompletableFuture<Void> append(String line) {
        if (line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("one line only: " + line);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.add(new Entry((line + "\n").getBytes(StandardCharsets.UTF_8), done));
        return done;
    }

    private void loop() {
        List<Entry> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(pending.take());
                pending.drainTo(batch);
                boolean stop = batch.removeIf(entry -> entry == STOP);
                write(batch);
                if (stop) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                batch.forEach(entry -> entry.done().completeExceptionally(e));
                onFailure.accept(e);
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<Entry> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        int size = batch.stream().mapToInt(entry -> entry.line().length).sum();
        ByteBuffer buffer = ByteBuffer.allocate(size);
        batch.forEach(entry -> buffer.put(entry.line()));
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        channel.force(false);
        batch.forEach(entry -> entry.done().complete(null));
    }

    /** Writes what is queued, then closes the file. */
    @Override
    public void close() {
        pending.add(STOP);
        try {
            writer.join();
            channel.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
