package dev.postroom;

import java.time.Instant;

/**
 * An erasure as it stands ({@link Erasures}).
 *
 * @param id        its id
 * @param filter    what it erases
 * @param state     {@code RUNNING}, {@code SUCCEEDED} or {@code FAILED}
 * @param matched   the messages that matched when it started
 * @param erased    the messages deleted so far
 * @param startedAt when it started
 * @param endedAt   when it ended, or null while it runs
 * @param error     why it failed, or null
 */
public record Erasure(String id, ErasureFilter filter, State state, long matched, long erased, Instant startedAt, Instant endedAt,
                      String error) {
    /** Where an erasure stands. */
    public enum State { RUNNING, SUCCEEDED, FAILED }
}
