package dev.postroom.server.http;

import dev.postroom.server.auth.NewToken;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Requests that stay open (long-polls, event streams) are capped per token. */
class OpenRequestLimitsTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void aTokenPastItsEventStreamCapIsAnswered429WithRetryAfterAndAnotherTokenIsNot() throws Exception {
        NewToken reader = server.newToken("read");
        List<HttpResponse<InputStream>> open = new ArrayList<>();
        try {
            for (int i = 0; i < ApiServer.STREAMS_PER_TOKEN; i++) {
                HttpResponse<InputStream> stream = openStream(reader.secret());
                assertThat(stream.statusCode()).as("stream %d within the cap", i + 1).isEqualTo(200);
                open.add(stream);
            }

            HttpResponse<String> refused = server.http().send(
                    server.request("GET", "/api/v1/events", reader.secret(), null).build(), HttpResponse.BodyHandlers.ofString());

            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isPositive());
            assertThat(refused.body()).contains("event streams");
            HttpResponse<InputStream> other = openStream(server.token("read"));
            assertThat(other.statusCode()).as("another token has a cap of its own").isEqualTo(200);
            open.add(other);

            open.removeFirst().body().close();
            await().atMost(30, TimeUnit.SECONDS).pollInterval(1, TimeUnit.SECONDS).untilAsserted(() -> {
                HttpResponse<InputStream> again = openStream(reader.secret());
                open.add(again);
                assertThat(again.statusCode()).as("a closed stream frees its place").isEqualTo(200);
            });
        } finally {
            for (HttpResponse<InputStream> stream : open) {
                stream.body().close();
            }
        }
    }

    @Test
    void aTokenPastItsLongPollCapIsAnswered429AndItsPlacesComeBackWhenThePollsEnd() {
        String token = server.token("receive:cap-*");
        String queue = uniqueQueue("cap");
        server.createQueue(queue);
        List<CompletableFuture<Reply>> polls = new ArrayList<>();
        for (int i = 0; i < ApiServer.LONG_POLLS_PER_TOKEN; i++) {
            polls.add(server.callAsync("POST", "/api/v1/queues/" + queue + "/receive", token, "{\"waitSeconds\":4}"));
        }
        await().atMost(20, TimeUnit.SECONDS).until(() -> server.api().longPollsOpen() == ApiServer.LONG_POLLS_PER_TOKEN);

        Reply refused = server.post("/api/v1/queues/" + queue + "/receive", token, "{\"waitSeconds\":4}");
        Reply noWait = server.post("/api/v1/queues/" + queue + "/receive", token, "{}");

        assertProblem(refused, 429);
        assertThat(refused.body()).contains("long-polls");
        assertThat(noWait.status()).as("a receive that does not wait is not capped: %s", noWait).isEqualTo(200);
        polls.forEach(poll -> assertThat(TestServer.join(poll).status()).isEqualTo(200));
        Reply afterwards = server.post("/api/v1/queues/" + queue + "/receive", token, "{\"waitSeconds\":0.1}");
        assertThat(afterwards.status()).as("%s", afterwards).isEqualTo(200);
        assertThat(server.api().longPollsOpen()).isZero();
    }

    private static HttpResponse<InputStream> openStream(String secret) throws IOException, InterruptedException {
        return server.http().send(server.request("GET", "/api/v1/events", secret, null).build(), HttpResponse.BodyHandlers.ofInputStream());
    }
}
