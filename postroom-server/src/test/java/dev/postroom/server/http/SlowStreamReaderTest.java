package dev.postroom.server.http;

import dev.postroom.MessageState;
import dev.postroom.server.activity.Activity;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that stops reading its event stream fills its socket, and a write to it blocks: the
 * events of every other client must keep flowing, and the stalled client is disconnected once it
 * falls far behind. The clients here are Javalin's own {@link SseClient} over a response whose
 * output stream either records or blocks, as a full socket does.
 */
class SlowStreamReaderTest {
    @Test
    void aClientWhoseWritesBlockDelaysNoOtherClientAndIsDisconnectedOnceFarBehind() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        try (EventStream events = new EventStream(Bodies.mapper(), new Activity(Clock.systemUTC()))) {
            FakeResponse stalled = new FakeResponse(released);
            FakeResponse reading = new FakeResponse(null);
            events.connect(stalled.client(), () -> true, null);
            events.connect(reading.client(), () -> true, null);

            for (int i = 1; i <= 3; i++) {
                String id = "m-" + i;
                events.changed("q", id, MessageState.SUCCEEDED);
                await().atMost(10, TimeUnit.SECONDS).untilAsserted(() ->
                        assertThat(reading.text()).as("the reading client got event %s", id).contains(id));
            }
            for (int i = 0; i < StreamOutbox.CAPACITY + 1_000; i++) {
                events.changed("q", "burst-" + i, MessageState.SUCCEEDED);
                if (i % 150 == 0) {
                    Thread.sleep(210); // a tick's worth: the feed sends at most 200 message events per tick
                }
            }
            await().atMost(30, TimeUnit.SECONDS).untilAsserted(() ->
                    assertThat(stalled.client().terminated()).as("the stalled client, far behind, is disconnected").isTrue());
            assertThat(reading.client().terminated()).isFalse();
        } finally {
            released.countDown();
        }
    }

    /** A servlet response whose output stream records what is written, or blocks until released. */
    private static final class FakeResponse {
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final SseClient client;

        FakeResponse(CountDownLatch blockUntil) {
            ServletOutputStream out = new ServletOutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[]{(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    if (blockUntil != null) {
                        try {
                            blockUntil.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    synchronized (written) {
                        written.write(b, off, len);
                    }
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                }
            };
            HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[]{HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getOutputStream" -> out;
                        case "flushBuffer" -> null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            Context ctx = (Context) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Context.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "res" -> response;
                        case "future" -> null; // the stream stays open until closed
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            client = new SseClient(ctx);
        }

        SseClient client() {
            return client;
        }

        String text() {
            synchronized (written) {
                return written.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
