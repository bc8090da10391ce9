package dev.postroom.store;

import dev.postroom.InvalidMessageException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrowseCursorTest {
    @Test
    void aCursorDecodesToTheSequenceItWasMadeFrom() {
        for (long sequence : new long[]{1, 42, 3_712_474_939_392_000_000L, Long.MAX_VALUE}) {
            String cursor = BrowseCursor.encode(sequence);
            assertThat(cursor).matches("[A-Za-z0-9_-]{12}");
            assertThat(BrowseCursor.decode(cursor)).isEqualTo(sequence);
        }
    }

    @Test
    void anythingElseIsRejectedNamingAfter() {
        String valid = BrowseCursor.encode(42);
        for (String bad : new String[]{"", "not a cursor", valid.substring(1), valid + "A", "AAAAAAAAAAAA",
                "0190d9a2-7c1e-7000-8000-000000000000", valid.replace('A', '+')}) {
            assertThatThrownBy(() -> BrowseCursor.decode(bad))
                    .as("cursor %s", bad)
                    .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("after"));
        }
        assertThatThrownBy(() -> BrowseCursor.decode(null)).isInstanceOf(InvalidMessageException.class);
    }

    @Test
    void onlyPositiveSequencesMakeCursors() {
        assertThatThrownBy(() -> BrowseCursor.encode(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
