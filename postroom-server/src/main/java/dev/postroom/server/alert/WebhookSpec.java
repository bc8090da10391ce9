package dev.postroom.server.alert;

import dev.postroom.InvalidMessageException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What an admin asks for when registering a webhook, validated and with defaults filled in by
 * {@link #of}. Every refusal is an {@link InvalidMessageException} naming the field.
 */
public record WebhookSpec(String name, String url, Set<AlertEvent> events, List<String> queues, Webhook.Format format,
                          long staleSeconds, long unconsumedSeconds) {
    /** Webhook names follow the queue-name rule, so that they sit in paths and logs unescaped. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** The glob rule of token scopes ({@code billing.*}). */
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._*-]{1,128}");
    /** Long enough for any real endpoint with a query string (Slack's are ~80); a bound keeps lists and logs sane. */
    public static final int MAX_URL_CHARS = 2048;
    public static final int MAX_QUEUE_GLOBS = 64;
    /** Five minutes: long enough that a busy but healthy queue does not page anyone. */
    public static final long DEFAULT_THRESHOLD_SECONDS = 300;
    /** A week: past that a threshold is a mistake, and a queue stale for a week has been noticed. */
    public static final long MAX_THRESHOLD_SECONDS = 7 * 24 * 3600;

    public WebhookSpec {
        events = Set.copyOf(events);
        queues = List.copyOf(queues);
    }

    /**
     * Validates a request; null optional values take their defaults: every queue, {@code json},
     * {@value #DEFAULT_THRESHOLD_SECONDS} s thresholds.
     *
     * @throws InvalidMessageException naming {@code name}, {@code url}, {@code events}, {@code queues},
     *                                 {@code format}, {@code staleSeconds} or {@code unconsumedSeconds}
     */
    public static WebhookSpec of(String name, String url, List<String> events, List<String> queues, String format,
                                 Long staleSeconds, Long unconsumedSeconds) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidMessageException("name", "must match [A-Za-z0-9._-]{1,128}");
        }
        requireUrl(url);
        if (events == null || events.isEmpty()) {
            throw new InvalidMessageException("events", "is required: one or more of message.dead, queue.stale, queue.unconsumed, node.down");
        }
        Set<AlertEvent> parsed = EnumSet.noneOf(AlertEvent.class);
        events.forEach(e -> parsed.add(AlertEvent.parse(e)));
        List<String> globs = queues == null ? List.of() : queues;
        if (globs.size() > MAX_QUEUE_GLOBS) {
            throw new InvalidMessageException("queues", "at most " + MAX_QUEUE_GLOBS + " globs");
        }
        for (String glob : globs) {
            if (glob == null || !GLOB.matcher(glob).matches()) {
                throw new InvalidMessageException("queues", "each glob must match [A-Za-z0-9._*-]{1,128}, e.g. billing.*");
            }
        }
        Webhook.Format parsedFormat = switch (format == null ? "json" : format.toLowerCase(Locale.ROOT)) {
            case "json" -> Webhook.Format.JSON;
            case "slack" -> Webhook.Format.SLACK;
            default -> throw new InvalidMessageException("format", "must be json or slack");
        };
        return new WebhookSpec(name, url, parsed, globs.stream().distinct().toList(), parsedFormat,
                threshold("staleSeconds", staleSeconds), threshold("unconsumedSeconds", unconsumedSeconds));
    }

    private static void requireUrl(String url) {
        if (url == null || url.isBlank()) {
            throw new InvalidMessageException("url", "is required, e.g. https://hooks.example.com/postroom");
        }
        if (url.length() > MAX_URL_CHARS) {
            throw new InvalidMessageException("url", "at most " + MAX_URL_CHARS + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new InvalidMessageException("url", "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new InvalidMessageException("url", "must be an absolute http or https URL with a host");
        }
        // Lists show the URL to every admin and the audit log keeps it: credentials belong in the signature check.
        if (uri.getRawUserInfo() != null) {
            throw new InvalidMessageException("url", "must not hold a user or password; receivers authenticate deliveries by their signature");
        }
    }

    private static long threshold(String field, Long seconds) {
        if (seconds == null) {
            return DEFAULT_THRESHOLD_SECONDS;
        }
        if (seconds < 1 || seconds > MAX_THRESHOLD_SECONDS) {
            throw new InvalidMessageException(field, "must be 1–" + MAX_THRESHOLD_SECONDS + " seconds");
        }
        return seconds;
    }
}
