package dev.postroom.server.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.server.auth.AuthBackend;
import dev.postroom.server.auth.AuthStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Recording, browsing, paging, filters, bounds and retention of the audit log, on a real
 * {@code auth.db} and on PostgreSQL, where several nodes write one log.
 */
@ParameterizedClass
@EnumSource(AuthBackend.class)
class AuditLogTest {
    private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Parameter
    AuthBackend backend;
    @TempDir
    Path dir;
    private AuthBackend.Place place;
    private final AtomicReference<Instant> now = new AtomicReference<>(START);
    private final InstantSource clock = now::get;
    private AuditLog audit;

    @BeforeEach
    void open() {
        place = backend.place(dir);
        audit = reopen();
    }

    @AfterEach
    void close() throws Exception {
        if (audit != null) {
            audit.close();
        }
        if (place != null) {
            place.close();
        }
    }

    /** The log on a new connection pool: the same node restarted, or another node. */
    private AuditLog reopen() {
        return AuditLog.open(place.open(), clock);
    }

    private void advance(Duration duration) {
        now.updateAndGet(t -> t.plus(duration));
    }

    private AuditEntry pause(String actor, String queue) {
        return audit.record(actor, "queue.pause", "queue", queue, null, "127.0.0.1");
    }

    @Test
    void aRecordedEntryIsBrowsedBackWithEveryField() {
        AuditEntry recorded = audit.record(AuditLog.user("alice"), "queue.purge", "queue", "refunds",
                Map.of("purged", 12, "states", List.of("DEAD")), "203.0.113.7");

        AuditPage page = audit.browse(AuditQuery.ALL);

        assertThat(page.entries()).containsExactly(recorded);
        AuditEntry entry = page.entries().getFirst();
        assertThat(entry.at()).isEqualTo(START);
        assertThat(entry.actor()).isEqualTo("user:alice");
        assertThat(entry.action()).isEqualTo("queue.purge");
        assertThat(entry.targetType()).isEqualTo("queue");
        assertThat(entry.target()).isEqualTo("refunds");
        assertThat(json(entry.detail())).isEqualTo(json("{\"purged\":12,\"states\":[\"DEAD\"]}"));
        assertThat(entry.address()).isEqualTo("203.0.113.7");
        assertThat(page.next()).isNull();
    }

    @Test
    void noDetailIsAnEmptyObjectAndTargetAndAddressMayBeMissing() {
        AuditEntry entry = audit.record(AuditLog.user("bob"), "user.login_failed", null, null, Map.of(), null);

        assertThat(entry.detail()).isEqualTo("{}");
        assertThat(audit.browse(AuditQuery.ALL).entries()).containsExactly(entry);
    }

    @Test
    void entriesAreDurableAcrossReopeningAndShareTheDatabaseWithTheAuthStore() {
        AuditEntry entry = pause(AuditLog.token("ci-bot", "Ab12Cd34"), "emails");
        audit.close();

        try (AuthStore auth = AuthStore.open(place.open())) {
            assertThat(auth.hasUsers()).isFalse();
        }
        audit = reopen();

        assertThat(audit.browse(AuditQuery.ALL).entries()).containsExactly(entry);
        if (backend == AuthBackend.SQLITE) {
            assertThat(dir.resolve("auth.db")).exists();
        }
    }

    @Test
    void everyNodeRecordsIntoAndBrowsesOneLog() {
        AuditLog other = reopen();

        AuditEntry here = pause("user:alice", "emails");
        AuditEntry there = other.record("token:ci-bot/Ab12Cd34", "queue.resume", "queue", "emails", null, null);
        AuditEntry hereAgain = pause("user:alice", "refunds");

        assertThat(here.id()).isLessThan(there.id());
        assertThat(there.id()).isLessThan(hereAgain.id());
        assertThat(audit.browse(AuditQuery.ALL).entries()).containsExactly(hereAgain, there, here);
        assertThat(other.browse(AuditQuery.builder().limit(2).build()).entries()).containsExactly(hereAgain, there);
    }

    @Test
    void idsGrowAndEntriesComeNewestFirst() {
        AuditEntry first = pause("user:a", "q1");
        advance(Duration.ofSeconds(1));
        AuditEntry second = pause("user:a", "q2");
        AuditEntry third = pause("user:a", "q3");

        assertThat(first.id()).isLessThan(second.id());
        assertThat(second.id()).isLessThan(third.id());
        assertThat(audit.browse(AuditQuery.ALL).entries()).containsExactly(third, second, first);
    }

    @Test
    void pagingFollowsTheCursorUntilItIsNullAndListsEachEntryOnce() {
        List<AuditEntry> recorded = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            recorded.add(pause("user:a", "q" + i));
        }
        AuditQuery query = AuditQuery.builder().limit(3).build();

        List<AuditEntry> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        AuditPage page = audit.browse(query);
        while (true) {
            seen.addAll(page.entries());
            sizes.add(page.entries().size());
            if (!page.hasNext()) {
                break;
            }
            page = audit.browse(query.withAfter(page.next()));
        }

        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(seen).containsExactlyElementsOf(recorded.reversed());
    }

    @Test
    void aFullLastPageHasNoNextCursor() {
        pause("user:a", "q1");
        pause("user:a", "q2");

        assertThat(audit.browse(AuditQuery.builder().limit(2).build()).next()).isNull();
    }

    @Test
    void entriesRecordedWhilePagingDoNotShiftLaterPages() {
        AuditEntry older = pause("user:a", "q1");
        AuditEntry newer = pause("user:a", "q2");
        AuditPage first = audit.browse(AuditQuery.builder().limit(1).build());
        pause("user:a", "q3");

        AuditPage second = audit.browse(AuditQuery.builder().limit(1).after(first.next()).build());

        assertThat(first.entries()).containsExactly(newer);
        assertThat(second.entries()).containsExactly(older);
    }

    @Test
    void filtersByActorActionAndTargetExactlyAndCombineWithAnd() {
        AuditEntry alicePause = pause("user:alice", "emails");
        AuditEntry bobPause = pause("user:bob", "emails");
        AuditEntry aliceResume = audit.record("user:alice", "queue.resume", "queue", "emails", null, null);
        AuditEntry aliceOther = pause("user:alice", "emails.eu");

        assertThat(audit.browse(AuditQuery.builder().actor("user:alice").build()).entries())
                .containsExactly(aliceOther, aliceResume, alicePause);
        assertThat(audit.browse(AuditQuery.builder().actor("user:ali").build()).entries()).isEmpty();
        assertThat(audit.browse(AuditQuery.builder().action("queue.pause").build()).entries())
                .containsExactly(aliceOther, bobPause, alicePause);
        assertThat(audit.browse(AuditQuery.builder().target("emails").build()).entries())
                .containsExactly(aliceResume, bobPause, alicePause);
        assertThat(audit.browse(AuditQuery.builder().actor("user:alice").action("queue.pause").target("emails").build()).entries())
                .containsExactly(alicePause);
    }

    @Test
    void sinceIsInclusiveAndUntilExclusive() {
        AuditEntry first = pause("user:a", "q1");
        advance(Duration.ofMinutes(1));
        AuditEntry second = pause("user:a", "q2");
        advance(Duration.ofMinutes(1));
        AuditEntry third = pause("user:a", "q3");

        assertThat(audit.browse(AuditQuery.builder().since(second.at()).build()).entries()).containsExactly(third, second);
        assertThat(audit.browse(AuditQuery.builder().until(second.at()).build()).entries()).containsExactly(first);
        assertThat(audit.browse(AuditQuery.builder().since(first.at()).until(third.at()).build()).entries())
                .containsExactly(second, first);
    }

    @Test
    void aQueryOutOfRangeNamesTheField() {
        assertThatThrownBy(() -> audit.browse(AuditQuery.builder().limit(0).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("limit"));
        assertThatThrownBy(() -> audit.browse(AuditQuery.builder().limit(AuditQuery.MAX_LIMIT + 1).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("limit"));
        assertThatThrownBy(() -> audit.browse(AuditQuery.builder().since(START).until(START).build()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("until"));
        for (String cursor : List.of("x", "-3", "0", "")) {
            assertThatThrownBy(() -> audit.browse(AuditQuery.builder().after(cursor).build()))
                    .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("after"));
        }
    }

    @Test
    void theLargestPageSizeIsAccepted() {
        assertThat(audit.browse(AuditQuery.builder().limit(AuditQuery.MAX_LIMIT).build()).entries()).isEmpty();
    }

    @Test
    void longTextIsCutAtTheLimitAndControlCharactersBecomeSpaces() {
        String exact = "a".repeat(AuditLog.MAX_TEXT_CHARS);
        String over = "b".repeat(AuditLog.MAX_TEXT_CHARS + 1);

        AuditEntry atLimit = audit.record("token:" + exact, "queue.pause", "queue", exact, null, exact);
        AuditEntry overLimit = audit.record("token:x", "queue.pause", "queue", over, null, "line\nbreak\t");

        assertThat(atLimit.target()).isEqualTo(exact);
        assertThat(atLimit.actor()).hasSize(AuditLog.MAX_TEXT_CHARS).endsWith("…");
        assertThat(overLimit.target()).hasSize(AuditLog.MAX_TEXT_CHARS).endsWith("b…");
        assertThat(overLimit.address()).isEqualTo("line break ");
        assertThat(audit.browse(AuditQuery.builder().limit(1).build()).entries()).containsExactly(overLimit);
    }

    @Test
    void cuttingNeverSplitsASurrogatePair() {
        String emoji = "\uD83D\uDCE8"; // two chars, one code point
        String text = "x".repeat(AuditLog.MAX_TEXT_CHARS - 2) + emoji + "tail";

        String cut = AuditLog.bounded(text);

        assertThat(cut).isEqualTo("x".repeat(AuditLog.MAX_TEXT_CHARS - 2) + "…");
    }

    @Test
    void aDetailOverTheLimitIsReplacedByAMarkerWithAPreview() {
        AuditEntry atLimit = audit.record("user:a", "queue.update", "queue", "q",
                Map.of("x", "y".repeat(AuditLog.MAX_DETAIL_CHARS - "{\"x\":\"\"}".length())), null);
        AuditEntry overLimit = audit.record("user:a", "queue.update", "queue", "q",
                Map.of("x", "y".repeat(AuditLog.MAX_DETAIL_CHARS)), null);

        assertThat(atLimit.detail()).hasSize(AuditLog.MAX_DETAIL_CHARS);
        JsonNode marker = json(overLimit.detail());
        assertThat(marker.get("truncated").asBoolean()).isTrue();
        assertThat(marker.get("chars").asInt()).isEqualTo(AuditLog.MAX_DETAIL_CHARS + "{\"x\":\"\"}".length());
        assertThat(marker.get("preview").asText()).startsWith("{\"x\":\"yyy").endsWith("…");
        assertThat(overLimit.detail().length()).isLessThan(AuditLog.MAX_DETAIL_CHARS);
    }

    @Test
    void malformedActionsTargetTypesAndBlankActorsAreRefused() {
        for (String action : List.of("pause", "Queue.pause", "queue.", ".pause", "queue pause", "queue.pause!", "a." + "b".repeat(64))) {
            assertThatThrownBy(() -> audit.record("user:a", action, "queue", "q", null, null))
                    .as(action).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> audit.record("user:a", "queue.pause", "Queue", "q", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> audit.record(" ", "queue.pause", "queue", "q", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> audit.record(null, "queue.pause", "queue", "q", null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(audit.browse(AuditQuery.ALL).entries()).isEmpty();
    }

    @Test
    void entriesOlderThanTheRetentionArePrunedOnTheNextWrite() {
        AuditEntry old = pause("user:a", "q1");
        advance(AuditLog.RETENTION);
        AuditEntry kept = pause("user:a", "q2");
        assertThat(audit.browse(AuditQuery.ALL).entries()).as("exactly the retention old is kept").containsExactly(kept, old);

        advance(Duration.ofMillis(1));
        AuditEntry newest = pause("user:a", "q3");

        assertThat(audit.browse(AuditQuery.ALL).entries()).containsExactly(newest, kept);
    }

    @Test
    void openingPrunesEntriesOlderThanTheRetention() {
        pause("user:a", "q1");
        audit.close();
        advance(AuditLog.RETENTION.plusDays(1));

        audit = reopen();

        assertThat(audit.browse(AuditQuery.ALL).entries()).isEmpty();
    }

    @Test
    void idsKeepGrowingAfterPruning() {
        AuditEntry old = pause("user:a", "q1");
        advance(AuditLog.RETENTION.plusDays(1));
        audit.close();
        audit = reopen();

        AuditEntry next = pause("user:a", "q2");

        assertThat(next.id()).isGreaterThan(old.id());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }
}
