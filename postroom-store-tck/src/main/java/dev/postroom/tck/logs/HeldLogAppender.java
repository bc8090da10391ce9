package dev.postroom.tck.logs;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A logback appender that holds the lines the console does not print (below its {@code printedLevel})
 * in memory, for {@link HeldLogPrinter} to print when a test fails and to drop when it passes.
 * Configured in a module's {@code logback-test.xml}:
 * <pre>{@code
 * <appender name="HELD" class="dev.postroom.tck.logs.HeldLogAppender">
 *   <printedLevel>WARN</printedLevel>
 *   <pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} %msg%n</pattern>
 * </appender>
 * }</pre>
 * Lines are held JVM-wide, not per thread: a test's background threads (dispatchers, the HTTP
 * server) log on threads of their own. That is right as long as a JVM runs one test at a time,
 * which is how Surefire runs this project's tests.
 */
public final class HeldLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {
    /**
     * Bounds the memory a chatty test can take (a load test logs a line per request); the oldest
     * lines go first, since the end of a log is what explains a failure.
     */
    static final int MAX_LINES = 50_000;
    private static final Deque<String> LINES = new ArrayDeque<>();
    private static int dropped;

    private final PatternLayout layout = new PatternLayout();
    private Level printedLevel = Level.WARN;

    /** The level from which the console prints lines as they happen; those are not held. */
    public void setPrintedLevel(String level) {
        printedLevel = Level.toLevel(level, Level.WARN);
    }

    /** The layout of a held line, as for a console appender. */
    public void setPattern(String pattern) {
        layout.setPattern(pattern);
    }

    @Override
    public void start() {
        layout.setContext(getContext());
        layout.start();
        super.start();
    }

    @Override
    public void stop() {
        super.stop();
        layout.stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (event.getLevel().isGreaterOrEqual(printedLevel)) {
            return;
        }
        String line = layout.doLayout(event);
        synchronized (LINES) {
            if (LINES.size() == MAX_LINES) {
                LINES.removeFirst();
                dropped++;
            }
            LINES.addLast(line);
        }
    }

    /** The lines held since the last call, oldest first; clears them. */
    static Held take() {
        synchronized (LINES) {
            Held held = new Held(List.copyOf(LINES), dropped);
            LINES.clear();
            dropped = 0;
            return held;
        }
    }

    /** Held lines, and how many older ones were dropped to stay within {@link #MAX_LINES}. */
    record Held(List<String> lines, int dropped) {
    }
}
