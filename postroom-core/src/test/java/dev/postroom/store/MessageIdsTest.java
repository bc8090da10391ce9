package dev.postroom.store;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageIdsTest {
    private static final InstantSource FROZEN = InstantSource.fixed(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void idsAreUuidV7AndSortInCreationOrderEvenWithinOneMillisecond() {
        MessageIds ids = new MessageIds(FROZEN);
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            made.add(ids.next());
        }
        assertThat(made).isSorted().doesNotHaveDuplicates();
        assertThat(UUID.fromString(made.get(0)).version()).isEqualTo(7);
        List<Long> sequences = made.stream().map(MessageIds::sequenceOf).toList();
        assertThat(sequences).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void sequenceCarriesTheMillisecondTimestamp() {
        String id = new MessageIds(FROZEN).next();
        assertThat(MessageIds.sequenceOf(id) >>> 21).isEqualTo(FROZEN.millis());
    }

    @Test
    void advancePastKeepsNewIdsAfterAnIdFromTheFuture() {
        MessageIds later = new MessageIds(InstantSource.fixed(Instant.parse("2026-06-01T00:00:00Z")));
        String stored = later.next();
        MessageIds restarted = new MessageIds(FROZEN);
        restarted.advancePast(stored);
        assertThat(restarted.next()).isGreaterThan(stored);
    }

    @Test
    void firstSequenceAtSeparatesIdsBeforeAnInstantFromIdsAtOrAfterIt() {
        Instant t = FROZEN.instant();
        long atT = MessageIds.sequenceOf(new MessageIds(FROZEN).next());
        long before = MessageIds.sequenceOf(new MessageIds(InstantSource.fixed(t.minusMillis(1))).next());
        assertThat(atT).isGreaterThanOrEqualTo(MessageIds.firstSequenceAt(t));
        assertThat(before).isLessThan(MessageIds.firstSequenceAt(t));
        // A fraction of a millisecond rounds up: an id of millisecond t is before t + 0.5 ms.
        assertThat(atT).isLessThan(MessageIds.firstSequenceAt(t.plusNanos(500_000)));
        assertThat(MessageIds.firstSequenceAt(t.plusNanos(500_000))).isEqualTo(MessageIds.firstSequenceAt(t.plusMillis(1)));
    }

    @Test
    void firstSequenceAtIsClampedOutsideTheIdRange() {
        assertThat(MessageIds.firstSequenceAt(Instant.EPOCH.minusSeconds(1))).isZero();
        assertThat(MessageIds.firstSequenceAt(Instant.MIN)).isZero();
        assertThat(MessageIds.firstSequenceAt(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
        assertThat(MessageIds.firstSequenceAt(Instant.parse("2200-01-01T00:00:00Z"))).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void foreignIdsAreRejected() {
        assertThat(MessageIds.isValid(UUID.randomUUID().toString())).isFalse();
        assertThat(MessageIds.isValid("nope")).isFalse();
        assertThat(MessageIds.isValid(null)).isFalse();
        assertThatThrownBy(() -> MessageIds.sequenceOf("0190-bad")).isInstanceOf(IllegalArgumentException.class);
    }
}
