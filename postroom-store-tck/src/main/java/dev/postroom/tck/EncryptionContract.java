package dev.postroom.tck;

import dev.postroom.BatchOptions;
import dev.postroom.BatchResult;
import dev.postroom.EncryptionKeyException;
import dev.postroom.EncryptionKeys;
import dev.postroom.Futures;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.Reencryption;
import dev.postroom.StartedWorkflow;
import dev.postroom.Workflow;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Encryption at rest ({@link QueuePolicy#encrypted}): what the store holds of an encrypted queue's
 * payloads and results is ciphertext, read straight from the store; every way of reading gives
 * the plain text back; keys rotate without downtime ({@link Postroom#reencrypt}); and a missing or
 * wrong key stops the start with {@link EncryptionKeyException} instead of handing out garbage.
 */
public abstract class EncryptionContract extends ContractSupport {
    private static final String VAULT = "vault";
    private static final String PLAIN = "plain";
    private static final String SECRET = "4111-1111-1111-1111";
    private static final EncryptionKeys OLD = EncryptionKeys.of("old", key(1));
    private static final EncryptionKeys BOTH = EncryptionKeys.parse("new:" + base64(key(2)) + ",old:" + base64(key(1)));
    private static final EncryptionKeys NEW = EncryptionKeys.of("new", key(2));

    @Override
    protected Postroom.Builder configure(Postroom.Builder builder) {
        return builder.encryptionKeys(OLD);
    }

    private static byte[] key(int fill) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) fill);
        return key;
    }

    private static String base64(byte[] key) {
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    private void createQueues() {
        createQueue(VAULT, QueuePolicy.DEFAULT.withEncrypted(true));
        createQueue(PLAIN);
    }

    /** The row as the store keeps it, not through Postroom. */
    private Message stored(String id) {
        return store.get(id).orElseThrow();
    }

    private static void assertSealed(String stored) {
        assertThat(stored).doesNotContain(SECRET).startsWith("{\"postroom.encrypted\":\"1.");
    }

    @Test
    void anEncryptedQueuesPayloadAndResultAreStoredEncryptedAndReadPlain() {
        createQueues();
        String id = sendId(VAULT, Map.of("card", SECRET));

        assertSealed(stored(id).payloadJson());
        assertSameJson(message(id).payloadJson(), Map.of("card", SECRET));
        assertThat(postroom.browse(MessageQuery.builder().queue(VAULT).build()).messages().getFirst().payloadPreview())
                .contains(SECRET);

        ReceivedMessage received = receiveOne(VAULT);
        assertSameJson(received.payloadJson(), Map.of("card", SECRET));
        postroom.ack(id, received.leaseId(), Map.of("receipt", SECRET));

        assertSealed(stored(id).resultJson());
        assertSameJson(message(id).resultJson(), Map.of("receipt", SECRET));
    }

    @Test
    void aPlainQueueIsStoredAsSent() {
        createQueues();
        String id = sendId(PLAIN, Map.of("card", SECRET));

        assertThat(stored(id).payloadJson()).contains(SECRET);
    }

    @Test
    void aHandlerGetsThePlainPayloadAndItsResultIsStoredEncrypted() {
        createQueues();
        postroom.handle(VAULT, Map.class, delivery -> Map.of("seen", delivery.payload().get("card")));

        String id = sendId(VAULT, Map.of("card", SECRET));

        await().atMost(Duration.ofSeconds(30)).until(() -> message(id).state() == MessageState.SUCCEEDED);
        assertSealed(stored(id).resultJson());
        assertSameJson(message(id).resultJson(), Map.of("seen", SECRET));
    }

    @Test
    void aWorkflowStepReadsThePlainResultOfTheStepItFollowed() {
        createQueues();
        StartedWorkflow started = Futures.join(postroom.workflows().start(Workflow.named("charge")
                .step("charge", VAULT, Map.of("card", SECRET))
                .step("notify", PLAIN, Map.of(), Workflow.after("charge"))));
        track(started.workflow().steps().stream().map(s -> s.messageId()).toList());
        ReceivedMessage charge = receiveOne(VAULT);
        postroom.ack(charge.id(), charge.leaseId(), Map.of("card", SECRET));

        postroom.runMaintenance();

        String notify = started.messageId("notify");
        assertThat(receiveOne(PLAIN).id()).isEqualTo(notify);
        assertSameJson(postroom.workflows().context(notify).orElseThrow().resultsJson().get("charge"), Map.of("card", SECRET));
    }

    @Test
    void aBatchCompletionToAnEncryptedQueueIsEncryptedOnce() {
        createQueues();
        BatchResult batch = Futures.join(postroom.batches().send(PLAIN, List.of(OutgoingMessage.of(1)),
                BatchOptions.onComplete(VAULT, Map.of("card", SECRET))));
        track(batch.messageIds());
        receiveAndAck(PLAIN);

        postroom.runMaintenance();

        String completion = postroom.batches().get(batch.batchId()).completionMessageId();
        assertThat(completion).isNotNull();
        track(List.of(completion));
        assertSealed(stored(completion).payloadJson());
        assertSameJson(message(completion).payloadJson(), Map.of("card", SECRET));
    }

    @Test
    void aQueueCannotBeEncryptedWithoutAKey() {
        rebuild(b -> b.encryptionKeys(null));

        assertThatThrownBy(() -> createQueue(VAULT, QueuePolicy.DEFAULT.withEncrypted(true)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("encrypted"));
        assertThat(postroom.queues()).isEmpty();
    }

    @Test
    void startingWithoutTheKeyOfAnEncryptedQueueFails() {
        createQueues();

        assertThatThrownBy(() -> rebuild(b -> b.encryptionKeys(null)))
                .isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("queue 'vault' is encrypted");
    }

    @Test
    void startingWithAWrongKeyUnderTheSameIdFails() {
        createQueues();
        sendId(VAULT, Map.of("card", SECRET));

        assertThatThrownBy(() -> rebuild(b -> b.encryptionKeys(EncryptionKeys.of("old", key(9)))))
                .isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("not the key that encrypted it");
    }

    @Test
    void startingWithoutTheKeyThatEncryptedAMessageFails() {
        createQueues();
        sendId(VAULT, Map.of("card", SECRET));

        assertThatThrownBy(() -> rebuild(b -> b.encryptionKeys(NEW)))
                .isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("key 'old', which is not among the configured keys [new]");
    }

    @Test
    void aNewKeyEncryptsNewMessagesAndReencryptingLetsTheOldKeyGo() {
        createQueues();
        String before = sendId(VAULT, Map.of("card", SECRET));
        ReceivedMessage leased = receiveOne(VAULT);
        postroom.ack(before, leased.leaseId(), Map.of("receipt", SECRET));
        String plainBefore = sendId(PLAIN, Map.of("n", 1));

        rebuild(b -> b.encryptionKeys(BOTH));
        String after = sendId(VAULT, Map.of("card", SECRET));
        assertThat(stored(after).payloadJson()).contains("\"1.new.");
        assertThat(stored(before).payloadJson()).contains("\"1.old.");
        assertSameJson(message(before).payloadJson(), Map.of("card", SECRET));

        List<Reencryption> progress = new ArrayList<>();
        Reencryption done = postroom.reencrypt(progress::add);

        assertThat(done.rewritten()).isEqualTo(1);
        assertThat(done.examined()).isEqualTo(3);
        assertThat(progress).isNotEmpty();
        assertThat(stored(before).payloadJson()).contains("\"1.new.");
        assertThat(stored(before).resultJson()).contains("\"1.new.");
        assertThat(stored(plainBefore).payloadJson()).isEqualTo("{\"n\":1}");

        rebuild(b -> b.encryptionKeys(NEW));
        assertSameJson(message(before).payloadJson(), Map.of("card", SECRET));
        assertSameJson(message(before).resultJson(), Map.of("receipt", SECRET));
        assertSameJson(message(after).payloadJson(), Map.of("card", SECRET));
    }

    @Test
    void reencryptingLeavesFinishedMessagesOfPlainQueuesPlain() {
        createQueues();
        String finished = sendId(PLAIN, Map.of("n", 1));
        ReceivedMessage leased = receiveOne(PLAIN);
        postroom.ack(finished, leased.leaseId(), Map.of("receipt", 2));

        rebuild(b -> b.encryptionKeys(BOTH));
        assertThat(postroom.reencrypt(p -> { }).rewritten()).isZero();

        assertThat(stored(finished).payloadJson()).isEqualTo("{\"n\":1}");
        assertThat(stored(finished).resultJson()).isEqualTo("{\"receipt\":2}");
    }

    @Test
    void archivedMessagesStayEncryptedAndAreReencryptedToo() {
        createQueue(VAULT, QueuePolicy.DEFAULT.withEncrypted(true).withRetention(Duration.ofHours(1)).withArchive(Duration.ofDays(30)));
        String id = sendId(VAULT, Map.of("card", SECRET));
        ReceivedMessage leased = receiveOne(VAULT);
        postroom.ack(id, leased.leaseId(), Map.of("receipt", SECRET));
        clock.advance(Duration.ofHours(2));
        postroom.runMaintenance();
        assertSealed(store.archive().get(id).orElseThrow().payloadJson());
        assertSealed(store.archive().get(id).orElseThrow().resultJson());
        assertSameJson(postroom.archive().get(id).orElseThrow().payloadJson(), Map.of("card", SECRET));

        rebuild(b -> b.encryptionKeys(BOTH));
        assertThat(postroom.reencrypt(p -> { }).rewritten()).isEqualTo(1);

        assertThat(store.archive().get(id).orElseThrow().payloadJson()).contains("\"1.new.");
        assertThat(store.archive().get(id).orElseThrow().resultJson()).contains("\"1.new.");
        rebuild(b -> b.encryptionKeys(NEW));
        assertSameJson(postroom.archive().get(id).orElseThrow().resultJson(), Map.of("receipt", SECRET));
    }

    @Test
    void turningEncryptionOnAndReencryptingEncryptsWhatWasSentBefore() {
        createQueue(VAULT);
        String id = sendId(VAULT, Map.of("card", SECRET));
        assertThat(stored(id).payloadJson()).contains(SECRET);

        createQueue(VAULT, QueuePolicy.DEFAULT.withEncrypted(true));
        assertThat(postroom.reencrypt(p -> { }).rewritten()).isEqualTo(1);

        assertSealed(stored(id).payloadJson());
        assertSameJson(message(id).payloadJson(), Map.of("card", SECRET));
    }

    @Test
    void anErasureByPayloadFieldFindsEncryptedPayloadsToo() throws Exception {
        createQueues();
        String sealed = sendId(VAULT, Map.of("customer", 7, "card", SECRET));
        String plain = sendId(PLAIN, Map.of("customer", 7));
        String other = sendId(VAULT, Map.of("customer", 8, "card", SECRET));

        dev.postroom.ErasurePreview preview = postroom.erasures().preview(dev.postroom.ErasureFilter.payload("/customer", "7"));
        assertThat(preview.count()).isEqualTo(2);
        assertThat(preview.sample()).containsExactlyInAnyOrder(sealed, plain);
        java.util.concurrent.CompletableFuture<dev.postroom.Erasure> ended = new java.util.concurrent.CompletableFuture<>();
        postroom.erasures().start(dev.postroom.ErasureFilter.payload("/customer", "7"), ended::complete);

        assertThat(ended.get(30, java.util.concurrent.TimeUnit.SECONDS).erased()).isEqualTo(2);
        assertThat(postroom.get(sealed)).isEmpty();
        assertThat(postroom.get(plain)).isEmpty();
        assertThat(postroom.get(other)).isPresent();
    }

    @Test
    void aPayloadOrResultThatLooksEncryptedIsRefused() {
        createQueues();
        String forged = "{\"postroom.encrypted\":\"1.old.AAAA\"}";

        assertThatThrownBy(() -> send(PLAIN, new dev.postroom.RawJson(forged)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("payload"));
        String id = sendId(VAULT, Map.of("card", SECRET));
        ReceivedMessage leased = receiveOne(VAULT);
        assertThatThrownBy(() -> postroom.ack(id, leased.leaseId(), new dev.postroom.RawJson(forged)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("result"));
        assertThat(message(id).state()).isEqualTo(MessageState.IN_FLIGHT);
    }

    @Test
    void aMessageThatCannotBeDecryptedFailsItsOwnAttemptAndNoOther() {
        createQueue(VAULT, QueuePolicy.DEFAULT.withEncrypted(true).withMaxAttempts(3));
        String sealed = sendId(VAULT, Map.of("card", SECRET));
        createQueue(VAULT, QueuePolicy.DEFAULT.withMaxAttempts(3));
        List<String> plain = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            plain.add(sendId(VAULT, Map.of("n", i))); // the newest the start checks are plain: the start goes on
        }

        rebuild(b -> b.encryptionKeys(NEW));
        List<ReceivedMessage> received = receive(VAULT, 30);

        assertThat(ids(received)).containsExactlyInAnyOrderElementsOf(plain);
        Message failed = stored(sealed);
        assertThatThrownBy(() -> postroom.get(sealed)).as("read through Postroom: a clear error, not ciphertext")
                .isInstanceOf(EncryptionKeyException.class);
        assertThat(failed.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(failed.errors().getLast().message()).contains("payload cannot be decrypted", "key 'old'");
    }

    @Test
    void aReplaysTextFilterSearchesEncryptedPayloadsOpened() throws Exception {
        createQueues();
        for (String order : List.of("o-1", "o-2")) {
            String id = sendId(VAULT, Map.of("order", order, "card", SECRET));
            postroom.ack(id, receiveOne(VAULT).leaseId(), null);
        }

        dev.postroom.ReplayPreview preview = postroom.replays().preview(dev.postroom.ReplayFilter.of(VAULT).withText("O-1"));

        assertThat(preview.count()).isEqualTo(1);
        assertSameJson(message(preview.sample().getFirst()).payloadJson(), Map.of("order", "o-1", "card", SECRET));
    }

    @Test
    void keysAreParsedWithClearErrors() {
        assertThatThrownBy(() -> EncryptionKeys.parse("c2hvcnQ=")).isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("must be 32 bytes");
        assertThatThrownBy(() -> EncryptionKeys.parse("not base64!")).isInstanceOf(EncryptionKeyException.class)
                .hasMessageContaining("is not base64");
        assertThatThrownBy(() -> EncryptionKeys.parse("a:" + base64(key(1)) + ",a:" + base64(key(2))))
                .isInstanceOf(EncryptionKeyException.class).hasMessageContaining("given twice");
        assertThat(EncryptionKeys.parse(base64(key(1))).primaryId()).matches("[0-9a-f]{8}");
        assertThat(BOTH.ids()).containsExactly("new", "old");
        assertThat(BOTH.toString()).doesNotContain(base64(key(1)));
    }
}
