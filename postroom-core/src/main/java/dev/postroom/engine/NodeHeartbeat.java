package dev.postroom.engine;

import dev.postroom.Futures;
import dev.postroom.NodeStatus;
import dev.postroom.store.MessageStore;
import dev.postroom.store.NodeInfo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * This node's entry in the store's node registry: written when the engine starts and again every
 * {@link #EVERY} from maintenance, and the list of nodes with each one judged alive or dead on
 * this node's clock. On a store without a registry (the embedded one) the list is this node alone.
 */
public final class NodeHeartbeat {
    /** How often a node reports in. A few seconds: cheap (one upsert), yet a dead node shows soon. */
    public static final Duration EVERY = Duration.ofSeconds(5);
    /** Three missed heartbeats make a node dead: one late beat (a GC pause, a slow commit) does not. */
    public static final Duration DEAD_AFTER = EVERY.multipliedBy(3);
    /** Dead nodes stay listed this long, so an operator sees what went away, then are forgotten. */
    public static final Duration FORGET_AFTER = Duration.ofHours(1);

    private final MessageStore store;
    private final NodeInfo self;
    private Instant lastBeat = Instant.MIN;
    private boolean left;

    public NodeHeartbeat(MessageStore store, String node, Instant startedAt) {
        this.store = store;
        this.self = new NodeInfo(node, startedAt, startedAt, hostName(), ProcessHandle.current().pid());
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    /** Reports in when {@link #EVERY} has passed since the last time, or when {@code force}. */
    public synchronized void beat(Instant now, boolean force) {
        if (left || (!force && Duration.between(lastBeat, now).compareTo(EVERY) < 0)) {
            return;
        }
        Futures.join(store.heartbeat(self.at(now)));
        lastBeat = now;
    }

    /**
     * Takes this node out of the registry as it stops cleanly, so that it is not listed dead; no
     * heartbeat is written after it, even by a maintenance pass still running.
     */
    public synchronized void leave() {
        left = true;
        Futures.join(store.leave(self));
    }

    /** Forgets nodes dead for longer than {@link #FORGET_AFTER}; completes with how many. */
    public int forgetDead(Instant now) {
        return Futures.join(store.forgetNodes(now.minus(FORGET_AFTER)));
    }

    /** Every node of the registry, alive or dead as of {@code now}; this node is always listed. */
    public List<NodeStatus> nodes(Instant now) {
        List<NodeStatus> nodes = new ArrayList<>();
        boolean selfListed = false;
        for (NodeInfo node : store.nodes()) {
            if (node.name().equals(self.name())) {
                // This node is running, whatever its last beat says (maintenance may be off in tests).
                selfListed = true;
                nodes.add(new NodeStatus(node.name(), node.startedAt(), node.heartbeatAt(), node.host(), node.pid(), NodeStatus.State.ALIVE));
            } else {
                nodes.add(status(node, now));
            }
        }
        if (!selfListed) {
            nodes.add(new NodeStatus(self.name(), self.startedAt(), now, self.host(), self.pid(), NodeStatus.State.ALIVE));
        }
        nodes.sort(Comparator.comparing(NodeStatus::name));
        return List.copyOf(nodes);
    }

    private static NodeStatus status(NodeInfo node, Instant now) {
        boolean alive = !node.heartbeatAt().isBefore(now.minus(DEAD_AFTER));
        return new NodeStatus(node.name(), node.startedAt(), node.heartbeatAt(), node.host(), node.pid(),
                alive ? NodeStatus.State.ALIVE : NodeStatus.State.DEAD);
    }
}
