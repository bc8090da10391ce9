package dev.postroom.example.backoffice;

import dev.postroom.Delivery;
import dev.postroom.spring.PostroomListener;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/** "Export orders as CSV": a handler writes the file, reporting progress; the page links to it when done. */
@Service
public class Exports {
    static final String QUEUE = "exports.orders-csv";
    private static final Pattern MESSAGE_ID = Pattern.compile("[0-9a-f-]{36}");

    private final Shop shop;
    private final Path directory;
    private final Duration rowDelay;

    public Exports(Shop shop, @Value("${back-office.data-dir:./back-office-data}") Path dataDir,
                   @Value("${back-office.export-row-delay:20ms}") Duration rowDelay) {
        this.shop = shop;
        this.directory = dataDir.resolve("exports");
        this.rowDelay = rowDelay;
    }

    /** What the export handler is sent. */
    public record ExportOrders(String requestedBy) {
    }

    /** Its result: where to download the file, and how many rows it has. */
    public record ExportResult(String download, int rows) {
    }

    /** The export made by message {@code id}, if there is one; ids that are not message ids name no file. */
    public Path file(String id) {
        if (!MESSAGE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not an export id: " + id);
        }
        return directory.resolve(id + ".csv");
    }

    @PostroomListener(queue = QUEUE)
    ExportResult export(Delivery<ExportOrders> delivery) throws IOException {
        Files.createDirectories(directory);
        Path target = file(delivery.id());
        // Written aside and moved into place: a download never sees half a file, and a retry starts afresh.
        Path partial = Files.createTempFile(directory, delivery.id(), ".part");
        int total = shop.orderCount();
        AtomicInteger rows = new AtomicInteger();
        try (Writer out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            out.write("order_id,customer_id,total_cents,status\n");
            shop.eachOrder(order -> {
                try {
                    out.write(order.id() + "," + order.customerId() + "," + order.totalCents() + "," + order.status() + "\n");
                    Thread.sleep(rowDelay);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("export interrupted", e);
                }
                int done = rows.incrementAndGet();
                if (done % 10 == 0) {
                    delivery.progress(100 * done / Math.max(1, total), done + " of " + total + " orders");
                }
            });
        } catch (RuntimeException | IOException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new ExportResult("/exports/" + delivery.id() + ".csv", rows.get());
    }
}
