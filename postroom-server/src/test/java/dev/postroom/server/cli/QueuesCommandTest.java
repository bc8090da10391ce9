package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom queues create|pause|resume|purge|redrive}. */
class QueuesCommandTest {
    private static final String QUEUE = "{\"name\":\"emails\",\"paused\":false,\"policy\":{},\"counts\":{}}";

    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    private CliRun queues(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--url";
        all[args.length + 1] = server.url();
        return CliRun.run(new QueuesCommand(), all);
    }

    @Test
    void createSendsOnlyTheGivenPolicyFields() {
        server.answer("PUT", "/api/v1/queues/emails", 201, QUEUE);

        CliRun run = queues("create", "emails", "--max-attempts", "5", "--backoff-initial", "1.5", "--rate-limit", "100/60",
                "--lease", "30");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("created queue emails\n");
        assertThat(server.only("PUT", "/api/v1/queues/emails").json()).isEqualTo(json("""
                {"maxAttempts":5,"backoff":{"initialSeconds":1.5},"leaseSeconds":30,"rateLimit":{"count":100,"perSeconds":60}}"""));
    }

    @Test
    void createSendsPerKeyLimits() {
        server.answer("PUT", "/api/v1/queues/emails", 201, QUEUE);

        CliRun run = queues("create", "emails", "--per-key-header", "tenant", "--max-in-flight-per-key", "2",
                "--per-key-rate-limit", "10/1.5");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(server.only("PUT", "/api/v1/queues/emails").json()).isEqualTo(json("""
                {"perKey":{"header":"tenant","maxInFlight":2,"rateLimit":{"count":10,"perSeconds":1.5}}}"""));
    }

    @Test
    void showPrintsThePolicyWithItsLimits() {
        server.answer("GET", "/api/v1/queues/emails", 200, """
                {"name":"emails","paused":false,"policy":{"maxAttempts":5,"backoff":{"initialSeconds":1.0,"maxSeconds":600.0,
                "multiplier":2.0},"leaseSeconds":30.0,"concurrency":64,"rateLimit":{"count":100,"perSeconds":60.0},
                "perKey":{"key":"header","header":"tenant","maxInFlight":2,"rateLimit":null},"retentionHours":24.0,
                "deadRetentionHours":168.0},"counts":{"scheduled":0,"ready":3,"inFlight":1,"succeeded":9,"dead":0,"cancelled":0}}""");

        CliRun run = queues("show", "emails");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).contains("concurrency   64 in flight at once, across every node\n",
                "rate limit    100 per 60 s\n", "per key       by header tenant: 2 in flight, round-robin across keys\n",
                "counts        scheduled 0, ready 3, in flight 1, succeeded 9, dead 0, cancelled 0\n");
    }

    @Test
    void showSaysNoneForAQueueWithoutLimits() {
        server.answer("GET", "/api/v1/queues/emails", 200, """
                {"name":"emails","paused":true,"policy":{"maxAttempts":5,"backoff":{"initialSeconds":1,"maxSeconds":600,
                "multiplier":2},"leaseSeconds":30,"concurrency":64,"rateLimit":null,"perKey":null,"retentionHours":24,
                "deadRetentionHours":168},"counts":{}}""");

        CliRun run = queues("show", "emails");

        assertThat(run.out()).contains("queue         emails (paused)\n", "rate limit    none\n", "per key       none\n");
    }

    @Test
    void createOnAnExistingQueueSaysItWasUpdated() {
        server.answer("PUT", "/api/v1/queues/emails", 200, QUEUE);

        CliRun run = queues("create", "emails", "--concurrency", "4");

        assertThat(run.out()).isEqualTo("updated queue emails\n");
    }

    @Test
    void rateLimitWithoutSlashIsAUsageError() {
        CliRun run = queues("create", "emails", "--rate-limit", "100");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'100' is not COUNT/SECONDS");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void invalidPolicyExitsNonZeroNamingTheField() {
        server.problem("PUT", "/api/v1/queues/emails", 422,
                "{\"status\":422,\"errors\":[{\"field\":\"maxAttempts\",\"message\":\"must be 1–1000, was 0\"}]}");

        CliRun run = queues("create", "emails", "--max-attempts", "0");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 422 maxAttempts: must be 1–1000, was 0\n");
    }

    @Test
    void pauseAndResumePostToTheirPaths() {
        server.answer("POST", "/api/v1/queues/emails/pause", 200, QUEUE);
        server.answer("POST", "/api/v1/queues/emails/resume", 200, QUEUE);

        CliRun paused = queues("pause", "emails");
        CliRun resumed = queues("resume", "emails");

        assertThat(paused.out()).isEqualTo("paused emails\n");
        assertThat(resumed.out()).isEqualTo("resumed emails\n");
        assertThat(server.requests()).extracting(CannedServer.Request::path)
                .containsExactly("/api/v1/queues/emails/pause", "/api/v1/queues/emails/resume");
    }

    @Test
    void pausingAnUnknownQueueExitsNonZeroWithOneLineReason() {
        server.problem("POST", "/api/v1/queues/nope/pause", 404, "{\"status\":404,\"detail\":\"queue not found: nope\"}");

        CliRun run = queues("pause", "nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 404 queue not found: nope\n");
    }

    @Test
    void purgeSendsTheNamedStatesAndReportsTheCount() {
        server.answer("POST", "/api/v1/queues/emails/purge", 200, "{\"purged\":17}");

        CliRun run = queues("purge", "emails", "--state", "dead", "-s", "in-flight,CANCELLED");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("purged 17 messages from emails\n");
        assertThat(server.only("POST", "/api/v1/queues/emails/purge").json())
                .isEqualTo(json("{\"states\":[\"DEAD\",\"IN_FLIGHT\",\"CANCELLED\"]}"));
    }

    @Test
    void purgeWithoutStatesIsAUsageErrorAndDeletesNothing() {
        CliRun run = queues("purge", "emails");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option: '--state=STATE'");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void unknownStateIsAUsageError() {
        CliRun run = queues("purge", "emails", "--state", "gone");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'gone' is not a state");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void redriveReportsHowManyMessagesMoved() {
        server.answer("POST", "/api/v1/queues/emails/redrive", 200, "{\"redriven\":4}");

        CliRun run = queues("redrive", "emails");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("redrove 4 dead messages in emails to ready\n");
    }

    @Test
    void jsonPrintsTheServerAnswer() {
        server.answer("POST", "/api/v1/queues/emails/redrive", 200, "{\"redriven\":4}");

        CliRun run = queues("redrive", "emails", "--json");

        assertThat(run.out()).isEqualTo("{\"redriven\":4}\n");
    }

    @Test
    void queuesWithoutASubcommandIsAUsageError() {
        CliRun run = CliRun.run(new QueuesCommand());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required subcommand").contains("purge");
    }
}
