package dev.postroom.store;

import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A store's archive: finished messages moved out of the live table when their retention ended
 * ({@link MessageStore#archiveFinished}), kept compact (no timeline, only the last error) until
 * their queue's archive time ends.
 */
public interface ArchiveStore {
    /** A page of archived messages, newest first, with the filters of {@link MessageStore#browse} ({@code IN_FLIGHT} matches none). */
    MessagePage browse(MessageQuery query);

    /**
     * An archived message: payload, headers, result and the last error, if any; its timeline holds
     * the final state only, at the time it finished.
     */
    Optional<Message> get(String id);

    /** As {@link MessageStore#rewriteBodies}, for an archived message: its payload and result replaced if still as read. */
    CompletableFuture<Boolean> rewriteBodies(BodyRewrite rewrite);

    /** Deletes the archived messages of {@code queue} archived before {@code before}; how many. */
    CompletableFuture<Integer> purge(String queue, Instant before);
}
