package dev.postroom;

import dev.postroom.engine.EngineContext;
import dev.postroom.engine.QueryValidator;
import dev.postroom.store.ArchiveStore;
import dev.postroom.store.MessageIds;

import java.util.Optional;

/**
 * The archive: finished messages of queues whose policy keeps one ({@link QueuePolicy#archive}),
 * moved out of the live messages when their retention ends and kept, compact, for the archive
 * time: payload, headers, result and last error, but no timeline. Browsed with the filters of
 * {@link Postroom#browse}; {@link Replays} sends them again.
 */
public final class Archive {
    private final EngineContext engine;

    Archive(EngineContext engine) {
        this.engine = engine;
    }

    /**
     * One page of archived messages matching {@code query}, newest first, as {@link Postroom#browse}
     * pages live ones. Deleting a queue deletes its archive.
     *
     * @throws InvalidMessageException for a bad filter, naming it
     */
    public MessagePage browse(MessageQuery query) {
        engine.requireOpen();
        QueryValidator.validate(query, engine.limits());
        ArchiveStore archive = engine.store().archive();
        return engine.sealing().open(archive.browse(query), archive::get);
    }

    /** The archived message, if there is one with this id. */
    public Optional<Message> get(String id) {
        engine.requireOpen();
        if (!MessageIds.isValid(id)) {
            return Optional.empty();
        }
        return engine.store().archive().get(id).map(engine.sealing()::open);
    }
}
