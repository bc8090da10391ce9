package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Where {@code --url} and {@code --token} come from when they are not given. */
class ApiOptionsTest {
    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void urlAndTokenFallBackToTheEnvironment() {
        server.answer("GET", "/api/v1/queues", 200, "{\"queues\":[]}");

        CliRun run = CliRun.run(Map.of("POSTROOM_URL", server.url(), "POSTROOM_TOKEN", "from-env"), new StatsCommand());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(server.only("GET", "/api/v1/queues").authorization()).isEqualTo("Bearer from-env");
    }

    @Test
    void flagsWinOverTheEnvironment() {
        server.answer("GET", "/api/v1/queues", 200, "{\"queues\":[]}");

        CliRun run = CliRun.run(Map.of("POSTROOM_URL", "http://127.0.0.1:1", "POSTROOM_TOKEN", "from-env"), new StatsCommand(),
                "--url", server.url(), "--token", "from-flag");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(server.only("GET", "/api/v1/queues").authorization()).isEqualTo("Bearer from-flag");
    }

    @Test
    void withoutUrlTheLocalDefaultPortIsUsed() {
        ApiOptions options = new ApiOptions();
        options.env = Map.of();

        assertThat(options.resolvedUrl()).hasToString("http://127.0.0.1:8080");
    }

    @Test
    void withoutTokenNoAuthorizationHeaderIsSent() {
        server.answer("GET", "/api/v1/queues", 200, "{\"queues\":[]}");

        CliRun.run(new StatsCommand(), "--url", server.url());

        assertThat(server.only("GET", "/api/v1/queues").authorization()).isNull();
    }

    @Test
    void urlWithoutSchemeExitsNonZeroWithOneLineReason() {
        CliRun run = CliRun.run(new StatsCommand(), "--url", "localhost:8080");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: invalid --url localhost:8080: expected http://HOST:PORT or https://HOST\n");
    }
}
