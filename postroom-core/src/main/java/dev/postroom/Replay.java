package dev.postroom;

import java.time.Instant;

/**
 * A replay's progress ({@link Replays#start}).
 *
 * @param id        its id
 * @param filter    what it replays
 * @param toQueue   where the copies go
 * @param state     RUNNING, then SUCCEEDED or FAILED
 * @param matched   how many messages matched when it started
 * @param replayed  how many have been sent again so far
 * @param startedAt when it started
 * @param endedAt   when it ended, or null while running
 * @param error     why it failed, or null
 */
public record Replay(String id, ReplayFilter filter, String toQueue, State state, long matched, long replayed, Instant startedAt,
                     Instant endedAt, String error) {
    /** Where a replay stands. */
    public enum State { RUNNING, SUCCEEDED, FAILED }
}
