package dev.postroom.server.alert;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the audit log keeps of a saved webhook, from the API and the console alike: where alerts go
 * (scheme, host and port, not a path or query that may hold a credential, as a Slack URL's does),
 * the events, globs and format, and whether a secret was issued; never the secret.
 */
public final class WebhookAudit {
    private WebhookAudit() {
    }

    /** The audit action of a save: {@code webhook.create} or {@code webhook.update}. */
    public static String action(WebhookStore.Saved saved) {
        return saved.created() ? "webhook.create" : "webhook.update";
    }

    public static Map<String, Object> detail(WebhookStore.Saved saved) {
        Webhook w = saved.webhook();
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("origin", origin(w.url()));
        detail.put("events", eventNames(w));
        if (!w.queues().isEmpty()) {
            detail.put("queues", w.queues());
        }
        detail.put("format", w.format().wireName());
        detail.put("secretIssued", saved.secret() != null);
        return detail;
    }

    /** The webhook's events by wire name, sorted. */
    public static List<String> eventNames(Webhook w) {
        return w.events().stream().sorted().map(AlertEvent::wireName).toList();
    }

    /** Scheme, host and port of {@code url}. */
    public static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }
}
