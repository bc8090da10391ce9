package dev.postroom.server.console;

import dev.postroom.Message;
import dev.postroom.MessageSummary;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.server.auth.Role;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queues' sensitive fields ({@link dev.postroom.Redaction}) masked for viewers: operators and
 * admins, who act on messages, see payloads whole.
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
        return seesSensitive(session) ? message : message.masked(fields(postroom, message.queue()));
    }

    /** The summaries as {@code session} may see them; each queue's policy is read once. */
    static List<MessageSummary> summaries(Postroom postroom, Session session, List<MessageSummary> summaries) {
        if (seesSensitive(session)) {
            return summaries;
        }
        Map<String, List<String>> byQueue = new HashMap<>();
        return summaries.stream().map(s -> s.masked(byQueue.computeIfAbsent(s.queue(), q -> fields(postroom, q)))).toList();
    }

    private static List<String> fields(Postroom postroom, String queue) {
        return postroom.queues().stream().filter(q -> q.name().equals(queue)).findFirst().map(QueueInfo::policy)
                .map(dev.postroom.QueuePolicy::sensitiveFields).orElse(List.of());
    }
}
