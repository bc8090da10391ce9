package dev.postroom.server.cli;

import picocli.CommandLine.Option;

import java.net.URI;
import java.util.Map;

/**
 * The options every API command shares: where the server is ({@code --url}, else
 * {@code POSTROOM_URL}, else {@code http://127.0.0.1:8080}), who is asking ({@code --token}, else
 * {@code POSTROOM_TOKEN}) and whether to print raw JSON ({@code --json}). A picocli mixin.
 *
 * <p>The environment fallbacks are resolved here rather than with picocli's {@code ${env:...}}
 * defaults so that tests can hand in an environment; the token in particular is better kept in
 * the environment than on a command line other local users can read in {@code ps}.
 */
public final class ApiOptions {
    @Option(names = "--url", paramLabel = "URL", order = 100,
            description = "Server address (default: $POSTROOM_URL, else " + ApiClient.DEFAULT_URL + ").")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", order = 101, description = "API token (default: $POSTROOM_TOKEN).")
    String token;

    @Option(names = "--json", order = 102, description = "Print the server's JSON instead of a table, for scripts.")
    boolean json;

    /** Where the fallbacks come from; replaced in tests. */
    Map<String, String> env = System.getenv();

    URI resolvedUrl() {
        String text = firstNonBlank(url, env.get("POSTROOM_URL"), ApiClient.DEFAULT_URL).strip();
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new CliException("invalid --url " + text + ": " + e.getMessage());
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new CliException("invalid --url " + text + ": expected http://HOST:PORT or https://HOST");
        }
        return uri;
    }

    String resolvedToken() {
        return firstNonBlank(token, env.get("POSTROOM_TOKEN"), null);
    }

    ApiClient client() {
        return new ApiClient(resolvedUrl(), resolvedToken());
    }

    private static String firstNonBlank(String first, String second, String fallback) {
        if (first != null && !first.isBlank()) {
            return first;
        }
        return second != null && !second.isBlank() ? second : fallback;
    }
}
