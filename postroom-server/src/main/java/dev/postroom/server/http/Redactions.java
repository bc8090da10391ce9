package dev.postroom.server.http;

import dev.postroom.Message;
import dev.postroom.MessageSummary;
import dev.postroom.Postroom;
import dev.postroom.Redaction;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.Scope;

import java.util.List;

/**
 * Masks the queues' sensitive fields ({@link Redaction}) in what the API shows a token that may
 * only read: one without {@code operate} and without {@code receive:} on the message's queue.
 * Consumers and operators see payloads whole; so does the sender, in the answer to its own send.
 */
final class Redactions {
    private final Postroom postroom;

    Redactions(Postroom postroom) {
        this.postroom = postroom;
    }

    /** Whether {@code token} sees the sensitive fields of {@code queue}'s payloads. */
    static boolean seesSensitive(ApiToken token, String queue) {
        return token.grants(Scope.Kind.OPERATE, null) || token.grants(Scope.Kind.RECEIVE, queue);
    }

    /** The message as {@code token} may see it. */
    Message message(ApiToken token, Message message) {
        return seesSensitive(token, message.queue()) ? message : message.masked(postroom.sensitiveFields(message.queue()));
    }

    /**
     * The summaries a search for {@code text} (null for none) found, as {@code token} may see
     * them: a reader who sees masked payloads learns of no match that lies in a masked field.
     */
    List<MessageSummary> found(ApiToken token, List<MessageSummary> summaries, String text,
                               java.util.function.Function<String, java.util.Optional<Message>> get) {
        List<MessageSummary> visible = text == null ? summaries
                : Redaction.visibleMatches(summaries, text, queue -> seesSensitive(token, queue) ? List.of() : postroom.sensitiveFields(queue), get);
        return summaries(token, visible);
    }

    /** The summaries as {@code token} may see them. */
    List<MessageSummary> summaries(ApiToken token, List<MessageSummary> summaries) {
        return Redaction.maskSummaries(summaries, queue -> seesSensitive(token, queue) ? List.of() : postroom.sensitiveFields(queue));
    }
}
