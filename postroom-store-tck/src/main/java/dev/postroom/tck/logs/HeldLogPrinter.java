package dev.postroom.tck.logs;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

import java.io.PrintStream;

/**
 * Prints the log lines {@link HeldLogAppender} held during a test when the test fails, and drops
 * them when it passes or is skipped. A failure of a whole class (in {@code @BeforeAll},
 * {@code @AfterAll} or a class-level extension) prints what was held since its last test.
 * Registered for every test of a module by JUnit's extension auto-detection: the module's
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} names this class and its
 * {@code junit-platform.properties} sets {@code junit.jupiter.extensions.autodetection.enabled=true}.
 * Auto-detected extensions come first, so these callbacks run after the test's own
 * {@code @AfterEach}, {@code @AfterAll} and extensions, and their log lines are included.
 */
public final class HeldLogPrinter implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    @Override
    public void beforeAll(ExtensionContext context) {
        HeldLogAppender.take(); // what an earlier class logged after its end (a thread still stopping) is not this class's
    }

    @Override
    public void afterEach(ExtensionContext context) {
        printIfFailed(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        printIfFailed(context);
    }

    private static void printIfFailed(ExtensionContext context) {
        HeldLogAppender.Held held = HeldLogAppender.take();
        boolean failed = context.getExecutionException().filter(e -> !(e instanceof TestAbortedException)).isPresent();
        if (!failed || held.lines().isEmpty()) {
            return;
        }
        PrintStream out = System.out;
        out.printf("---- log of the failed %s (lines the console did not print as they happened)%n", name(context));
        if (held.dropped() > 0) {
            out.printf("(%d older lines dropped)%n", held.dropped());
        }
        held.lines().forEach(out::print);
        out.printf("---- end of the log of %s%n", name(context));
        out.flush();
    }

    private static String name(ExtensionContext context) {
        String type = context.getRequiredTestClass().getSimpleName();
        return context.getTestMethod()
                .map(method -> {
                    String name = type + "." + method.getName();
                    // a parameterized or repeated test's display name tells which invocation failed
                    return context.getDisplayName().equals(method.getName() + "()") ? name : name + " " + context.getDisplayName();
                })
                .orElse(type);
    }
}
