package dev.postroom.store.sqlite;

import java.nio.file.Path;

/**
 * Options of the embedded store.
 *
 * @param dataDir    directory holding {@code postroom.db} (created if missing)
 * @param durability {@link Durability#FULL} (default) fsyncs every commit; {@link Durability#RELAXED}
 *                   survives a process crash but may lose the last commits on power loss
 * @param maxBatch   most commands in one group commit (default 4096)
 */
public record SqliteOptions(Path dataDir, Durability durability, int maxBatch) {

    /** Defaults for {@code dataDir}: full durability, batches of up to 4096 commands. */
    public static SqliteOptions of(Path dataDir) {
        return new SqliteOptions(dataDir, Durability.FULL, 4096);
    }

    public SqliteOptions withDurability(Durability value) {
        return new SqliteOptions(dataDir, value, maxBatch);
    }

    /** How hard a commit tries to reach the disk. */
    public enum Durability {
        /** {@code synchronous=FULL}: a completed send survives power loss. */
        FULL,
        /** {@code synchronous=NORMAL}: survives a process crash; the last commits may be lost on power loss. */
        RELAXED
    }
}
