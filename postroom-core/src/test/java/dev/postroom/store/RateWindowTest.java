package dev.postroom.store;

import dev.postroom.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RateWindowTest {
    private static final RateLimit TEN_PER_SECOND = RateLimit.perSecond(10);

    @Test
    void aFreshWindowLetsTheWholeCountOut() {
        assertThat(RateWindow.EMPTY.available(TEN_PER_SECOND, 5_000)).isEqualTo(10);
        assertThat(RateWindow.EMPTY.take(TEN_PER_SECOND, 5_000, 10).available(TEN_PER_SECOND, 5_999)).isZero();
    }

    @Test
    void theLastWindowsShareFadesOutAcrossTheNext() {
        RateWindow full = RateWindow.EMPTY.take(TEN_PER_SECOND, 5_000, 10);

        assertThat(full.available(TEN_PER_SECOND, 6_000)).as("at the next window's start").isZero();
        assertThat(full.available(TEN_PER_SECOND, 6_001)).isEqualTo(1);
        assertThat(full.available(TEN_PER_SECOND, 6_500)).isEqualTo(5);
        assertThat(full.available(TEN_PER_SECOND, 7_000)).as("two windows on").isEqualTo(10);
    }

    @Test
    void nextAvailableAtIsTheFirstMillisecondAMessageMayGo() {
        RateLimit twoPerTen = new RateLimit(2, Duration.ofSeconds(10));
        RateWindow spent = RateWindow.EMPTY.take(twoPerTen, 0, 2);

        long next = spent.nextAvailableAt(twoPerTen, 3_000);

        assertThat(next).isEqualTo(10_001);
        assertThat(spent.available(twoPerTen, next - 1)).isZero();
        assertThat(spent.available(twoPerTen, next)).isEqualTo(1);
        assertThat(RateWindow.EMPTY.nextAvailableAt(twoPerTen, 3_000)).as("when one may go now").isEqualTo(3_000);
    }

    /**
     * A consumer that takes all it may at random moments: no window aligned to the epoch hands out
     * more than the count, every step agrees with {@code nextAvailableAt}, and over a long run the
     * rate is the limit's.
     */
    @Test
    void aGreedyConsumerGetsTheLimitAndNeverMore() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        RateLimit limit = new RateLimit(1 + random.nextInt(50), Duration.ofMillis(100 + random.nextInt(2000)));
        long per = limit.per().toMillis();
        RateWindow window = RateWindow.EMPTY;
        long now = 0;
        long[] perWindow = new long[1000];
        while (now < per * perWindow.length) {
            int available = window.available(limit, now);
            long next = window.nextAvailableAt(limit, now);
            assertThat(available > 0).as("seed %d: available %d at %d, next %d", seed, available, now, next).isEqualTo(next == now);
            if (available > 0) {
                window = window.take(limit, now, available);
                perWindow[(int) (now / per)] += available;
            }
            now = Math.max(now + 1, window.nextAvailableAt(limit, now) + random.nextInt(3));
        }
        long total = 0;
        for (long n : perWindow) {
            assertThat(n).as("seed %d, limit %s", seed, limit).isLessThanOrEqualTo(limit.count());
            total += n;
        }
        assertThat(total).as("seed %d, limit %s", seed, limit).isGreaterThan((long) (0.9 * limit.count() * perWindow.length));
    }
}
