package dev.postroom;

import java.util.List;

/**
 * One page of {@link Postroom#browse}: messages newest first, and the cursor of the next page.
 *
 * <p>Paging is by position, never by offset: the next page starts right after the last message
 * this page examined, so messages sent meanwhile (which are newer) never shift later pages, and a
 * message is listed at most once however long the paging takes. A message that changes state
 * while an operator pages through a state filter may be missed or seen in its new state; that is
 * the price of not holding a snapshot open between pages.
 *
 * <p>{@link #next} is null once nothing further can match. A page normally holds {@code limit}
 * messages; it may hold fewer, even none, while {@code next} is still set, when the store stopped
 * examining rows for a filter no index answers (free text), so that every call stays fast on
 * millions of messages. Keep following {@code next} until it is null.
 *
 * @param messages the messages, newest first
 * @param next     the cursor for {@link MessageQuery#after()}, or null on the last page
 */
public record MessagePage(List<MessageSummary> messages, String next) {
    /** No messages and no next page. */
    public static final MessagePage EMPTY = new MessagePage(List.of(), null);

    public MessagePage {
        messages = List.copyOf(messages);
    }

    /** Whether a further page may hold more messages. */
    public boolean hasNext() {
        return next != null;
    }
}
