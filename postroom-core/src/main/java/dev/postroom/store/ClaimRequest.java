package dev.postroom.store;

import java.time.Duration;
import java.time.Instant;

/** Lease up to {@code max} messages of {@code queue} for {@code lease} from {@code now}. */
public record ClaimRequest(String queue, int max, Duration lease, Instant now, String node) {
}
