package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.RawJson;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scrape of a busy server, as Prometheus and the shipped dashboard and alert rules see it: every
 * metric has help text and a unit ({@code promtool check metrics} says nothing), and every metric
 * that {@code ops/} queries is in it.
 */
class PrometheusExportTest {
    @RegisterExtension
    static final TestServer server = new TestServer();
    private static String scrape;

    /**
     * Work of every kind: acks, failed attempts, a dead letter, messages scheduled and waiting,
     * a lease held over HTTP, and requests answered 2xx and 4xx.
     */
    @BeforeAll
    static void busyServer() {
        String done = uniqueQueue("done");
        String failing = uniqueQueue("failing");
        String waiting = uniqueQueue("waiting");
        server.createQueue(done);
        server.createQueue(failing, "{\"maxAttempts\":1}");
        server.createQueue(waiting);
        server.postroom().handle(done, RawJson.class, delivery -> "ok");
        server.postroom().handle(failing, RawJson.class, delivery -> {
            throw new IllegalStateException("refused");
        });
        for (int i = 0; i < 5; i++) {
            server.send(done, "{}");
        }
        server.send(failing, "{}");
        server.send(waiting, "{}");
        server.send(waiting, "{}");
        assertThat(server.post("/api/v1/queues/" + waiting + "/messages", server.admin, "{\"payload\":{},\"delaySeconds\":3600}").status())
                .isEqualTo(201);
        server.receiveOne(waiting);
        assertThat(server.get("/api/v1/queues/no-such-queue", server.admin).status()).isEqualTo(404);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.counts(failing).path("dead").asInt() == 1
                && server.counts(done).path("succeeded").asInt() == 5);
        Reply reply = server.get("/metrics", server.admin);
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        scrape = reply.body();
    }

    @Test
    void promtoolFindsNothingToSayAboutTheScrape() {
        Promtool.Run run = Promtool.run(Path.of("."), scrape, "check", "metrics");

        assertThat(run.output()).as("promtool check metrics").isEmpty();
        assertThat(run.exit()).isZero();
    }

    @Test
    void everyMetricTheAlertRulesReadIsInTheScrape() {
        Set<String> scraped = PromQl.sampleNames(scrape);

        for (String expression : PromQl.ruleExpressions(PromQl.OPS.resolve("prometheus/alerts.yml"))) {
            assertThat(scraped).as("metrics of %s", expression).containsAll(PromQl.metricNames(expression));
        }
    }

    @Test
    void everyMetricTheDashboardReadsIsInTheScrape() throws Exception {
        JsonNode dashboard = TestServer.JSON.readTree(PromQl.OPS.resolve("grafana/postroom.json").toFile());
        Set<String> scraped = PromQl.sampleNames(scrape);

        List<String> expressions = PromQl.dashboardExpressions(dashboard);
        assertThat(expressions).hasSizeGreaterThan(10);
        for (String expression : expressions) {
            assertThat(PromQl.metricNames(expression)).as("metrics of %s", expression).isNotEmpty();
            assertThat(scraped).as("metrics of %s", expression).containsAll(PromQl.metricNames(expression));
        }
        String queues = dashboard.path("templating").path("list").get(1).path("definition").asText();
        assertThat(queues).isEqualTo("label_values(postroom_messages, queue)");
        assertThat(scraped).contains("postroom_messages");
    }

    /** Each of the dashboard's queries as a recording rule, for promtool to parse (Grafana's variables filled in). */
    @Test
    void theDashboardsQueriesAreValidPromQl(@TempDir Path dir) throws Exception {
        JsonNode dashboard = TestServer.JSON.readTree(PromQl.OPS.resolve("grafana/postroom.json").toFile());
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String expression : PromQl.dashboardExpressions(dashboard)) {
            rules.append("      - record: dashboard:query").append(n++).append("\n        expr: ")
                    .append(TestServer.JSON.writeValueAsString(PromQl.withoutGrafanaVariables(expression))).append('\n');
        }
        Files.writeString(dir.resolve("dashboard.yml"), rules);

        Promtool.Run run = Promtool.run(dir, null, "check", "rules", "dashboard.yml");

        assertThat(run.exit()).as("promtool check rules on the dashboard's queries:%n%s", run.output()).isZero();
    }
}
