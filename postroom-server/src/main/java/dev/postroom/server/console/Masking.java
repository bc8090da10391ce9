package dev.postroom.server.console;

import dev.postroom.Message;
import dev.postroom.MessageSummary;
import dev.postroom.Postroom;
import dev.postroom.Redaction;
import dev.postroom.server.auth.Role;

import java.util.List;

/**
 * The queues' sensitive fields ({@link Redaction}) masked for viewers: operators and admins, who
 * act on messages, see payloads whole.
 */
final class Masking {
    private Masking() {
    }

    /** Whether {@code session} sees sensitive fields. */
    static boolean seesSensitive(Session session) {
        return session.role().includes(Role.OPERATOR);
    }

    /** The message as {@code session} may see it. */
    static Message message(Postroom postroom, Session session, Message message) {
        return seesSensitive(session) ? message : message.masked(postroom.sensitiveFields(message.queue()));
    }

    /** The summaries a search for {@code text} (null or empty for none) found, as {@code session} may see them: no match in a masked field. */
    static List<MessageSummary> found(Postroom postroom, Session session, List<MessageSummary> summaries, String text,
                                      java.util.function.Function<String, java.util.Optional<Message>> get) {
        if (seesSensitive(session) || text == null || text.isEmpty()) {
            return summaries(postroom, session, summaries);
        }
        return summaries(postroom, session, Redaction.visibleMatches(summaries, text, postroom::sensitiveFields, get));
    }

    /** The summaries as {@code session} may see them. */
    static List<MessageSummary> summaries(Postroom postroom, Session session, List<MessageSummary> summaries) {
        return seesSensitive(session) ? summaries : Redaction.maskSummaries(summaries, postroom::sensitiveFields);
    }
}
