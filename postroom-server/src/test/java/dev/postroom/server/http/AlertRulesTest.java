package dev.postroom.server.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped Prometheus alert rules, {@code ops/prometheus/alerts.yml}: promtool accepts them, and
 * they fire (and stay quiet) as their unit tests in {@code alerts_test.yml} say.
 */
class AlertRulesTest {
    @Test
    void promtoolAcceptsTheAlertRules() {
        Promtool.Run run = Promtool.run(PromQl.OPS.resolve("prometheus"), null, "check", "rules", "alerts.yml");

        assertThat(run.exit()).as("promtool check rules alerts.yml:%n%s", run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: 6 rules found");
    }

    @Test
    void alertsFireAsTheirUnitTestsSay() {
        Promtool.Run run = Promtool.run(PromQl.OPS.resolve("prometheus"), null, "test", "rules", "alerts_test.yml");

        assertThat(run.exit()).as("promtool test rules alerts_test.yml:%n%s", run.output()).isZero();
    }

    @Test
    void metricNamesAreReadFromFoldedAndPlainExpressions() {
        assertThat(PromQl.metricNames("max by (queue) (postroom_messages{state=\"ready\"}) > 0 "
                + "and max by (queue) (postroom_messages{state=\"in_flight\"}) == 0 "
                + "unless sum by (queue) (increase(postroom_messages_acked_total[10m])) > 0"))
                .containsExactly("postroom_messages", "postroom_messages_acked_total");
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le) (rate(x_bucket{queue=~\"$queue\"}[$__rate_interval])))"))
                .containsExactly("x_bucket");
        assertThat(PromQl.ruleExpressions(PromQl.OPS.resolve("prometheus/alerts.yml"))).hasSize(6)
                .allSatisfy(expression -> assertThat(PromQl.metricNames(expression)).isNotEmpty());
    }
}
