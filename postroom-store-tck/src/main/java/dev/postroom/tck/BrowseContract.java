package dev.postroom.tck;

import dev.postroom.Backoff;
import dev.postroom.InvalidMessageException;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.OutgoingMessage;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Browsing ({@code Postroom.browse}, the API's {@code GET /api/v1/messages}): every filter alone
 * and combined, newest first, paging by cursor that lists each message exactly once, the in-flight
 * state of leased messages, and inputs rejected naming the field.
 *
 * <p>The data sets here are small (well under the 1,000 rows a store must examine before it may
 * cut a page short), so every page but the last is full and the last has no cursor.
 */
public abstract class BrowseContract extends ContractSupport {
    private static final String ORDERS = "orders";
    private static final String EMAILS = "emails";

    // ---------------------------------------------------------------- helpers

    private MessagePage browse(UnaryOperator<MessageQuery.Builder> filters) {
        return postroom.browse(filters.apply(MessageQuery.builder()).build());
    }

    /** Every id matching the filters, following cursors to the end; checks each page on the way. */
    private List<String> browseAll(UnaryOperator<MessageQuery.Builder> filters, int limit) {
        MessageQuery query = filters.apply(MessageQuery.builder()).limit(limit).build();
        List<String> ids = new ArrayList<>();
        MessagePage page = postroom.browse(query);
        for (int pages = 1; ; pages++) {
            assertThat(page.messages()).as("page %d of %s", pages, query).hasSizeLessThanOrEqualTo(limit);
            page.messages().forEach(m -> ids.add(m.id()));
            if (page.next() == null) {
                return ids;
            }
            assertThat(page.messages()).as("a page before the last, of a small data set, is full").hasSize(limit);
            assertThat(pages).as("pages of %s", query).isLessThan(10_000);
            page = postroom.browse(query.withAfter(page.next()));
        }
    }

    private List<String> browseAll(UnaryOperator<MessageQuery.Builder> filters) {
        return browseAll(filters, MessageQuery.MAX_LIMIT);
    }

    private static List<String> newestFirst(List<String> sentInOrder) {
        List<String> reversed = new ArrayList<>(sentInOrder);
        Collections.reverse(reversed);
        return reversed;
    }

    private MessageSummary only(MessagePage page) {
        assertThat(page.messages()).hasSize(1);
        assertThat(page.next()).isNull();
        return page.messages().getFirst();
    }

    private String sendWith(String queue, Object payload, UnaryOperator<SendOptions.Builder> options) {
        return send(queue, payload, options.apply(SendOptions.builder()).build()).id();
    }

    /** One message of ORDERS in each state, sent one after another; the map gives each state's id. */
    private Map<MessageState, String> oneInEachState() {
        createQueue(ORDERS, QueuePolicy.DEFAULT.withMaxAttempts(1));
        Map<MessageState, String> ids = new EnumMap<>(MessageState.class);
        ids.put(MessageState.SUCCEEDED, sendId(ORDERS, "succeeded"));
        postroom.ack(ids.get(MessageState.SUCCEEDED), receiveOne(ORDERS).leaseId(), null);
        clock.advance(Duration.ofSeconds(1));
        ids.put(MessageState.DEAD, sendId(ORDERS, "dead"));
        assertThat(postroom.nack(ids.get(MessageState.DEAD), receiveOne(ORDERS).leaseId(), "boom", null, null))
                .isEqualTo(MessageState.DEAD);
        clock.advance(Duration.ofSeconds(1));
        ids.put(MessageState.CANCELLED, sendId(ORDERS, "cancelled"));
        postroom.cancel(ids.get(MessageState.CANCELLED));
        clock.advance(Duration.ofSeconds(1));
        ids.put(MessageState.IN_FLIGHT, sendId(ORDERS, "in flight"));
        assertThat(receiveOne(ORDERS).id()).isEqualTo(ids.get(MessageState.IN_FLIGHT));
        clock.advance(Duration.ofSeconds(1));
        ids.put(MessageState.READY, sendId(ORDERS, "ready"));
        clock.advance(Duration.ofSeconds(1));
        ids.put(MessageState.SCHEDULED, sendWith(ORDERS, "scheduled", o -> o.delay(Duration.ofHours(1))));
        return ids;
    }

    // ---------------------------------------------------------------- no filter, queue

    @Test
    void everyMessageIsListedNewestFirst() {
        createQueue(ORDERS);
        createQueue(EMAILS);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sent.add(sendId(i % 3 == 0 ? EMAILS : ORDERS, "message " + i));
            clock.advance(Duration.ofMillis(i % 2)); // some share a millisecond
        }
        sent.addAll(sentIds(sendBatch(ORDERS, List.of(OutgoingMessage.of("batch 0"), OutgoingMessage.of("batch 1")))));

        MessagePage page = browse(q -> q);
        assertThat(page.messages()).extracting(MessageSummary::id).containsExactlyElementsOf(newestFirst(sent));
        assertThat(page.next()).isNull();
    }

    @Test
    void emptyStoreHasAnEmptyPageWithoutNext() {
        createQueue(ORDERS);
        MessagePage page = browse(q -> q);
        assertThat(page.messages()).isEmpty();
        assertThat(page.next()).isNull();
        assertThat(browse(q -> q.queue(ORDERS).state(MessageState.IN_FLIGHT)).messages()).isEmpty();
    }

    @Test
    void queueFilterListsOnlyThatQueue() {
        createQueue(ORDERS);
        createQueue(EMAILS);
        List<String> orders = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            (i % 4 == 0 ? emails : orders).add(sendId(i % 4 == 0 ? EMAILS : ORDERS, i));
        }
        assertThat(browseAll(q -> q.queue(ORDERS))).containsExactlyElementsOf(newestFirst(orders));
        assertThat(browseAll(q -> q.queue(EMAILS))).containsExactlyElementsOf(newestFirst(emails));
        assertThat(browse(q -> q.queue(EMAILS)).messages()).allSatisfy(m -> assertThat(m.queue()).isEqualTo(EMAILS));
    }

    @Test
    void unknownQueueIsNotFound() {
        assertThatThrownBy(() -> browse(q -> q.queue("nowhere")))
                .isInstanceOf(QueueNotFoundException.class)
                .hasMessageContaining("nowhere");
    }

    @Test
    void deletedQueueHasNothingLeftToList() {
        createQueue(ORDERS);
        createQueue(EMAILS);
        sendId(ORDERS, "gone soon");
        String kept = sendId(EMAILS, "kept");
        postroom.deleteQueue(ORDERS, true);
        assertThat(browseAll(q -> q)).containsExactly(kept);
        assertThat(browseAll(q -> q.state(MessageState.READY))).containsExactly(kept);
    }

    // ---------------------------------------------------------------- state

    @Test
    void stateFilterFindsEachState() {
        Map<MessageState, String> ids = oneInEachState();
        for (MessageState state : MessageState.values()) {
            MessageSummary summary = only(browse(q -> q.queue(ORDERS).state(state)));
            assertThat(summary.id()).as("the %s message", state).isEqualTo(ids.get(state));
            assertThat(summary.state()).isEqualTo(state);
            assertThat(stateOf(summary.id())).isEqualTo(state);
        }
    }

    @Test
    void stateFilterWithoutQueueSpansQueuesNewestFirst() {
        Map<MessageState, String> ids = oneInEachState();
        createQueue(EMAILS, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String deadEmail = sendId(EMAILS, "dead email");
        postroom.nack(deadEmail, receiveOne(EMAILS).leaseId(), "bounced", null, null);
        String inFlightEmail = sendId(EMAILS, "in flight email");
        String readyEmail = sendId(EMAILS, "ready email");
        assertThat(receiveOne(EMAILS).id()).isEqualTo(inFlightEmail);

        assertThat(browseAll(q -> q.state(MessageState.DEAD))).containsExactly(deadEmail, ids.get(MessageState.DEAD));
        assertThat(browseAll(q -> q.state(MessageState.READY))).containsExactly(readyEmail, ids.get(MessageState.READY));
        assertThat(browseAll(q -> q.state(MessageState.IN_FLIGHT))).containsExactly(inFlightEmail, ids.get(MessageState.IN_FLIGHT));
        assertThat(browseAll(q -> q.state(MessageState.SUCCEEDED))).containsExactly(ids.get(MessageState.SUCCEEDED));
        assertThat(browseAll(q -> q.state(MessageState.SCHEDULED))).containsExactly(ids.get(MessageState.SCHEDULED));
        assertThat(browseAll(q -> q.state(MessageState.CANCELLED))).containsExactly(ids.get(MessageState.CANCELLED));
    }

    @Test
    void receivedMessageIsInFlightAndNoLongerReady() {
        createQueue(ORDERS);
        String first = sendId(ORDERS, "first");
        String second = sendId(ORDERS, "second");
        String third = sendId(ORDERS, "third");
        Instant receivedAt = clock.advance(Duration.ofSeconds(5));
        ReceivedMessage received = receiveOne(ORDERS);
        assertThat(received.id()).isEqualTo(first);

        MessageSummary inFlight = only(browse(q -> q.queue(ORDERS).state(MessageState.IN_FLIGHT)));
        assertThat(inFlight.id()).isEqualTo(first);
        assertThat(inFlight.state()).isEqualTo(MessageState.IN_FLIGHT);
        assertThat(inFlight.attempt()).isEqualTo(1);
        assertThat(inFlight.updatedAt()).isEqualTo(receivedAt);
        assertThat(browseAll(q -> q.queue(ORDERS).state(MessageState.READY))).containsExactly(third, second);
        assertThat(browse(q -> q.queue(ORDERS)).messages()).extracting(MessageSummary::state)
                .containsExactly(MessageState.READY, MessageState.READY, MessageState.IN_FLIGHT);

        postroom.ack(first, received.leaseId(), null);
        assertThat(browse(q -> q.queue(ORDERS).state(MessageState.IN_FLIGHT)).messages()).isEmpty();
        assertThat(only(browse(q -> q.queue(ORDERS).state(MessageState.SUCCEEDED))).id()).isEqualTo(first);
    }

    @Test
    void failedAttemptWaitingForItsRetryIsScheduledWithItsError() {
        createQueue(ORDERS);
        String id = sendId(ORDERS, "flaky");
        ReceivedMessage received = receiveOne(ORDERS);
        Instant failedAt = clock.advance(Duration.ofSeconds(2));
        assertThat(postroom.nack(id, received.leaseId(), "timeout talking to the bank", null, Duration.ofMinutes(1)))
                .isEqualTo(MessageState.SCHEDULED);

        MessageSummary summary = only(browse(q -> q.queue(ORDERS).state(MessageState.SCHEDULED)));
        assertThat(summary.id()).isEqualTo(id);
        assertThat(summary.attempt()).isEqualTo(1);
        assertThat(summary.lastError()).isEqualTo("timeout talking to the bank");
        assertThat(summary.updatedAt()).isEqualTo(failedAt);
        assertThat(browse(q -> q.queue(ORDERS).state(MessageState.IN_FLIGHT)).messages()).isEmpty();
        assertThat(browse(q -> q.queue(ORDERS).state(MessageState.READY)).messages()).isEmpty();
    }

    @Test
    void leasedMessagesAreReadyAgainAfterRestart() {
        Duration lease = Duration.ofSeconds(30);
        createQueue(ORDERS, QueuePolicy.DEFAULT.withLease(lease)
                .withBackoff(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0)));
        String id = sendId(ORDERS, "interrupted");
        receiveOne(ORDERS);
        assertThat(only(browse(q -> q.state(MessageState.IN_FLIGHT))).id()).isEqualTo(id);

        restart();
        // An embedded store releases the lease at once; a shared one when it runs out (see RestartContract).
        clock.advance(lease.plusSeconds(1));
        postroom.runMaintenance();
        clock.advance(Duration.ofSeconds(2));
        postroom.runMaintenance();
        assertThat(browse(q -> q.state(MessageState.IN_FLIGHT)).messages()).isEmpty();
        MessageSummary ready = only(browse(q -> q.queue(ORDERS).state(MessageState.READY)));
        assertThat(ready.id()).isEqualTo(id);
        assertThat(ready.state()).isEqualTo(stateOf(id));
    }

    @Test
    void readyMessagesOfEveryPriorityAreListedNewestFirst() {
        createQueue(ORDERS);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int priority = (i * 7) % 10;
            sent.add(sendWith(ORDERS, "p" + priority, o -> o.priority(priority)));
        }
        // Receiving takes the highest priorities; what is left READY is still listed newest first.
        Set<String> leased = new HashSet<>(ids(receive(ORDERS, 5)));
        List<String> ready = newestFirst(sent.stream().filter(id -> !leased.contains(id)).toList());

        assertThat(browseAll(q -> q.queue(ORDERS).state(MessageState.READY), 4)).containsExactlyElementsOf(ready);
        assertThat(browseAll(q -> q.state(MessageState.READY), 3)).containsExactlyElementsOf(ready);
        assertThat(browseAll(q -> q.queue(ORDERS).state(MessageState.IN_FLIGHT), 2))
                .containsExactlyElementsOf(newestFirst(sent.stream().filter(leased::contains).toList()));
    }

    // ---------------------------------------------------------------- ordering key

    @Test
    void orderingKeyFilterListsTheKeyInEveryState() {
        createQueue(ORDERS);
        createQueue(EMAILS);
        String created = sendWith(ORDERS, "created", o -> o.orderingKey("order-1"));
        String paid = sendWith(ORDERS, "paid", o -> o.orderingKey("order-1"));
        String shipped = sendWith(ORDERS, "shipped", o -> o.orderingKey("order-1"));
        sendWith(ORDERS, "other order", o -> o.orderingKey("order-2"));
        sendId(ORDERS, "no key");
        String receipt = sendWith(EMAILS, "receipt", o -> o.orderingKey("order-1"));
        postroom.ack(created, receiveOne(ORDERS).leaseId(), null);
        assertThat(receiveOne(ORDERS).id()).isEqualTo(paid);

        MessagePage page = browse(q -> q.queue(ORDERS).orderingKey("order-1"));
        assertThat(page.messages()).extracting(MessageSummary::id).containsExactly(shipped, paid, created);
        assertThat(page.messages()).extracting(MessageSummary::state)
                .containsExactly(MessageState.READY, MessageState.IN_FLIGHT, MessageState.SUCCEEDED);
        assertThat(page.messages()).allSatisfy(m -> assertThat(m.orderingKey()).isEqualTo("order-1"));
        assertThat(page.next()).isNull();
        assertThat(browseAll(q -> q.orderingKey("order-1"))).containsExactly(receipt, shipped, paid, created);
        assertThat(browseAll(q -> q.queue(ORDERS).orderingKey("order-1").state(MessageState.SUCCEEDED))).containsExactly(created);
        assertThat(browseAll(q -> q.queue(ORDERS).orderingKey("order-1").state(MessageState.READY))).containsExactly(shipped);
        assertThat(browseAll(q -> q.queue(ORDERS).orderingKey("order-1").state(MessageState.IN_FLIGHT))).containsExactly(paid);
        assertThat(browseAll(q -> q.orderingKey("order-1").state(MessageState.READY))).containsExactly(receipt, shipped);
        assertThat(browse(q -> q.queue(ORDERS).orderingKey("order-9")).messages()).isEmpty();
    }

    // ---------------------------------------------------------------- text

    @Test
    void textSearchMatchesThePayload() {
        createQueue(ORDERS);
        String match = sendId(ORDERS, new RawJson("{\"customer\":\"ada@example.com\",\"total\":1999}"));
        sendId(ORDERS, new RawJson("{\"customer\":\"bob@example.com\",\"total\":500}"));
        assertThat(browseAll(q -> q.text("ada@example"))).containsExactly(match);
        assertThat(browseAll(q -> q.text("\"total\":1999"))).containsExactly(match);
        assertThat(browseAll(q -> q.text("carol"))).isEmpty();
    }

    @Test
    void textSearchMatchesHeaderNamesAndValues() {
        createQueue(ORDERS);
        String traced = sendWith(ORDERS, "a", o -> o.header("traceId", "4bf92f3577b34da6"));
        String tenant = sendWith(ORDERS, "b", o -> o.header("tenant", "acme-corp"));
        sendId(ORDERS, "c");
        assertThat(browseAll(q -> q.text("4bf92f35"))).containsExactly(traced);
        assertThat(browseAll(q -> q.text("acme"))).containsExactly(tenant);
        assertThat(browseAll(q -> q.text("traceId"))).containsExactly(traced);
    }

    @Test
    void textSearchIgnoresTheCaseOfAsciiLetters() {
        createQueue(ORDERS);
        String id = sendId(ORDERS, "Refund ORDER-42");
        assertThat(browseAll(q -> q.text("order-42"))).containsExactly(id);
        assertThat(browseAll(q -> q.text("REFUND"))).containsExactly(id);
    }

    @Test
    void textSearchTakesWildcardsLiterally() {
        createQueue(ORDERS);
        String percent = sendId(ORDERS, "50% off");
        sendId(ORDERS, "500 off");
        String underscore = sendId(ORDERS, "snake_case");
        sendId(ORDERS, "snakeXcase");
        String backslash = sendId(ORDERS, new RawJson("\"C:\\\\temp\""));
        assertThat(browseAll(q -> q.text("50%"))).containsExactly(percent);
        assertThat(browseAll(q -> q.text("e_c"))).containsExactly(underscore);
        assertThat(browseAll(q -> q.text("%"))).containsExactly(percent);
        assertThat(browseAll(q -> q.text(":\\\\t"))).containsExactly(backslash);
    }

    // ---------------------------------------------------------------- time

    @Test
    void sinceIsInclusiveAndUntilExclusiveOnEnqueueTime() {
        createQueue(ORDERS);
        List<String> sent = new ArrayList<>();
        List<Instant> at = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            at.add(clock.instant());
            sent.add(sendId(ORDERS, i));
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(browseAll(q -> q.since(at.get(1)).until(at.get(3)))).containsExactly(sent.get(2), sent.get(1));
        assertThat(browseAll(q -> q.since(at.get(3)))).containsExactly(sent.get(4), sent.get(3));
        assertThat(browseAll(q -> q.until(at.get(1)))).containsExactly(sent.get(0));
        assertThat(browseAll(q -> q.since(at.get(1).plusMillis(1)).until(at.get(2).plusMillis(1)))).containsExactly(sent.get(2));
        assertThat(browseAll(q -> q.since(at.get(4).plusSeconds(1)))).isEmpty();
        assertThat(browse(q -> q.since(at.get(2))).messages())
                .allSatisfy(m -> assertThat(m.enqueuedAt()).isAfterOrEqualTo(at.get(2)));
    }

    // ---------------------------------------------------------------- combined

    @Test
    void filtersCombine() {
        createQueue(ORDERS);
        createQueue(EMAILS);
        Instant start = clock.instant();
        String old = sendWith(ORDERS, "refund 1", o -> o.orderingKey("customer-7"));
        Instant since = clock.advance(Duration.ofMinutes(1));
        String match = sendWith(ORDERS, "refund 2", o -> o.orderingKey("customer-7"));
        sendWith(ORDERS, "charge 3", o -> o.orderingKey("customer-7"));
        sendWith(ORDERS, "refund 4", o -> o.orderingKey("customer-8"));
        sendWith(EMAILS, "refund 5", o -> o.orderingKey("customer-7"));
        String later = sendWith(ORDERS, "refund 6", o -> o.orderingKey("customer-7"));

        assertThat(browseAll(q -> q.queue(ORDERS).orderingKey("customer-7").text("refund").since(since)))
                .containsExactly(later, match);
        assertThat(browseAll(q -> q.queue(ORDERS).orderingKey("customer-7").text("refund").since(start)))
                .containsExactly(later, match, old);
        assertThat(browseAll(q -> q.queue(ORDERS).orderingKey("customer-7").text("refund").state(MessageState.READY)))
                .containsExactly(later, match, old);
        // Only the oldest of a key is deliverable: receiving it leaves the others READY.
        assertThat(receiveOne(ORDERS).id()).isEqualTo(old);
        assertThat(browseAll(q -> q.queue(ORDERS).orderingKey("customer-7").text("refund").state(MessageState.READY)))
                .containsExactly(later, match);
        assertThat(browseAll(q -> q.orderingKey("customer-7").text("refund").state(MessageState.IN_FLIGHT)))
                .containsExactly(old);
        assertThat(browseAll(q -> q.queue(EMAILS).text("refund").until(since))).isEmpty();
    }

    // ---------------------------------------------------------------- paging

    @Test
    void pagingVisitsEachMessageExactlyOnceNewestFirst() {
        createQueue(ORDERS);
        createQueue(EMAILS);
        List<String> sent = new ArrayList<>();
        List<String> orders = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            String queue = i % 3 == 0 ? EMAILS : ORDERS;
            String id = sendId(queue, "message " + i);
            sent.add(id);
            if (queue.equals(ORDERS)) {
                orders.add(id);
            }
        }
        for (int limit : new int[]{1, 2, 5, 22, 23, 24}) {
            assertThat(browseAll(q -> q, limit)).as("limit %d", limit).containsExactlyElementsOf(newestFirst(sent));
            assertThat(browseAll(q -> q.queue(ORDERS), limit)).as("limit %d", limit).containsExactlyElementsOf(newestFirst(orders));
        }
    }

    @Test
    void pageOfExactlyTheRemainingMessagesHasNoNext() {
        createQueue(ORDERS);
        for (int i = 0; i < 6; i++) {
            sendId(ORDERS, i);
        }
        MessagePage first = browse(q -> q.limit(3));
        assertThat(first.messages()).hasSize(3);
        assertThat(first.next()).isNotNull();
        MessagePage second = postroom.browse(MessageQuery.builder().limit(3).after(first.next()).build());
        assertThat(second.messages()).hasSize(3);
        assertThat(second.next()).isNull();
    }

    @Test
    void messagesSentWhilePagingDoNotShiftPages() {
        createQueue(ORDERS);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(sendId(ORDERS, i));
        }
        MessageQuery query = MessageQuery.builder().queue(ORDERS).limit(2).build();
        MessagePage page = postroom.browse(query);
        List<String> seen = new ArrayList<>(page.messages().stream().map(MessageSummary::id).toList());
        while (page.next() != null) {
            sendId(ORDERS, "sent while paging");
            page = postroom.browse(query.withAfter(page.next()));
            page.messages().forEach(m -> seen.add(m.id()));
        }
        assertThat(seen).containsExactlyElementsOf(newestFirst(sent));
    }

    @Test
    void cursorStillWorksWhenItsMessageIsDeleted() {
        createQueue(ORDERS);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(sendId(ORDERS, i));
        }
        MessagePage first = browse(q -> q.limit(2));
        assertThat(first.messages()).extracting(MessageSummary::id).containsExactly(sent.get(4), sent.get(3));
        assertThat(postroom.delete(sent.get(3))).isTrue();
        assertThat(postroom.delete(sent.get(2))).isTrue();

        MessagePage second = postroom.browse(MessageQuery.builder().limit(2).after(first.next()).build());
        assertThat(second.messages()).extracting(MessageSummary::id).containsExactly(sent.get(1), sent.get(0));
        assertThat(second.next()).isNull();
    }

    // ---------------------------------------------------------------- the summary

    @Test
    void summaryCarriesWhatATableRowNeeds() {
        createQueue(ORDERS, QueuePolicy.DEFAULT.withMaxAttempts(3));
        Instant sentAt = clock.instant();
        String longText = "x".repeat(1000);
        String id = sendWith(ORDERS, longText, o -> o.priority(7).orderingKey("order-42").header("tenant", "acme"));
        ReceivedMessage received = receiveOne(ORDERS);
        Instant failedAt = clock.advance(Duration.ofSeconds(3));
        postroom.nack(id, received.leaseId(), "card declined", "detail is not in the summary", Duration.ZERO);

        MessageSummary summary = only(browse(q -> q.queue(ORDERS)));
        assertThat(summary.id()).isEqualTo(id);
        assertThat(summary.queue()).isEqualTo(ORDERS);
        assertThat(summary.state()).isEqualTo(MessageState.READY);
        assertThat(summary.priority()).isEqualTo(7);
        assertThat(summary.orderingKey()).isEqualTo("order-42");
        assertThat(summary.attempt()).isEqualTo(1);
        assertThat(summary.maxAttempts()).isEqualTo(3);
        assertThat(summary.enqueuedAt()).isEqualTo(sentAt);
        assertThat(summary.updatedAt()).isEqualTo(failedAt);
        assertThat(summary.payloadPreview()).hasSize(MessageSummary.PREVIEW_CHARS);
        assertThat(message(id).payloadJson()).startsWith(summary.payloadPreview());
        assertThat(summary.lastError()).isEqualTo("card declined");
    }

    @Test
    void shortPayloadIsPreviewedWholeAndUntriedMessageHasNoError() {
        createQueue(ORDERS);
        String id = sendId(ORDERS, new RawJson("{\"a\":1}"));
        MessageSummary summary = only(browse(q -> q));
        assertThat(summary.id()).isEqualTo(id);
        assertThat(summary.payloadPreview()).isEqualTo(message(id).payloadJson());
        assertSameJson(summary.payloadPreview(), new RawJson("{\"a\":1}"));
        assertThat(summary.lastError()).isNull();
        assertThat(summary.attempt()).isZero();
        assertThat(summary.orderingKey()).isNull();
        assertThat(summary.updatedAt()).isEqualTo(summary.enqueuedAt());
    }

    @Test
    void lastErrorIsTheLatestOfSeveral() {
        createQueue(ORDERS, QueuePolicy.DEFAULT.withMaxAttempts(2));
        String id = sendId(ORDERS, "fails twice");
        postroom.nack(id, receiveOne(ORDERS).leaseId(), "first failure", null, Duration.ZERO);
        postroom.nack(id, receiveOne(ORDERS).leaseId(), "second failure", null, Duration.ZERO);
        MessageSummary summary = only(browse(q -> q.state(MessageState.DEAD)));
        assertThat(summary.lastError()).isEqualTo("second failure");
        assertThat(summary.attempt()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- inputs

    @Test
    void invalidQueriesAreRejectedNamingTheField() {
        createQueue(ORDERS);
        assertRejected("limit", q -> q.limit(0));
        assertRejected("limit", q -> q.limit(-1));
        assertRejected("limit", q -> q.limit(MessageQuery.MAX_LIMIT + 1));
        assertRejected("queue", q -> q.queue("no spaces allowed"));
        assertRejected("queue", q -> q.queue(""));
        assertRejected("orderingKey", q -> q.orderingKey(""));
        assertRejected("orderingKey", q -> q.orderingKey("k".repeat(257)));
        assertRejected("text", q -> q.text(""));
        assertRejected("text", q -> q.text("t".repeat(MessageQuery.MAX_TEXT_CHARS + 1)));
        assertRejected("until", q -> q.since(START).until(START));
        assertRejected("until", q -> q.since(START).until(START.minusSeconds(1)));
        assertRejected("after", q -> q.after("not a cursor"));
        assertRejected("after", q -> q.after(""));
        assertRejected("after", q -> q.after(unknownId()));
        assertThatThrownBy(() -> MessageQuery.parseState("LOST"))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("state"));
        assertThat(MessageQuery.parseState("dead")).isEqualTo(MessageState.DEAD);
        assertThat(MessageQuery.parseState("IN_FLIGHT")).isEqualTo(MessageState.IN_FLIGHT);
    }

    private void assertRejected(String field, UnaryOperator<MessageQuery.Builder> filters) {
        assertThatThrownBy(() -> browse(filters))
                .as("field %s", field)
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    @Test
    void limitsAtTheBoundariesAreAccepted() {
        createQueue(ORDERS);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sent.add(sendId(ORDERS, i));
        }
        assertThat(browse(q -> q.limit(1)).messages()).extracting(MessageSummary::id).containsExactly(sent.get(2));
        assertThat(browse(q -> q.limit(MessageQuery.MAX_LIMIT)).messages()).hasSize(3);
        assertThat(postroom.browse(MessageQuery.ALL).messages()).hasSize(3);
        assertThat(MessageQuery.ALL.limit()).isEqualTo(MessageQuery.DEFAULT_LIMIT);
        assertThat(browse(q -> q.orderingKey("k".repeat(256))).messages()).isEmpty();
        assertThat(browse(q -> q.text("t".repeat(MessageQuery.MAX_TEXT_CHARS))).messages()).isEmpty();
    }
}
