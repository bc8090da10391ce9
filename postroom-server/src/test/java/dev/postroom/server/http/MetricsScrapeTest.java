package dev.postroom.server.http;

import dev.postroom.Postroom;
import dev.postroom.store.MessageStore;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** What a scrape costs the store: the counts are read once, whatever the number of queues. */
class MetricsScrapeTest {
    @TempDir
    Path dir;

    @Test
    void aScrapeReadsTheCountsOnceWhateverTheNumberOfQueues() {
        AtomicInteger countReads = new AtomicInteger();
        MessageStore sqlite = SqliteMessageStore.open(dir);
        MessageStore counted = (MessageStore) Proxy.newProxyInstance(MessageStore.class.getClassLoader(),
                new Class<?>[]{MessageStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("counts")) {
                        countReads.incrementAndGet();
                    }
                    try {
                        return method.invoke(sqlite, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
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
