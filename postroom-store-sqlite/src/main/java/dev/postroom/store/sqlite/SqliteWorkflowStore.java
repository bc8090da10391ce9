package dev.postroom.store.sqlite;

import dev.postroom.WorkflowStatus;
import dev.postroom.store.MessageIds;
import dev.postroom.store.NewWorkflow;
import dev.postroom.store.StepInputs;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.WorkflowAdvance;
import dev.postroom.store.WorkflowCreated;
import dev.postroom.store.WorkflowPass;
import dev.postroom.store.WorkflowQuery;
import dev.postroom.store.WorkflowStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The embedded store's {@link WorkflowStore}: writes go through the {@link GroupCommitter} like
 * every other write ({@link WorkflowWrites}), reads run on the reader pool ({@link WorkflowReads}).
 */
final class SqliteWorkflowStore implements WorkflowStore {
    private final GroupCommitter committer;
    private final WorkflowWrites writes;
    private final WorkflowReads reads;
    private final DataSource readers;

    SqliteWorkflowStore(GroupCommitter committer, WorkflowWrites writes, WorkflowReads reads, DataSource readers) {
        this.committer = committer;
        this.writes = writes;
        this.reads = reads;
        this.readers = readers;
    }

    @Override
    public CompletableFuture<WorkflowCreated> create(NewWorkflow workflow) {
        return committer.submit(w -> writes.create(w, workflow));
    }

    @Override
    public CompletableFuture<List<WorkflowAdvance>> advance(WorkflowPass pass) {
        return committer.submit(w -> writes.advance(w, pass));
    }

    @Override
    public CompletableFuture<Optional<WorkflowStatus>> cancel(String id, Instant now, String node) {
        return committer.submit(w -> writes.cancel(w, id, now, node));
    }

    @Override
    public CompletableFuture<Integer> forget(Instant before) {
        return committer.submit(w -> writes.forget(before));
    }

    @Override
    public Optional<WorkflowStatus> get(String id) {
        return read(c -> reads.get(c, id));
    }

    @Override
    public List<WorkflowStatus> list(WorkflowQuery query) {
        return read(c -> reads.list(c, query));
    }

    @Override
    public Optional<StepInputs> inputs(String messageId) {
        return MessageIds.isValid(messageId) ? read(c -> reads.inputs(c, MessageIds.sequenceOf(messageId))) : Optional.empty();
    }

    private interface Read<R> {
        R apply(Connection c) throws SQLException;
    }

    private <R> R read(Read<R> read) {
        try (Connection c = readers.getConnection()) {
            return read.apply(c);
        } catch (SQLException e) {
            throw new StoreUnavailableException("read failed: " + e.getMessage(), e);
        }
    }
}
