package dev.postroom.tck;

import dev.postroom.Erasure;
import dev.postroom.ErasureFilter;
import dev.postroom.ErasurePreview;
import dev.postroom.InvalidMessageException;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Erasure ({@link dev.postroom.Erasures}): "forget customer 7" removes every message that matches —
 * in any queue and state, ready, in flight, succeeded or dead — by ordering key, header or payload
 * field, after a preview that counts them and changes nothing; everyone else's messages stay.
 */
public abstract class ErasureContract extends ContractSupport {
    private static final String ORDERS = "orders";
    private static final String EMAILS = "emails";

    private SendOptions customer(int id) {
        return SendOptions.builder().orderingKey("customer-" + id).header("tenant", "acme-" + id).build();
    }

    /** Messages of customers 7 and 8 in every state; returns customer 7's ids. */
    private List<String> messagesInEveryState() {
        createQueue(ORDERS, QueuePolicy.DEFAULT.withMaxAttempts(1));
        createQueue(EMAILS);
        List<String> seven = new ArrayList<>();
        for (int customer : new int[]{7, 8}) {
            String done = send(ORDERS, new RawJson("{\"customer\":{\"id\":" + customer + "},\"step\":\"done\"}"), customer(customer)).id();
            ReceivedMessage received = receiveOne(ORDERS);
            postroom.ack(received.id(), received.leaseId(), null);
            String dead = send(ORDERS, new RawJson("{\"customer\":{\"id\":\"" + customer + "\"},\"step\":\"dead\"}"), customer(customer)).id();
            receiveAndNack(ORDERS, dead);
            String held = send(EMAILS, new RawJson("{\"customer\":{\"id\":" + customer + "},\"step\":\"held\"}"), customer(customer)).id();
            receiveOne(EMAILS);
            String ready = send(EMAILS, new RawJson("{\"customer\":{\"id\":" + customer + "},\"step\":\"ready\"}"), customer(customer)).id();
            if (customer == 7) {
                seven.addAll(List.of(done, dead, held, ready));
                assertThat(List.of(stateOf(done), stateOf(dead), stateOf(held), stateOf(ready)))
                        .containsExactly(MessageState.SUCCEEDED, MessageState.DEAD, MessageState.IN_FLIGHT, MessageState.READY);
            }
        }
        return seven;
    }

    private Erasure erase(ErasureFilter filter) {
        CompletableFuture<Erasure> ended = new CompletableFuture<>();
        postroom.erasures().start(filter, ended::complete);
        return ended.orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    private void assertOnlyCustomer8Remains(List<String> seven) {
        for (String id : seven) {
            assertThat(postroom.get(id)).as("customer 7's message %s", id).isEmpty();
        }
        assertThat(postroom.erasures().preview(ErasureFilter.orderingKey("customer-8")).count()).isEqualTo(4);
        assertThat(counts(ORDERS).succeeded() + counts(ORDERS).dead() + counts(EMAILS).inFlight() + counts(EMAILS).ready()).isEqualTo(4);
    }

    @Test
    void aPreviewCountsEveryMatchInEveryQueueAndStateAndChangesNothing() {
        List<String> seven = messagesInEveryState();

        ErasurePreview preview = postroom.erasures().preview(ErasureFilter.orderingKey("customer-7"));

        assertThat(preview.count()).isEqualTo(4);
        assertThat(preview.sample()).containsExactlyElementsOf(seven);
        assertThat(seven).allSatisfy(id -> assertThat(postroom.get(id)).isPresent());
    }

    @Test
    void anErasureByOrderingKeyRemovesEveryMatchAndNothingElse() {
        List<String> seven = messagesInEveryState();

        Erasure erasure = erase(ErasureFilter.orderingKey("customer-7"));

        assertThat(erasure.state()).isEqualTo(Erasure.State.SUCCEEDED);
        assertThat(erasure.matched()).isEqualTo(4);
        assertThat(erasure.erased()).isEqualTo(4);
        assertThat(erasure.endedAt()).isNotNull();
        // Told of its end before it shows as ended (so that an audit of the end comes first).
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> postroom.erasures().get(erasure.id()).map(e -> e.state() != Erasure.State.RUNNING).orElse(false));
        assertThat(postroom.erasures().get(erasure.id())).contains(erasure);
        assertOnlyCustomer8Remains(seven);
    }

    @Test
    void anErasureByHeaderRemovesEveryMatch() {
        List<String> seven = messagesInEveryState();

        assertThat(erase(ErasureFilter.header("tenant", "acme-7")).erased()).isEqualTo(4);

        assertOnlyCustomer8Remains(seven);
    }

    @Test
    void anErasureByPayloadFieldMatchesNumbersAndStringsAlike() {
        List<String> seven = messagesInEveryState();
        assertThat(postroom.erasures().preview(ErasureFilter.payload("/customer/id", "7")).count()).isEqualTo(4);

        assertThat(erase(ErasureFilter.payload("/customer/id", "7")).erased()).isEqualTo(4);

        assertOnlyCustomer8Remains(seven);
    }

    @Test
    void conditionsAreAllApplied() {
        List<String> seven = messagesInEveryState();

        ErasurePreview both = postroom.erasures().preview(new ErasureFilter("customer-7", Map.of("tenant", "acme-8"), null, null));

        assertThat(both.count()).isZero();
        assertThat(postroom.erasures().preview(new ErasureFilter("customer-7", Map.of(), "/step", "dead")).sample())
                .containsExactly(seven.get(1));
    }

    @Test
    void aFilterWithoutConditionsOrWithABadOneIsRefused() {
        createQueue(ORDERS);
        assertThatThrownBy(() -> postroom.erasures().preview(new ErasureFilter(null, Map.of(), null, null)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("filter"));
        assertThatThrownBy(() -> postroom.erasures().start(ErasureFilter.payload("customer", "7"), null))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("filter.payload.pointer"));
        assertThatThrownBy(() -> postroom.erasures().preview(ErasureFilter.payload("/customer", null)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("filter.payload.value"));
        assertThat(postroom.erasures().list()).isEmpty();
    }
}
