package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom erase}: a dry run unless {@code --yes}, then the erasure followed to its end. */
class EraseCommandTest {
    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void withoutYesItOnlyCountsAndSaysNothingWasErased() {
        server.answer("POST", "/api/v1/erasures", 200, "{\"count\":3,\"sample\":[\"m1\",\"m2\",\"m3\"]}");

        CliRun run = CliRun.run(new EraseCommand(), "--ordering-key", "customer-7", "-H", "tenant=acme", "--payload", "/customer/id=7",
                "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("would erase 3 messages; the oldest: m1, m2, m3\nnothing was erased; run again with --yes to erase them\n");
        assertThat(server.only("POST", "/api/v1/erasures").json().toString()).isEqualTo(
                "{\"filter\":{\"orderingKey\":\"customer-7\",\"headers\":{\"tenant\":\"acme\"},\"payload\":{\"pointer\":\"/customer/id\",\"value\":\"7\"}},"
                        + "\"dryRun\":true}");
    }

    @Test
    void withYesItErasesAndReportsTheEnd() {
        server.answer("POST", "/api/v1/erasures", 202, "{\"id\":\"e1\",\"state\":\"RUNNING\",\"matched\":3,\"erased\":0}");
        server.answer("GET", "/api/v1/erasures/e1", 200, "{\"id\":\"e1\",\"state\":\"SUCCEEDED\",\"matched\":3,\"erased\":3,\"error\":null}");

        CliRun run = CliRun.run(new EraseCommand(), "--ordering-key", "customer-7", "--yes", "--url", server.url());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("erasure e1 SUCCEEDED: 3 of 3 matching messages erased\n");
        assertThat(server.only("POST", "/api/v1/erasures").json().has("dryRun")).isFalse();
    }

    @Test
    void aPayloadConditionWithoutAnEqualsSignIsRefusedBeforeAsking() {
        CliRun run = CliRun.run(new EraseCommand(), "--payload", "/customer/id", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--payload takes POINTER=VALUE");
        assertThat(server.requests()).isEmpty();
    }
}
