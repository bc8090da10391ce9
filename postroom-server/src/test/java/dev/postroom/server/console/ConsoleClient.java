package dev.postroom.server.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Speaks to the console like a browser without JavaScript: keeps the session cookie, does not
 * follow redirects (tests look at them), and sends the CSRF token it last saw on a page with
 * every form post unless told not to.
 */
final class ConsoleClient {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"");

    private final String baseUrl;
    private final HttpClient http;
    private String csrf;

    ConsoleClient(String baseUrl) {
        this.baseUrl = baseUrl;
        this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    record Page(int status, String location, String body, HttpHeaders headers) {
        /** The cookie the answer sets, or null. */
        String setCookie() {
            return headers.firstValue("Set-Cookie").orElse(null);
        }

        /** The page's text with tags removed, for "does the operator see X" checks. */
        String text() {
            return body.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ");
        }
    }

    void signIn(String username, String password) {
        Page page = postForm("/console/login", Map.of("username", username, "password", password, "next", "/console"), false);
        assertThat(page.status()).as("sign-in as %s: %s", username, page.body()).isEqualTo(303);
        get("/console"); // picks up the session's CSRF token
    }

    /** Opens an event stream with this client's session; the body ends when the server ends the stream. */
    HttpResponse<java.io.InputStream> stream(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).header("Accept", "text/event-stream").GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    Page get(String path) {
        Page page = send(HttpRequest.newBuilder(URI.create(baseUrl + path)).GET());
        Matcher m = CSRF.matcher(page.body());
        if (m.find()) {
            csrf = m.group(1);
        }
        return page;
    }

    /** Posts a form with the session's CSRF token. */
    Page post(String path, Map<String, String> form) {
        return postForm(path, form, true);
    }

    Page post(String path) {
        return post(path, Map.of());
    }

    /** Posts a form without any CSRF token, as a forged cross-site form would. */
    Page postWithoutCsrf(String path, Map<String, String> form) {
        return postForm(path, form, false);
    }

    String csrf() {
        return csrf;
    }

    private Page postForm(String path, Map<String, String> form, boolean withCsrf) {
        Map<String, String> fields = new LinkedHashMap<>(form);
        if (withCsrf && csrf != null) {
            fields.put("_csrf", csrf);
        }
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private Page send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            return new Page(response.statusCode(), response.headers().firstValue("Location").orElse(null), response.body(),
                    response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
