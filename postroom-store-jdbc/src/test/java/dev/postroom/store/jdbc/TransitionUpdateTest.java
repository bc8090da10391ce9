package dev.postroom.store.jdbc;

import dev.postroom.store.Transition;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The SQL of a transition's shape; that both databases run it is the TCK's to prove. */
class TransitionUpdateTest {
    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    @Test
    void anAckWritesOnlyItsStateAndTimelineEntry() {
        String set = TransitionUpdate.shapedLike(Dialect.SQLITE, Transition.acked(NOW, "n"), 0).set();

        String stored = "coalesce(" + Dialect.SQLITE.timeline() + ", '[]')";
        assertThat(set).startsWith("state = ?, updated_at = ?, timeline = json_insert(coalesce(CASE WHEN json_array_length(" + stored + ") >= 100"
                        + " THEN json_remove(" + stored + ", '$[1]', '$[1]') ELSE " + stored + " END, '[]'), '$[#]', json_array(?, ?, ?, coalesce(?, attempt), ?))")
                .doesNotContain("attempt = ?").doesNotContain("available_at").doesNotContain("errors").doesNotContain("progress");
    }

    @Test
    void aRedriveResetsTheAttemptsAndTheAvailableTime() {
        String set = TransitionUpdate.shapedLike(Dialect.POSTGRES, Transition.redriven(NOW, "n"), 0).set();

        String stored = "coalesce(" + Dialect.POSTGRES.timeline() + ", '[]'::jsonb)";
        assertThat(set).contains("attempt = ?", "available_at = ?", "timeline = coalesce(CASE WHEN jsonb_array_length(" + stored + ") >= 100"
                        + " THEN ((" + stored + " - 1) - 1) ELSE " + stored + " END, '[]'::jsonb)"
                        + " || jsonb_build_array(jsonb_build_array(")
                .contains("greatest(?::bigint, " + Dialect.POSTGRES.lastEntryAt("") + ")");
    }

    @Test
    void aTransitionAppendsToTheTimelineARowImplies() {
        assertThat(TransitionUpdate.shapedLike(Dialect.SQLITE, Transition.redriven(NOW, "n"), 0).set())
                .contains("CASE WHEN timeline <> '' THEN timeline WHEN claimed_at IS NULL THEN json_array(json_array(enqueued_at, 'READY', node, 0, 'sent'))");
        assertThat(TransitionUpdate.shapedLike(Dialect.POSTGRES, Transition.redriven(NOW, "n"), 0).set())
                .contains("coalesce(timeline, CASE WHEN claimed_at IS NULL THEN jsonb_build_array(jsonb_build_array(enqueued_at, 'READY', node, 0, 'sent'))");
        assertThat(Dialect.POSTGRES.timeline("m.")).contains("m.claim_node").doesNotContain(" claim_node");
    }

    @Test
    void aFailedAttemptAppendsItsErrorAndClearsProgress() {
        Transition failed = Transition.leaseExpired("q", 1, 3, (queue, attempt) -> java.time.Duration.ofSeconds(1), NOW, "n");

        String set = TransitionUpdate.shapedLike(Dialect.SQLITE, failed, 1).set();

        assertThat(set).contains("progress_percent = NULL", "errors = json_insert(coalesce(CASE WHEN json_array_length(coalesce(errors, '[]')) >= 25");
        assertThat(set.split("json_object\\(", -1)).as("the error, an object").hasSize(2);
        assertThat(set.split("'\\$\\[#]', json_array\\(", -1)).as("the lease's entry and the outcome's, compact arrays").hasSize(3);
    }
}
