package dev.postroom.spring;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalysisReporter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Keeps the failure reports Spring Boot makes when an application fails to start, for tests to
 * read (registered in the tests' {@code META-INF/spring.factories}).
 */
final class RecordingFailureAnalysisReporter implements FailureAnalysisReporter {
    static final List<FailureAnalysis> REPORTED = new CopyOnWriteArrayList<>();

    @Override
    public void report(FailureAnalysis analysis) {
        REPORTED.add(analysis);
    }
}
