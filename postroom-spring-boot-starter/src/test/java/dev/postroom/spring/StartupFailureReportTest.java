package dev.postroom.spring;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a developer sees when an application fails to start on a bad {@code postroom.*} value:
 * Spring Boot's failure report comes from {@link PostroomFailureAnalyzer} (registered in {@code
 * META-INF/spring.factories}, ahead of Spring Boot's own analyzers), naming the file and line.
 */
class StartupFailureReportTest {
    @TempDir
    Path dataDir;

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(PostroomAutoConfiguration.class)
    static class Application {
    }

    @BeforeEach
    void forgetEarlierReports() {
        RecordingFailureAnalysisReporter.REPORTED.clear();
    }

    private FailureAnalysis reportOf(String configName) {
        SpringApplication application = new SpringApplication(Application.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(org.springframework.boot.Banner.Mode.OFF);
        assertThatThrownBy(() -> application.run("--spring.config.name=" + configName, "--postroom.sqlite.data-dir=" + dataDir))
                .isInstanceOf(RuntimeException.class);
        assertThat(RecordingFailureAnalysisReporter.REPORTED).hasSize(1);
        return RecordingFailureAnalysisReporter.REPORTED.getFirst();
    }

    @Test
    void anUnknownStoreIsReportedWithTheFileAndLineThatSetIt() {
        FailureAnalysis report = reportOf("unknown-store");

        assertThat(report.getDescription())
                .startsWith("Postroom cannot start with postroom.store=mongo (from class path resource [unknown-store.properties] - 2:16)");
        assertThat(report.getAction()).isEqualTo("Set postroom.store to one of: sqlite, postgres.");
    }

    @Test
    void aRefusedQueuePolicyIsReportedWithTheFileAndLineThatSetIt() {
        FailureAnalysis report = reportOf("refused-policy");

        assertThat(report.getDescription()).startsWith("Postroom cannot start with postroom.queues[billing.refund].max-attempts=0"
                + " (from class path resource [refused-policy.properties] - 2:46)");
    }
}
