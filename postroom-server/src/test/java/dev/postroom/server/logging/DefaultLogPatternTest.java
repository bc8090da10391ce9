package dev.postroom.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.server.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's own logging configuration, loaded as the command line loads it, with the variables
 * an operator sets: a handler's log line shows which message it is about, in text and in JSON.
 */
class DefaultLogPatternTest {
    private final LoggerContext context = new LoggerContext();

    @AfterEach
    void stop() {
        assertThat(context.getStatusManager().getCopyOfStatusList()).as("logback's own warnings and errors")
                .allMatch(status -> status.getEffectiveLevel() < Status.WARN);
        context.stop();
    }

    /** Loads the shipped configuration with {@code variables} as if set in the environment. */
    private void load(Map<String, String> variables) throws Exception {
        variables.forEach(context::putProperty);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(DefaultLogPatternTest.class.getResource("/" + Main.LOG_CONFIGURATION));
    }

    @SuppressWarnings("unchecked")
    private String line(Map<String, String> mdc) {
        OutputStreamAppender<ILoggingEvent> console =
                (OutputStreamAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        LoggingEvent event = new LoggingEvent("test", context.getLogger("dev.postroom.Refunds"), Level.INFO, "refund {} issued",
                null, new Object[]{"r-9"});
        event.setMDCPropertyMap(mdc);
        return new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    private static final Map<String, String> HANDLER_MDC = Map.of("messageId", "01a2", "queue", "billing.refund", "attempt", "2",
            "traceId", "4bf92f3577b34da6a3ce929d0e0e4736", "requestId", "req-7");

    @Test
    void aHandlersTextLineHasAnIsoUtcTimeAndEndsWithItsMessageQueueAndAttempt() throws Exception {
        load(Map.of());
        String line = line(HANDLER_MDC);

        OffsetDateTime time = OffsetDateTime.parse(line.substring(0, line.indexOf(' ')));
        assertThat(time.getOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(line).contains(" INFO  [").contains(" dev.postroom.Refunds refund r-9 issued ")
                .contains("messageId=01a2").contains("queue=billing.refund").contains("attempt=2")
                .contains("traceId=4bf92f3577b34da6a3ce929d0e0e4736").contains("requestId=req-7")
                .endsWith(System.lineSeparator());
    }

    @Test
    void aTextLineWithoutMdcEndsWithTheMessage() throws Exception {
        load(Map.of());
        assertThat(line(Map.of())).endsWith("refund r-9 issued" + System.lineSeparator());
    }

    @Test
    void jsonFormatWritesOneObjectPerLineWithLevelLoggerMessageAndMdc() throws Exception {
        load(Map.of("POSTROOM_LOG_FORMAT", "json"));
        String line = line(HANDLER_MDC);

        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.path("level").asText()).isEqualTo("INFO");
        assertThat(json.path("loggerName").asText()).isEqualTo("dev.postroom.Refunds");
        assertThat(json.path("formattedMessage").asText()).isEqualTo("refund r-9 issued");
        assertThat(json.path("timestamp").isNumber()).isTrue();
        assertThat(json.path("mdc").path("messageId").asText()).isEqualTo("01a2");
        assertThat(json.path("mdc").path("queue").asText()).isEqualTo("billing.refund");
        assertThat(json.path("mdc").path("attempt").asText()).isEqualTo("2");
        assertThat(json.path("mdc").path("traceId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void theRequestLogIsOnByDefaultAndTurnsOffAlone() throws Exception {
        load(Map.of());
        assertThat(context.getLogger("dev.postroom.server.http.requests").isInfoEnabled()).isTrue();
        context.stop();
        context.reset();

        load(Map.of("POSTROOM_REQUEST_LOG", "off"));
        assertThat(context.getLogger("dev.postroom.server.http.requests").isErrorEnabled()).isFalse();
        assertThat(context.getLogger("dev.postroom.server.http.ApiServer").isInfoEnabled()).isTrue();
    }

    @Test
    void aMisspeltSettingIsRefusedNamingTheVariableAndTheAllowedValues() {
        assertThat(LogSettings.problem(Map.of("POSTROOM_LOG_FORMAT", "JSON")))
                .hasValue("POSTROOM_LOG_FORMAT=JSON is not one of [json, text]");
        assertThat(LogSettings.problem(Map.of("POSTROOM_REQUEST_LOG", "no")))
                .hasValue("POSTROOM_REQUEST_LOG=no is not one of [off, on]");
        assertThat(LogSettings.problem(Map.of("POSTROOM_LOG_FORMAT", "json", "POSTROOM_REQUEST_LOG", "OFF", "POSTROOM_LOG_LEVEL", "debug")))
                .isEmpty();
    }
}
