package dev.postroom.engine;

import dev.postroom.EncryptionKeyException;
import dev.postroom.EncryptionKeys;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageSummary;
import dev.postroom.QueuePolicy;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.StepInputs;
import dev.postroom.store.WorkflowStore;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Encrypts the payloads and results of encrypted queues before they reach the store, and opens
 * them on the way out. A sealed text is itself a JSON object, {@code {"postroom.encrypted":"1.<key
 * id>.<base64url of nonce and AES-GCM ciphertext>"}}, so that a store's JSON functions (erasure
 * filters, workflow results) still read it as JSON and simply find nothing in it.
 *
 * <p>Opening is decided by the text, not the queue's current policy: messages sealed before a
 * queue stopped being encrypted stay readable, and plain ones sent before it started stay plain.
 */
public final class Sealing {
    static final String PREFIX = "{\"postroom.encrypted\":\"";
    private static final String VERSION = "1";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final EncryptionKeys keys;
    private final SecureRandom random = new SecureRandom();

    /** @param keys the keys, or null when none are configured (sealed data then cannot be read) */
    public Sealing(EncryptionKeys keys) {
        this.keys = keys;
    }

    public boolean hasKeys() {
        return keys != null;
    }

    public Optional<EncryptionKeys> keys() {
        return Optional.ofNullable(keys);
    }

    /** Whether {@code text} is a sealed payload or result. */
    public static boolean isSealed(String text) {
        return text != null && text.startsWith(PREFIX);
    }

    /** The id of the key that sealed {@code text}, which must be {@linkplain #isSealed sealed}. */
    public static String keyId(String text) {
        int start = PREFIX.length() + VERSION.length() + 1;
        int end = text.indexOf('.', start);
        return end < 0 ? "" : text.substring(start, end);
    }

    /** {@code json} sealed if {@code policy} says so. */
    public String seal(QueuePolicy policy, String json) {
        return policy.encrypted() ? seal(json) : json;
    }

    /**
     * Refuses a payload or result that a client sent looking like a sealed value: taken as is it
     * would be stored unencrypted on an encrypted queue, and opened for whoever reads it back.
     *
     * @throws dev.postroom.InvalidMessageException naming {@code field}
     */
    public static void refuseReserved(String field, String json) {
        if (isSealed(json)) {
            throw new dev.postroom.InvalidMessageException(field, "must not start with " + PREFIX.substring(0, PREFIX.length() - 1)
                    + ": that key is reserved for encrypted values");
        }
    }

    /** {@code json} sealed with the encrypting key; null stays null. */
    public String seal(String json) {
        if (json == null) {
            return null;
        }
        if (keys == null) {
            throw new EncryptionKeyException("this queue is encrypted but no encryption key is configured");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, keys.primary(), keys.primaryId(), nonce, json.getBytes(StandardCharsets.UTF_8));
        byte[] joined = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
        return PREFIX + VERSION + "." + keys.primaryId() + "." + ENCODER.encodeToString(joined) + "\"}";
    }

    /** The plain text of {@code text} if it is sealed, else {@code text} itself. */
    public String open(String text) {
        if (!isSealed(text)) {
            return text;
        }
        String id = keyId(text);
        if (keys == null) {
            throw new EncryptionKeyException("a stored message is encrypted with key '" + id + "' but no encryption key is configured");
        }
        SecretKey key = keys.key(id).orElseThrow(() -> new EncryptionKeyException(
                "a stored message is encrypted with key '" + id + "', which is not among the configured keys " + keys.ids()));
        int start = PREFIX.length() + VERSION.length() + 1 + id.length() + 1;
        int end = text.length() - 2;
        byte[] joined;
        try {
            joined = DECODER.decode(text.substring(start, Math.max(start, end)));
        } catch (IllegalArgumentException e) {
            throw new EncryptionKeyException("a stored encrypted message is damaged: " + e.getMessage(), e);
        }
        if (joined.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new EncryptionKeyException("a stored encrypted message is damaged: too short");
        }
        byte[] nonce = java.util.Arrays.copyOf(joined, NONCE_BYTES);
        byte[] body = java.util.Arrays.copyOfRange(joined, NONCE_BYTES, joined.length);
        return new String(crypt(Cipher.DECRYPT_MODE, key, id, nonce, body), StandardCharsets.UTF_8);
    }

    public Message open(Message m) {
        if (!isSealed(m.payloadJson()) && !isSealed(m.resultJson())) {
            return m;
        }
        return new Message(m.id(), m.queue(), m.state(), open(m.payloadJson()), m.headers(), m.priority(), m.orderingKey(),
                m.idempotencyKey(), m.attempt(), m.maxAttempts(), m.enqueuedAt(), m.notBefore(), m.expiresAt(), m.leaseExpiresAt(),
                open(m.resultJson()), m.progress(), m.errors(), m.timeline(), m.batchId(), m.snoozes());
    }

    public ClaimedMessage open(ClaimedMessage m) {
        if (!isSealed(m.payloadJson())) {
            return m;
        }
        return new ClaimedMessage(m.id(), m.queue(), open(m.payloadJson()), m.headers(), m.priority(), m.orderingKey(),
                m.attempt(), m.maxAttempts(), m.leaseId(), m.leaseExpiresAt(), m.enqueuedAt());
    }


    /**
     * Summaries whose preview is sealed, with the preview of the opened payload instead: a
     * preview is cut from the stored text, so it is read whole through {@code get}.
     */
    public List<MessageSummary> openPreviews(List<MessageSummary> summaries, Function<String, Optional<Message>> get) {
        if (summaries.stream().noneMatch(s -> isSealed(s.payloadPreview()))) {
            return summaries;
        }
        List<MessageSummary> opened = new ArrayList<>(summaries.size());
        for (MessageSummary s : summaries) {
            if (isSealed(s.payloadPreview())) {
                String payload;
                try {
                    payload = get.apply(s.id()).map(m -> open(m.payloadJson())).orElse("");
                } catch (EncryptionKeyException e) {
                    // A list stays readable; the message's own page says why it cannot be opened.
                    payload = "(encrypted with key '" + keyId(s.payloadPreview()) + "', which cannot open it here)";
                }
                String preview = payload.length() > MessageSummary.PREVIEW_CHARS ? payload.substring(0, MessageSummary.PREVIEW_CHARS) : payload;
                opened.add(new MessageSummary(s.id(), s.queue(), s.state(), s.priority(), s.orderingKey(), s.attempt(), s.maxAttempts(),
                        s.enqueuedAt(), s.updatedAt(), preview, s.lastError(), s.batchId()));
            } else {
                opened.add(s);
            }
        }
        return opened;
    }

    public MessagePage open(MessagePage page, Function<String, Optional<Message>> get) {
        List<MessageSummary> opened = openPreviews(page.messages(), get);
        return opened == page.messages() ? page : new MessagePage(opened, page.next());
    }

    /** The workflow inputs of a step message, each result opened. */
    public Optional<StepInputs> inputs(WorkflowStore store, String messageId) {
        return store.inputs(messageId).map(in -> {
            Map<String, String> opened = new LinkedHashMap<>();
            in.resultsJson().forEach((step, result) -> opened.put(step, open(result)));
            return new StepInputs(in.workflowId(), in.step(), opened);
        });
    }

    private static byte[] crypt(int mode, SecretKey key, String keyId, byte[] nonce, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            // The key id is authenticated with the data: a ciphertext relabelled to another key fails.
            cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (AEADBadTagException e) {
            throw new EncryptionKeyException("a stored message encrypted with key '" + keyId
                    + "' does not open with the configured key of that id: it is not the key that encrypted it", e);
        } catch (GeneralSecurityException e) {
            throw new EncryptionKeyException("AES-GCM failed: " + e.getMessage(), e);
        }
    }
}
