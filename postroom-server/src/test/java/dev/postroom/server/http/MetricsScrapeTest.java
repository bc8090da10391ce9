package dev.postroom.server.http;

import dev.postroom.Postroom;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Scope;
import dev.postroom.store.MessageStore;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.tck.InterceptedStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** What a scrape costs the store (the counts are read once, whatever the number of queues), and what it counts when the store is away. */
class MetricsScrapeTest {
    @TempDir
    Path dir;

    /** The SQLite store, with {@code counts} failing as an unavailable database does while {@code away} is set. */
    private MessageStore countsFailWhile(AtomicBoolean away) {
        return InterceptedStore.of(SqliteMessageStore.open(dir.resolve("data")), method -> {
            if (away.get() && method.equals("counts")) {
                throw new StoreUnavailableException("database away", null);
            }
        });
    }

    @Test
    void requestsThatMeetAnUnavailableStoreCountAsStoreErrors() throws Exception {
        AtomicBoolean away = new AtomicBoolean();
        try (AuthStore auth = AuthStore.open(dir); AuditLog audit = AuditLog.open(dir, InstantSource.system())) {
            ApiServer api = new ApiServer(auth, audit, InstantSource.system(), null);
            try (Postroom postroom = Postroom.builder().store(countsFailWhile(away)).listener(api.listener()).maintenanceInterval(null).build()) {
                api.start(postroom, "127.0.0.1", 0);
                postroom.createQueue("refunds");
                String token = auth.createToken("admin", List.of(Scope.parse("admin")), Instant.now()).secret();
                HttpClient http = HttpClient.newHttpClient();
                away.set(true);

                HttpResponse<String> queue = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/v1/queues/refunds"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> failedScrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/metrics"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
                away.set(false);
                HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/metrics"))
                        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());

                assertThat(queue.statusCode()).isEqualTo(503);
                assertThat(failedScrape.statusCode()).isEqualTo(503);
                assertThat(scrape.body()).as("the queue's request and the failed scrape")
                        .contains("postroom_store_errors_total{operation=\"request\"} 2.0");
            } finally {
                api.close();
            }
        }
    }

    @Test
    void aScrapeReadsTheCountsOnceWhateverTheNumberOfQueues() {
        AtomicInteger countReads = new AtomicInteger();
        MessageStore counted = InterceptedStore.of(SqliteMessageStore.open(dir), method -> {
            if (method.equals("counts")) {
                countReads.incrementAndGet();
            }
        });
        try (Postroom postroom = Postroom.builder().store(counted).maintenanceInterval(null).build()) {
            Metrics metrics = new Metrics();
            metrics.attach(postroom);
            for (int i = 0; i < 20; i++) {
                postroom.createQueue("queue-" + i);
                postroom.send("queue-" + i, "{}").join();
                metrics.gauges("queue-" + i);
            }
            postroom.send("queue-3", "{}").join();
            countReads.set(0);

            String scrape = metrics.scrape();

            assertThat(countReads.get()).isEqualTo(1);
            assertThat(scrape).contains("postroom_messages{queue=\"queue-3\",state=\"ready\"} 2.0")
                    .contains("postroom_messages{queue=\"queue-19\",state=\"ready\"} 1.0")
                    .contains("postroom_messages{queue=\"queue-19\",state=\"dead\"} 0.0");
        }
    }
}
