package dev.postroom.store;

import dev.postroom.MessageState;

/** What an ack, nack, retry or cancel did: the message's queue (for wake-ups) and its new state. */
public record Settlement(String queue, MessageState state) {
}
