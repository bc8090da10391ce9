package dev.postroom.spring;

import dev.postroom.Postroom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.List;

/**
 * Starts and stops Postroom's handlers with the application context.
 *
 * <p>Start: once every singleton exists, runs each {@link PostroomConfigurer} on the Postroom (in
 * their order), which registers handlers; handlers start taking messages from then on. (The
 * {@code Postroom} itself is built with its bean, so that beans can send while they initialise:
 * the store is open, queues are declared and upkeep runs from then on.)
 *
 * <p>Stop: closes Postroom gracefully: no new leases, running handlers finish and are acked,
 * waiting at most {@code postroom.shutdown-timeout}; a handler still running then is interrupted
 * and its message delivered again later. Runs in phase {@link #PHASE}, after the web server has
 * stopped taking requests (so that requests in progress can still send) and before any bean is
 * destroyed (the store, the {@code DataSource}). Stopping is for good: Postroom does not restart.
 */
public class PostroomLifecycle implements SmartLifecycle {
    /**
     * Below the web server's phases ({@code DEFAULT_PHASE - 1024} for its graceful shutdown,
     * {@code - 2048} for the server): started before it, stopped after it.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
    private static final Logger log = LoggerFactory.getLogger(PostroomLifecycle.class);

    private final Postroom postroom;
    private final List<PostroomConfigurer> configurers;
    private volatile boolean running;
    private volatile boolean stopped;

    /** @param configurers run at start, in this order */
    public PostroomLifecycle(Postroom postroom, List<PostroomConfigurer> configurers) {
        this.postroom = postroom;
        this.configurers = List.copyOf(configurers);
    }

    /** The Postroom this lifecycle starts and stops. */
    public Postroom postroom() {
        return postroom;
    }

    @Override
    public void start() {
        if (running || stopped) {
            return;
        }
        for (PostroomConfigurer configurer : configurers) {
            configurer.configure(postroom);
        }
        running = true;
        log.info("postroom handlers started node={} configurers={}", postroom.node(), configurers.size());
    }

    @Override
    public void stop() {
        stopped = true;
        running = false;
        postroom.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
