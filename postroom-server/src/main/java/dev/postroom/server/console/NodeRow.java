package dev.postroom.server.console;

import java.time.Instant;

/**
 * A node serving this store, as the overview shows it.
 *
 * @param name          the node's name
 * @param startedAt     when it started
 * @param heartbeatAt   when it last reported in
 */
public record NodeRow(String name, Instant startedAt, Instant heartbeatAt) {
}
