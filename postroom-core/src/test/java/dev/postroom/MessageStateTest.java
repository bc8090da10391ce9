package dev.postroom;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The state codes are what every store has on disk. This test pins them: a changed code would
 * silently turn stored messages into other states, so it must never pass unnoticed.
 */
class MessageStateTest {
    @Test
    void codesArePinnedForever() {
        Map<MessageState, Integer> codes = Arrays.stream(MessageState.values())
                .collect(Collectors.toMap(s -> s, MessageState::code));

        assertThat(codes).containsExactlyInAnyOrderEntriesOf(Map.of(
                MessageState.SCHEDULED, 0,
                MessageState.READY, 1,
                MessageState.IN_FLIGHT, 2,
                MessageState.SUCCEEDED, 3,
                MessageState.DEAD, 4,
                MessageState.CANCELLED, 5));
    }

    @Test
    void fromCodeReadsBackEveryState() {
        for (MessageState state : MessageState.values()) {
            assertThat(MessageState.fromCode(state.code())).isSameAs(state);
        }
    }

    @Test
    void anUnknownCodeIsRejectedNamingIt() {
        assertThatThrownBy(() -> MessageState.fromCode(6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("6");
        assertThatThrownBy(() -> MessageState.fromCode(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void finalStatesAreTheThreeEnds() {
        assertThat(Arrays.stream(MessageState.values()).filter(MessageState::isFinal))
                .containsExactlyInAnyOrder(MessageState.SUCCEEDED, MessageState.DEAD, MessageState.CANCELLED);
    }
}
