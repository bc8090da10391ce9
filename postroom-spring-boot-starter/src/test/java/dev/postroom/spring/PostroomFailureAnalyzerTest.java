package dev.postroom.spring;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bad {@code postroom.*} value fails the start, and the analysis names the property, its value
 * and what to do. (How Spring Boot picks this analyzer for its report: {@link StartupFailureReportTest}.)
 */
class PostroomFailureAnalyzerTest {
    @TempDir
    Path dataDir;

    private FailureAnalysis analysisOf(String... properties) {
        return analysisOf(Contexts.sqlite(dataDir), properties);
    }

    private FailureAnalysis analysisOf(ApplicationContextRunner runner, String... properties) {
        FailureAnalysis[] analysis = new FailureAnalysis[1];
        runner.withPropertyValues(properties).run(context -> {
            assertThat(context).hasFailed();
            analysis[0] = new PostroomFailureAnalyzer(null).analyze(context.getStartupFailure());
        });
        assertThat(analysis[0]).as("an analysis").isNotNull();
        return analysis[0];
    }

    @Test
    void anUnknownStoreIsNamedWithTheStoresThereAre() {
        FailureAnalysis analysis = analysisOf("postroom.store=mongo");

        assertThat(analysis.getDescription()).startsWith("Postroom cannot start with postroom.store=mongo")
                .contains("it must be one of sqlite, postgres");
        assertThat(analysis.getAction()).isEqualTo("Set postroom.store to one of: sqlite, postgres.");
    }

    @Test
    void aQueuePolicyPostroomRefusesNamesTheQueuesPropertyAndItsRange() {
        FailureAnalysis analysis = analysisOf("postroom.queues.refunds.max-attempts=0");

        assertThat(analysis.getDescription()).startsWith("Postroom cannot start with postroom.queues.refunds.max-attempts=0")
                .contains("the policy of queue refunds is invalid").contains("1–1000");
        assertThat(analysis.getAction()).contains("postroom.queues.refunds.max-attempts");
    }

    @Test
    void aQueueNameWithDotsIsNamedInBrackets() {
        FailureAnalysis analysis = analysisOf("postroom.queues[billing.refund].per-key.max-in-flight=0");

        assertThat(analysis.getDescription())
                .startsWith("Postroom cannot start with postroom.queues[billing.refund].per-key.max-in-flight=0");
    }

    @Test
    void aRatePerIntervalWithoutACountNamesTheMissingCount() {
        FailureAnalysis analysis = analysisOf("postroom.queues.refunds.rate-limit.per=1m");

        assertThat(analysis.getDescription()).startsWith("Postroom cannot start with postroom.queues.refunds.rate-limit.count")
                .contains("postroom.queues.refunds.rate-limit.per is set without one");
    }

    @Test
    void postgresWithoutADataSourceSaysHowToGetOne() {
        FailureAnalysis analysis = analysisOf("postroom.store=postgres");

        assertThat(analysis.getDescription()).startsWith("Postroom cannot start with postroom.store=postgres")
                .contains("there is no DataSource bean");
        assertThat(analysis.getAction()).contains("spring.datasource.url").contains("postroom.store=sqlite");
    }

    @Test
    void aDurationTheStarterRefusesNamesItsProperty() {
        FailureAnalysis analysis = analysisOf("postroom.health.stale-after=0s");

        assertThat(analysis.getDescription()).startsWith("Postroom cannot start with postroom.health.stale-after=PT0S")
                .contains("must be positive");
    }

    @Test
    void aValueThatIsNotADurationSaysWhatOneLooksLike() {
        FailureAnalysis analysis = analysisOf("postroom.shutdown-timeout=soon");

        assertThat(analysis.getDescription()).startsWith("Postroom cannot start with postroom.shutdown-timeout=soon");
        assertThat(analysis.getAction()).contains("30s");
    }

    @Test
    void aBadNodeNameIsNamed() {
        FailureAnalysis analysis = analysisOf("postroom.node=node 7!");

        assertThat(analysis.getDescription()).startsWith("Postroom cannot start with postroom.node=node 7!");
    }

    @Test
    void failuresOfOtherPartsOfTheApplicationAreLeftToSpringBoot() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PostroomAutoConfiguration.class))
                .withPropertyValues("postroom.sqlite.data-dir=" + dataDir)
                .withBean(String.class, () -> {
                    throw new IllegalStateException("the application's own bean failed");
                })
                .run(context -> assertThat(new PostroomFailureAnalyzer(null).analyze(context.getStartupFailure())).isNull());
    }
}
