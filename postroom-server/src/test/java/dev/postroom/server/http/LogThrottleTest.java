package dev.postroom.server.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class LogThrottleTest {
    @Test
    void oneOccurrencePerIntervalIsLoggedAndTheNextSaysHowManyWereHeldBack() {
        AtomicLong now = new AtomicLong(1_000);
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10), now::get);

        assertThat(throttle.admit()).as("the first is logged").isZero();
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(throttle.admit()).isEqualTo(-1);
        assertThat(throttle.admit()).isEqualTo(-1);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(throttle.admit()).as("logged, naming the two held back").isEqualTo(2);
        assertThat(throttle.admit()).isEqualTo(-1);
    }
}
