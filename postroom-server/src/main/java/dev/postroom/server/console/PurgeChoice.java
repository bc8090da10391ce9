package dev.postroom.server.console;

import dev.postroom.MessageState;

/**
 * One state on the purge confirmation: its current count and whether it is ticked.
 *
 * @param state   the state whose messages would be removed
 * @param count   how many messages of the queue are in it now
 * @param checked whether the box starts ticked
 */
public record PurgeChoice(MessageState state, long count, boolean checked) {
}
