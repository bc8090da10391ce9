package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of the files in {@code ops/}, for tests: the expressions of the alert rules and of the
 * Grafana dashboard, and the metric names an expression reads. Enough PromQL for the expressions we
 * write, not a parser: promtool checks the syntax.
 */
final class PromQl {
    /** {@code ops/} at the root of the repository; tests run in the module's directory. */
    static final Path OPS = Path.of("..", "ops").toAbsolutePath().normalize();
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring",
            "group_left", "group_right", "offset", "bool");

    private PromQl() {
    }

    /**
     * The {@code expr} of every rule of a Prometheus rules file: on the line itself, or folded
     * ({@code >-}) on the more indented lines that follow.
     */
    static List<String> ruleExpressions(Path rules) {
        List<String> lines;
        try {
            lines = Files.readAllLines(rules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> expressions = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.startsWith("expr:")) {
                continue;
            }
            String value = line.substring("expr:".length()).strip();
            if (value.equals(">-") || value.equals(">") || value.equals("|")) {
                int indent = indent(lines.get(i));
                StringBuilder folded = new StringBuilder();
                while (i + 1 < lines.size() && (lines.get(i + 1).isBlank() || indent(lines.get(i + 1)) > indent)) {
                    folded.append(lines.get(++i).strip()).append(' ');
                }
                value = folded.toString().strip();
            }
            expressions.add(value);
        }
        return expressions;
    }

    private static int indent(String line) {
        return line.length() - line.stripLeading().length();
    }

    /** The {@code expr} of every target of every panel of a Grafana dashboard, rows' panels included. */
    static List<String> dashboardExpressions(JsonNode dashboard) {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panel.path("targets").forEach(target -> expressions.add(target.path("expr").asText()));
            panel.path("panels").forEach(inner -> inner.path("targets").forEach(target -> expressions.add(target.path("expr").asText())));
        }
        return expressions;
    }

    /** An expression with Grafana's variables replaced, as Grafana sends it to Prometheus. */
    static String withoutGrafanaVariables(String expression) {
        return expression.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$queue", ".*");
    }

    /**
     * The metric names {@code expression} reads: what is left once strings, label matchers,
     * ranges, grouping clauses, functions and keywords are taken out.
     */
    static Set<String> metricNames(String expression) {
        String bare = withoutGrafanaVariables(expression)
                .replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher matcher = NAME.matcher(bare);
        while (matcher.find()) {
            String name = matcher.group();
            boolean function = bare.substring(matcher.end()).stripLeading().startsWith("(");
            boolean number = matcher.start() > 0 && Character.isDigit(bare.charAt(matcher.start() - 1));
            if (!function && !number && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** The sample names of a Prometheus text scrape ({@code name{labels} value} lines). */
    static Set<String> sampleNames(String scrape) {
        Set<String> names = new TreeSet<>();
        scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }
}
