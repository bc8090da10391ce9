package dev.postroom;

/**
 * How far {@link Postroom#reencrypt} has come.
 *
 * @param examined  messages looked at so far
 * @param rewritten messages whose payload or result was rewritten with the encrypting key
 * @param skipped   messages that changed or went while being rewritten (a later run picks up what is left)
 */
public record Reencryption(long examined, long rewritten, long skipped) {
}
