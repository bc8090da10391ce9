package dev.postroom.store.jdbc;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every SQL string of the stores that names a state ({@code {READY}}) goes through
 * {@link StateSql#expand} in the statement that holds it. A string that does not reaches the
 * database with the placeholder in it; on a path whose failure is tolerated (an idle-time
 * estimate, say) nothing else would notice.
 */
class StatePlaceholdersExpandedTest {
    private static final Pattern PLACEHOLDER =
            Pattern.compile("\\{(SCHEDULED|READY|IN_FLIGHT|SUCCEEDED|DEAD|CANCELLED|WAITING|UNFINISHED)}");

    @Test
    void everyStringNamingAStateIsExpanded() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root, 1)) {
            sources = files.filter(dir -> dir.getFileName().toString().startsWith("postroom-store-"))
                    .map(dir -> dir.resolve("src/main/java")).filter(Files::isDirectory).toList();
        }
        assertThat(sources).as("store modules under %s", root).hasSizeGreaterThanOrEqualTo(3);
        List<String> unexpanded = new ArrayList<>();
        int checked = 0;
        for (Path source : sources) {
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("StateSql.java")).toList()) {
                    for (Literal literal : literals(Files.readString(file))) {
                        if (PLACEHOLDER.matcher(literal.text).find()) {
                            checked++;
                            if (!literal.statementSoFar.contains("StateSql.expand(")) {
                                unexpanded.add(root.relativize(file) + ": " + literal.text.strip().lines().findFirst().orElse(""));
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).as("strings naming states found").isGreaterThan(20);
        assertThat(unexpanded).as("SQL naming states without StateSql.expand").isEmpty();
    }

    /** A string literal or text block, and the code of its statement before it. */
    private record Literal(String text, String statementSoFar) {
    }

    /** The string literals of Java source {@code java}, skipping comments and character literals. */
    static List<Literal> literals(String java) {
        List<Literal> found = new ArrayList<>();
        StringBuilder statement = new StringBuilder();
        int i = 0;
        while (i < java.length()) {
            char c = java.charAt(i);
            if (java.startsWith("//", i)) {
                i = Math.max(java.indexOf('\n', i), i + 1);
            } else if (java.startsWith("/*", i)) {
                i = java.indexOf("*/", i + 2) + 2;
            } else if (java.startsWith("\"\"\"", i)) {
                int end = java.indexOf("\"\"\"", i + 3);
                found.add(new Literal(java.substring(i + 3, end), statement.toString()));
                statement.append("\"\"");
                i = end + 3;
            } else if (c == '"' || c == '\'') {
                int j = i + 1;
                while (java.charAt(j) != c) {
                    j += java.charAt(j) == '\\' ? 2 : 1;
                }
                if (c == '"') {
                    found.add(new Literal(java.substring(i + 1, j), statement.toString()));
                }
                statement.append("\"\"");
                i = j + 1;
            } else {
                if (c == ';' || c == '{' || c == '}') {
                    statement.setLength(0);
                } else {
                    statement.append(c);
                }
                i++;
            }
        }
        return found;
    }
}
