package dev.postroom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TraceHeadersTest {
    private static final String VALID = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void traceIdIsReadFromAVersion00Traceparent() {
        assertThat(TraceHeaders.traceId(VALID)).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void laterVersionsMayAppendFieldsAfterADash() {
        assertThat(TraceHeaders.traceId("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra"))
                .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(TraceHeaders.traceId("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x")).isNull();
    }

    @Test
    void malformedTraceparentsHaveNoTraceId() {
        assertThat(TraceHeaders.traceId(null)).isNull();
        assertThat(TraceHeaders.traceId("")).isNull();
        assertThat(TraceHeaders.traceId(VALID + "-")).as("version 00 is exactly 55 characters").isNull();
        assertThat(TraceHeaders.traceId(VALID.substring(0, 54))).isNull();
        assertThat(TraceHeaders.traceId(VALID.toUpperCase())).as("upper-case hex").isNull();
        assertThat(TraceHeaders.traceId("ff" + VALID.substring(2))).as("version ff").isNull();
        assertThat(TraceHeaders.traceId("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).as("zero trace id").isNull();
        assertThat(TraceHeaders.traceId("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).as("zero parent id").isNull();
        assertThat(TraceHeaders.traceId("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).as("separator").isNull();
        assertThat(TraceHeaders.traceId("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01")).as("not hex").isNull();
    }
}
