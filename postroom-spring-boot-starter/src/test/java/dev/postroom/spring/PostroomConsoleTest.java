package dev.postroom.spring;

import dev.postroom.Postroom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** postroom.console.port: the standalone server's HTTP API and console beside the application, on its Postroom. */
class PostroomConsoleTest {
    private static final String TOKEN = "pr_" + "console-test-token-0123456789abcdef";
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theApiAndConsoleServeTheApplicationsPostroomWithItsUsersAndTokens() {
        Contexts.sqlite(dataDir)
                .withPropertyValues("postroom.console.port=0", "postroom.console.admin-token=" + TOKEN,
                        "postroom.console.admin-password=correct-horse-battery", "postroom.queues.refunds.max-attempts=3")
                .run(context -> {
                    PostroomConsole console = context.getBean(PostroomConsole.class);
                    String api = "http://127.0.0.1:" + console.port() + "/api/v1";
                    context.getBean(Postroom.class).send("refunds", "order-1").join();

                    HttpResponse<String> queues = get(api + "/queues/refunds", TOKEN);
                    assertThat(queues.statusCode()).isEqualTo(200);
                    assertThat(queues.body()).contains("\"name\":\"refunds\"").contains("\"maxAttempts\":3").contains("\"ready\":1");
                    assertThat(get(api + "/queues", null).statusCode()).as("no token").isEqualTo(401);
                    assertThat(get(api + "/queues", "pr_wrong-token-0123456789abcdefghijkl").statusCode()).isEqualTo(401);
                    HttpResponse<String> login = get(console.url() + "/login", null);
                    assertThat(login.statusCode()).isEqualTo(200);
                    assertThat(login.body()).contains("<form");
                    assertThat(dataDir.resolve("auth.db")).exists();
                });
    }

    @Test
    void withoutAPortOrWhenTurnedOffThereIsNoConsole() {
        Contexts.sqlite(dataDir).run(context -> assertThat(context).doesNotHaveBean(PostroomConsole.class));
        Contexts.sqlite(dataDir).withPropertyValues("postroom.console.port=0", "postroom.console.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(PostroomConsole.class));
    }

    @Test
    void aPortOutOfRangeFailsStartUpNamingTheProperty() {
        Contexts.sqlite(dataDir).withPropertyValues("postroom.console.port=70000")
                .run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("console.port"));
    }
}
