package dev.postroom.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.postroom.server.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's own logging configuration: a handler's log line shows which message it is about. */
class DefaultLogPatternTest {
    private final LoggerContext context = new LoggerContext();
    private OutputStreamAppender<ILoggingEvent> console;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void loadTheShippedConfiguration() throws Exception {
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(DefaultLogPatternTest.class.getResource("/" + Main.LOG_CONFIGURATION));
        console = (OutputStreamAppender<ILoggingEvent>) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
    }

    @AfterEach
    void stop() {
        context.stop();
    }

    private String line(Map<String, String> mdc) {
        LoggingEvent event = new LoggingEvent("test", context.getLogger("dev.postroom.Refunds"), Level.INFO, "refund issued", null, null);
        event.setMDCPropertyMap(mdc);
        return new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void aHandlersLineEndsWithItsMessageQueueAndAttempt() {
        String line = line(Map.of("messageId", "01a2", "queue", "billing.refund", "attempt", "2", "requestId", "req-7"));

        assertThat(line).contains("INFO  Refunds refund issued ")
                .contains("messageId=01a2").contains("queue=billing.refund").contains("attempt=2").contains("requestId=req-7")
                .endsWith(System.lineSeparator());
    }

    @Test
    void aLineWithoutMdcEndsWithTheMessage() {
        assertThat(line(Map.of())).endsWith("refund issued" + System.lineSeparator());
    }
}
