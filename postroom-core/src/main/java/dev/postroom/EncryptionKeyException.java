package dev.postroom;

/**
 * An encryption key is missing, malformed or not the one that encrypted a stored payload. Raised
 * at start (a queue is encrypted and no key is given, or a stored message cannot be opened with
 * the keys given) and on a read that cannot be decrypted, never as garbage data.
 */
public class EncryptionKeyException extends PostroomException {
    public EncryptionKeyException(String message) {
        super(message);
    }

    public EncryptionKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
