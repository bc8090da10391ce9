package dev.postroom.server.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.Map;

/**
 * One thing to tell a webhook, before it is written in the webhook's {@link Webhook.Format}.
 *
 * @param queue     the queue it is about, or null ({@code node.down})
 * @param messageId the message that died ({@code message.dead}), or null
 * @param node      the node that went down ({@code node.down}), or null
 * @param summary   one readable line, the whole of a Slack body
 * @param detail    event-specific facts (ages, counts, the last error), for programs
 */
public record Alert(AlertEvent event, Instant at, String queue, String messageId, String node, String summary,
                    Map<String, Object> detail) {

    public Alert {
        detail = detail == null ? Map.of() : detail;
    }

    /** The JSON body of a {@link Webhook.Format#JSON} delivery; field names are the API's. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record JsonBody(String event, Instant at, String queue, String messageId, String node, String summary, Map<String, Object> detail) {
    }

    /** The body of a {@link Webhook.Format#SLACK} delivery: what a Slack incoming webhook posts. */
    record SlackBody(String text) {
    }

    /**
     * {@code text} as Slack's message text takes it: {@code &}, {@code <} and {@code >} are its
     * control characters (links, mentions such as {@code <!channel>}), so an error message or a
     * name must not carry them through.
     */
    static String slackEscaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** This alert as a delivery body in {@code format}. */
    String body(Webhook.Format format, ObjectMapper mapper) {
        Object body = switch (format) {
            case JSON -> new JsonBody(event.wireName(), at, queue, messageId, node, summary, detail);
            case SLACK -> new SlackBody(":rotating_light: Postroom " + event.wireName() + ": " + slackEscaped(summary));
        };
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an alert body always writes", e);
        }
    }
}
