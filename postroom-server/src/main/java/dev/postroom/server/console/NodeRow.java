package dev.postroom.server.console;

import dev.postroom.NodeStatus;

import java.time.Instant;

/**
 * A node serving this store, as the overview shows it: on PostgreSQL every node of the registry,
 * on the embedded store this node alone.
 *
 * @param name          the node's name
 * @param host          the host it runs on
 * @param startedAt     when it started
 * @param heartbeatAt   when it last reported in
 * @param alive         false once it missed three heartbeats
 */
public record NodeRow(String name, String host, Instant startedAt, Instant heartbeatAt, boolean alive) {

    static NodeRow of(NodeStatus node) {
        return new NodeRow(node.name(), node.host(), node.startedAt(), node.heartbeatAt(), node.state() == NodeStatus.State.ALIVE);
    }

    /** "alive" or "dead", as the table shows it. */
    public String state() {
        return alive ? "alive" : "dead";
    }
}
