package dev.postroom;

import java.time.Instant;

/**
 * A node serving the store, as {@link Postroom#nodes()} reports it.
 *
 * @param name        the node's name
 * @param startedAt   when its engine started
 * @param heartbeatAt when it last reported in
 * @param host        the host it runs on
 * @param pid         its process id
 * @param state       whether it still reports in
 */
public record NodeStatus(String name, Instant startedAt, Instant heartbeatAt, String host, long pid, State state) {

    /** Whether a node still reports in. */
    public enum State {
        /** Its last heartbeat is recent (see {@link Postroom#nodes()}). */
        ALIVE,
        /**
         * It has not reported in for a while: crashed, killed or cut off from the database (a node
         * closed cleanly leaves the registry instead). Its leases stay until they expire; its row is
         * forgotten after an hour.
         */
        DEAD
    }
}
