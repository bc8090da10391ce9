package dev.postroom;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The AES-256 keys that encrypt the payloads and results of {@linkplain QueuePolicy#encrypted
 * encrypted queues}, by key id. The first key encrypts new data; every key decrypts what it
 * encrypted, which is how a key is rotated without downtime: put the new key first, keep the old
 * one until {@link Postroom#reencrypt()} has rewritten what it encrypted.
 *
 * <p>Keys are never stored with the data: only their id is, next to each ciphertext.
 */
public final class EncryptionKeys {
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private final Map<String, SecretKey> keys;
    private final String primary;

    private EncryptionKeys(Map<String, SecretKey> keys) {
        this.keys = keys;
        this.primary = keys.keySet().iterator().next();
    }

    /**
     * Keys from their text form: the base64 of 32 random bytes, or {@code keyId:base64} entries
     * separated by commas, the first one encrypting. A key given without an id is known by the
     * first 8 hex digits of its SHA-256, so it can later be listed after a new key unchanged.
     *
     * @throws EncryptionKeyException naming the entry that is not a 32-byte base64 key or has a bad id
     */
    public static EncryptionKeys parse(String text) {
        if (text == null || text.isBlank()) {
            throw new EncryptionKeyException("no encryption key given: expected the base64 of 32 random bytes, "
                    + "or keyId:base64 entries separated by commas");
        }
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        String[] entries = text.strip().split(",");
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            int colon = entry.indexOf(':');
            byte[] bytes = decode(i, colon < 0 ? entry : entry.substring(colon + 1));
            String id = colon < 0 ? derivedId(bytes) : entry.substring(0, colon).strip();
            if (!KEY_ID.matcher(id).matches()) {
                // The id is not echoed: a key written before its id would land in the log.
                throw new EncryptionKeyException("encryption key " + (i + 1) + ": its id must be 1–32 letters, digits, '-' or '_' "
                        + "(the entry is keyId:base64), was " + id.length() + " characters");
            }
            if (keys.putIfAbsent(id, new SecretKeySpec(bytes, "AES")) != null) {
                throw new EncryptionKeyException("encryption key " + (i + 1) + ": its id is given twice");
            }
        }
        return new EncryptionKeys(keys);
    }

    /** A single key, known by {@code id}. */
    public static EncryptionKeys of(String id, byte[] key) {
        return parse(id + ":" + Base64.getEncoder().encodeToString(key));
    }

    /** The id of the key that encrypts new data. */
    public String primaryId() {
        return primary;
    }

    /** The key that encrypts new data. */
    public SecretKey primary() {
        return keys.get(primary);
    }

    /** The key with this id, if given. */
    public Optional<SecretKey> key(String id) {
        return Optional.ofNullable(keys.get(id));
    }

    /** Every key id, the encrypting one first. */
    public List<String> ids() {
        return new ArrayList<>(keys.keySet());
    }

    /** The key ids only: never the keys. */
    @Override
    public String toString() {
        return "EncryptionKeys" + ids();
    }

    private static byte[] decode(int index, String base64) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new EncryptionKeyException("encryption key " + (index + 1) + " is not base64");
        }
        if (bytes.length != 32) {
            throw new EncryptionKeyException("encryption key " + (index + 1) + " must be 32 bytes (AES-256), was " + bytes.length
                    + "; make one with: openssl rand -base64 32");
        }
        return bytes;
    }

    private static String derivedId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
