package dev.postroom.engine;

import dev.postroom.Backoff;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RetryScheduleTest {
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 2.0);

    @Test
    void delayGrowsExponentiallyWithinTwentyPercentJitter() {
        assertThat(RetrySchedule.jittered(backoff, 1, 0.0)).isEqualTo(Duration.ofMillis(800));
        assertThat(RetrySchedule.jittered(backoff, 1, 0.999)).isBetween(Duration.ofMillis(1195), Duration.ofMillis(1200));
        assertThat(RetrySchedule.jittered(backoff, 3, 0.5)).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void delayNeverExceedsTheMaximum() {
        assertThat(RetrySchedule.jittered(backoff, 20, 0.999)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetrySchedule.jittered(backoff, 1000, 0.999)).isEqualTo(Duration.ofSeconds(30));
    }
}
