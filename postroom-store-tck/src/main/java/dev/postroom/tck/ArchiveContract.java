package dev.postroom.tck;

import dev.postroom.Erasure;
import dev.postroom.ErasureFilter;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.Replay;
import dev.postroom.ReplayFilter;
import dev.postroom.ReplayPreview;
import dev.postroom.Replays;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The archive ({@link QueuePolicy#archive}) and replays: finished messages past retention move to
 * the archive instead of being deleted, whole but for their timeline, browsable with the live
 * filters, gone when the archive time ends, erased with the rest; a replay sends finished
 * messages, live and archived, again as new messages linked to their originals. Driven by the
 * {@link FakeClock} and {@link dev.postroom.Postroom#runMaintenance}.
 */
public abstract class ArchiveContract extends ContractSupport {
    private static final String REFUNDS = "refunds";
    private static final String AGAIN = "refunds-again";
    private static final QueuePolicy KEEPS_ARCHIVE = QueuePolicy.DEFAULT.withRetention(Duration.ofHours(1))
            .withDeadRetention(Duration.ofHours(1)).withMaxAttempts(1).withArchive(Duration.ofDays(30));

    /** A refund handled to the end: acked with a result, or failed dead with an error. */
    private String finished(String order, boolean succeed) {
        String id = sendId(REFUNDS, Map.of("order", order), SendOptions.builder().orderingKey("customer-" + order)
                .header("tenant", "acme").build());
        ReceivedMessage received = receiveOne(REFUNDS);
        if (succeed) {
            postroom.ack(id, received.leaseId(), Map.of("refunded", order));
        } else {
            postroom.nack(id, received.leaseId(), "card declined for " + order, null, null);
        }
        return id;
    }

    private String sendId(String queue, Object payload, SendOptions options) {
        String id = send(queue, payload, options).id();
        track(List.of(id));
        return id;
    }

    /** Past the hour of retention, with the slow maintenance pass run. */
    private void pastRetention() {
        clock.advance(Duration.ofHours(2));
        postroom.runMaintenance();
    }

    @Test
    void finishedMessagesPastRetentionMoveToTheArchiveWholeButForTheirTimeline() {
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        String refunded = finished("o-1", true);
        String declined = finished("o-2", false);

        pastRetention();

        assertThat(postroom.get(refunded)).as("no longer live").isEmpty();
        assertThat(counts(REFUNDS).succeeded() + counts(REFUNDS).dead()).isZero();
        Message archived = postroom.archive().get(refunded).orElseThrow();
        assertThat(archived.state()).isEqualTo(MessageState.SUCCEEDED);
        assertSameJson(archived.payloadJson(), Map.of("order", "o-1"));
        assertSameJson(archived.resultJson(), Map.of("refunded", "o-1"));
        assertThat(archived.headers()).containsEntry("tenant", "acme");
        assertThat(archived.orderingKey()).isEqualTo("customer-o-1");
        Message dead = postroom.archive().get(declined).orElseThrow();
        assertThat(dead.state()).isEqualTo(MessageState.DEAD);
        assertThat(dead.errors()).singleElement().satisfies(e -> assertThat(e.message()).contains("card declined for o-2"));
    }

    @Test
    void withoutAnArchiveFinishedMessagesAreDeletedAsBefore() {
        createQueue(REFUNDS, KEEPS_ARCHIVE.withArchive(null));
        String refunded = finished("o-1", true);

        pastRetention();

        assertThat(postroom.get(refunded)).isEmpty();
        assertThat(postroom.archive().get(refunded)).isEmpty();
    }

    @Test
    void theArchiveIsBrowsedWithTheLiveFiltersNewestFirstInPages() {
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(finished("o-" + i, i != 3));
            clock.advance(Duration.ofMinutes(1));
        }
        pastRetention();

        MessagePage first = postroom.archive().browse(MessageQuery.builder().queue(REFUNDS).limit(2).build());
        assertThat(first.messages()).extracting(m -> m.id()).containsExactly(ids.get(4), ids.get(3));
        MessagePage second = postroom.archive().browse(MessageQuery.builder().queue(REFUNDS).limit(2).after(first.next()).build());
        assertThat(second.messages()).extracting(m -> m.id()).containsExactly(ids.get(2), ids.get(1));
        assertThat(postroom.archive().browse(MessageQuery.builder().queue(REFUNDS).state(MessageState.DEAD).build()).messages())
                .extracting(m -> m.id()).containsExactly(ids.get(3));
        assertThat(postroom.archive().browse(MessageQuery.builder().queue(REFUNDS).orderingKey("customer-o-2").build()).messages())
                .extracting(m -> m.id()).containsExactly(ids.get(2));
        assertThat(postroom.archive().browse(MessageQuery.builder().queue(REFUNDS).text("O-1").build()).messages())
                .as("text matches the payload, case aside").extracting(m -> m.id()).containsExactly(ids.get(1));
        assertThat(postroom.archive().browse(MessageQuery.builder().queue(REFUNDS)
                .since(START.plus(Duration.ofMinutes(1))).until(START.plus(Duration.ofMinutes(3))).build()).messages())
                .extracting(m -> m.id()).containsExactly(ids.get(2), ids.get(1));
        assertThat(first.messages().getFirst().payloadPreview()).contains("o-4");
        assertThat(postroom.archive().browse(MessageQuery.builder().queue(REFUNDS).state(MessageState.READY).build()).messages()).isEmpty();
    }

    @Test
    void archivedMessagesGoWhenTheArchiveTimeEndsOrTheArchiveIsTurnedOff() {
        createQueue(REFUNDS, KEEPS_ARCHIVE.withArchive(Duration.ofDays(1)));
        String old = finished("o-1", true);
        pastRetention();
        clock.advance(Duration.ofHours(12));
        String younger = finished("o-2", true);
        pastRetention();

        clock.advance(Duration.ofHours(11));
        postroom.runMaintenance();

        assertThat(postroom.archive().get(old)).as("archived a day ago").isEmpty();
        assertThat(postroom.archive().get(younger)).isPresent();

        createQueue(REFUNDS, KEEPS_ARCHIVE.withArchive(null));
        postroom.runMaintenance();
        assertThat(postroom.archive().get(younger)).isEmpty();
    }

    @Test
    void deletingAQueueDeletesItsArchive() {
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        String refunded = finished("o-1", true);
        pastRetention();

        postroom.deleteQueue(REFUNDS, false);

        assertThat(postroom.archive().get(refunded)).isEmpty();
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        assertThat(postroom.archive().browse(MessageQuery.builder().queue(REFUNDS).build()).messages()).as("a new queue of the name starts empty").isEmpty();
    }

    @Test
    void theArchiveSurvivesARestart() {
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        String refunded = finished("o-1", true);
        pastRetention();

        restart();

        assertSameJson(postroom.archive().get(refunded).orElseThrow().payloadJson(), Map.of("order", "o-1"));
    }

    @Test
    void anErasureRemovesArchivedMessagesToo() throws Exception {
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        String archived = finished("o-1", true);
        pastRetention();
        String live = finished("o-1", true);

        assertThat(postroom.erasures().preview(ErasureFilter.orderingKey("customer-o-1")).count()).isEqualTo(2);
        CompletableFuture<Erasure> ended = new CompletableFuture<>();
        postroom.erasures().start(ErasureFilter.orderingKey("customer-o-1"), ended::complete);

        assertThat(ended.get(30, TimeUnit.SECONDS).erased()).isEqualTo(2);
        assertThat(postroom.archive().get(archived)).isEmpty();
        assertThat(postroom.get(live)).isEmpty();
    }

    @Test
    void aReplaySendsLiveAndArchivedMessagesAgainOldestFirstLinkedToTheirOriginals() throws Exception {
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        createQueue(AGAIN);
        String archived = finished("o-1", true);
        clock.advance(Duration.ofMinutes(1));
        String archivedDead = finished("o-2", false);
        pastRetention();
        String live = finished("o-3", true);

        ReplayPreview preview = postroom.replays().preview(ReplayFilter.of(REFUNDS).withState(MessageState.SUCCEEDED));
        assertThat(preview.count()).isEqualTo(2);
        assertThat(preview.sample()).containsExactly(archived, live);

        CompletableFuture<Replay> ended = new CompletableFuture<>();
        Replay started = postroom.replays().start(ReplayFilter.of(REFUNDS).withState(MessageState.SUCCEEDED), AGAIN, ended::complete);
        assertThat(started.matched()).isEqualTo(2);
        Replay done = ended.get(30, TimeUnit.SECONDS);

        assertThat(done.state()).isEqualTo(Replay.State.SUCCEEDED);
        assertThat(done.replayed()).isEqualTo(2);
        // The end is heard before it shows: a listener audits it first.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> postroom.replays().get(started.id()).map(r -> r.state() != Replay.State.RUNNING).orElse(false));
        assertThat(postroom.replays().get(started.id())).contains(done);
        List<ReceivedMessage> copies = receive(AGAIN, 10);
        track(ids(copies));
        assertThat(copies).extracting(c -> c.headers().get(Replays.REPLAY_OF_HEADER)).containsExactly(archived, live);
        assertSameJson(copies.getFirst().payloadJson(), Map.of("order", "o-1"));
        assertThat(copies.getFirst().headers()).containsEntry("tenant", "acme");
        assertThat(copies.getFirst().orderingKey()).isEqualTo("customer-o-1");
        assertThat(copies).extracting(ReceivedMessage::id).doesNotContain(archived, live, archivedDead);
        assertThat(postroom.archive().get(archived)).as("the original stays").isPresent();
    }

    @Test
    void aReplayToItsOwnQueueWithoutAStateTakesEveryFinishedOne() throws Exception {
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        finished("o-1", true);
        finished("o-2", false);
        String waiting = sendId(REFUNDS, Map.of("order", "o-3"), SendOptions.DEFAULTS);

        CompletableFuture<Replay> ended = new CompletableFuture<>();
        postroom.replays().start(ReplayFilter.of(REFUNDS), null, ended::complete);

        assertThat(ended.get(30, TimeUnit.SECONDS).replayed()).isEqualTo(2);
        List<ReceivedMessage> ready = receive(REFUNDS, 10);
        track(ids(ready));
        assertThat(ready).hasSize(3).extracting(ReceivedMessage::id).contains(waiting);
    }

    @Test
    void aReplayOfUnfinishedStatesOrWithoutAQueueIsRefused() {
        createQueue(REFUNDS, KEEPS_ARCHIVE);

        assertThatThrownBy(() -> postroom.replays().preview(ReplayFilter.of(REFUNDS).withState(MessageState.READY)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("filter.state"));
        assertThatThrownBy(() -> postroom.replays().preview(ReplayFilter.of(null)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("filter.queue"));
        assertThatThrownBy(() -> postroom.replays().start(ReplayFilter.of(REFUNDS), "no-such-queue", null))
                .isInstanceOf(dev.postroom.QueueNotFoundException.class);
        assertThatThrownBy(() -> createQueue(REFUNDS, KEEPS_ARCHIVE.withArchive(Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("archive"));
    }

    @Test
    void eachReplaySendsCopiesOfItsOwn() throws Exception {
        createQueue(REFUNDS, KEEPS_ARCHIVE);
        createQueue(AGAIN);
        finished("o-1", true);

        for (int run = 0; run < 2; run++) {
            CompletableFuture<Replay> ended = new CompletableFuture<>();
            postroom.replays().start(ReplayFilter.of(REFUNDS), AGAIN, ended::complete);
            assertThat(ended.get(30, TimeUnit.SECONDS).replayed()).isEqualTo(1);
        }

        assertThat(counts(AGAIN).ready()).isEqualTo(2);
        track(postroom.browse(MessageQuery.builder().queue(AGAIN).build()).messages().stream().map(m -> m.id()).toList());
    }
}
