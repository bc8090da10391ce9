package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom archive} lists a page of archived messages; {@code postroom replay} is a dry run unless {@code --yes}. */
class ArchiveCommandsTest {
    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void archiveListsAPageAndHowToGetTheNext() {
        server.answer("GET", "/api/v1/archive", 200, "{\"messages\":[{\"id\":\"m1\",\"queue\":\"refunds\","
                + "\"state\":\"DEAD\",\"updatedAt\":\"2026-12-04T10:00:00Z\",\"payloadPreview\":\"{\\\"order\\\":\\\"o-7\\\"}\"}],\"next\":\"AQ\"}");

        CliRun run = CliRun.run(new ArchiveCommand(), "--queue", "refunds", "--state", "DEAD", "--limit", "1", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).contains("m1", "refunds", "DEAD", "2026-12-04T10:00:00Z", "{\"order\":\"o-7\"}").endsWith("more: --after AQ\n");
        assertThat(server.only("GET", "/api/v1/archive").query()).isEqualTo("queue=refunds&state=DEAD&limit=1");
    }

    @Test
    void replayWithoutYesOnlyCounts() {
        server.answer("POST", "/api/v1/replays", 200, "{\"count\":2,\"sample\":[\"m1\",\"m2\"]}");

        CliRun run = CliRun.run(new ReplayCommand(), "--queue", "refunds", "--state", "SUCCEEDED", "--since", "2026-12-04T10:00:00Z",
                "--until", "2026-12-04T10:40:00Z", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("would replay 2 messages; the oldest: m1, m2\nnothing was sent; run again with --yes to replay them\n");
        assertThat(server.only("POST", "/api/v1/replays").json().toString()).isEqualTo("{\"filter\":{\"queue\":\"refunds\",\"state\":\"SUCCEEDED\","
                + "\"since\":\"2026-12-04T10:00:00Z\",\"until\":\"2026-12-04T10:40:00Z\"},\"dryRun\":true}");
    }

    @Test
    void replayWithYesFollowsItToTheEndAndFailsWhenItFails() {
        server.answer("POST", "/api/v1/replays", 202, "{\"id\":\"r1\",\"state\":\"RUNNING\",\"toQueue\":\"again\",\"matched\":2,\"replayed\":0}");
        server.answer("GET", "/api/v1/replays/r1", 200, "{\"id\":\"r1\",\"state\":\"FAILED\",\"toQueue\":\"again\",\"matched\":2,\"replayed\":1,"
                + "\"error\":\"queue gone\"}");

        CliRun run = CliRun.run(new ReplayCommand(), "--queue", "refunds", "--to", "again", "--yes", "--url", server.url());

        assertThat(run.out()).isEqualTo("replay r1 FAILED: 1 of 2 matching messages sent again to again\n");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("replay r1 is FAILED: queue gone");
        assertThat(server.only("POST", "/api/v1/replays").json().get("toQueue").asText()).isEqualTo("again");
    }
}
