package dev.postroom.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A node as the node registry of a shared store holds it: written by {@link MessageStore#heartbeat}
 * and read back by {@link MessageStore#nodes}.
 *
 * @param name        the node's name ({@code Postroom.Builder#node}), unique within a cluster
 * @param startedAt   when the node's engine started
 * @param heartbeatAt when the node last reported in, on its own clock
 * @param host        the host it runs on, for operators
 * @param pid         its process id, for operators
 */
public record NodeInfo(String name, Instant startedAt, Instant heartbeatAt, String host, long pid) {
    public NodeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(heartbeatAt, "heartbeatAt");
        Objects.requireNonNull(host, "host");
    }

    /** The same node, reporting in at {@code now}. */
    public NodeInfo at(Instant now) {
        return new NodeInfo(name, startedAt, now, host, pid);
    }
}
