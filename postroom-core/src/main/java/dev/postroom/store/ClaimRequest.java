package dev.postroom.store;

import java.time.Duration;
import java.time.Instant;

/**
 * Lease up to {@code max} messages of {@code queue} for {@code lease} from {@code now}.
 *
 * @param moreSlots lets a store that runs the claim later than it was asked for (the embedded
 *                  store's claims wait for the writer) take more of the caller's free slots at that
 *                  moment: handlers that finished meanwhile then start a message in this claim
 *                  instead of the next one. A store may ignore it.
 */
public record ClaimRequest(String queue, int max, Duration lease, Instant now, String node, MoreSlots moreSlots) {
    /** The caller's slots freed since it asked; see {@link ClaimRequest#moreSlots}. */
    @FunctionalInterface
    public interface MoreSlots {
        /** Asks for nothing more. */
        MoreSlots NONE = upTo -> 0;

        /**
         * Takes up to {@code upTo} further slots from the caller, who then counts them as asked
         * for; called at most once per claim, when it runs.
         *
         * @return how many were taken, 0 to {@code upTo}
         */
        int take(int upTo);
    }

    public ClaimRequest {
        if (moreSlots == null) {
            moreSlots = MoreSlots.NONE;
        }
    }

    /** A claim of at most {@code max} messages, asking for no more slots later. */
    public ClaimRequest(String queue, int max, Duration lease, Instant now, String node) {
        this(queue, max, lease, now, node, MoreSlots.NONE);
    }
}
