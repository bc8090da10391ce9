package dev.postroom.store.postgres;

import dev.postroom.IllegalTransitionException;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.WorkflowStepState;
import dev.postroom.store.MessageAction;
import dev.postroom.store.NewStep;
import dev.postroom.store.NewWorkflow;
import dev.postroom.store.StepInputs;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.Transition;
import dev.postroom.store.WorkflowAdvance;
import dev.postroom.store.WorkflowCreated;
import dev.postroom.store.WorkflowPass;
import dev.postroom.store.WorkflowQuery;
import dev.postroom.store.WorkflowStore;
import dev.postroom.store.jdbc.WorkflowRows;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The PostgreSQL store's {@link WorkflowStore}. A workflow and its step messages are one
 * transaction. A pass selects the workflows to advance {@code FOR UPDATE SKIP LOCKED}, so passes of
 * several nodes at once split them rather than both reading one; each release is guarded by the
 * held state besides, and commits with the inputs it recorded: a step is released once, or (on any
 * failure) not at all and the next pass tries again. A cancel locks the workflow row too, so it
 * never races a pass over the same workflow.
 */
final class PostgresWorkflowStore implements WorkflowStore {
    private static final String SELECT = "SELECT id::text, " + WorkflowRows.COLUMNS + " FROM workflows";
    private static final String STEPS = """
            SELECT s.name, s.queue, s.message_id::text, s.follows, s.run_on_failure, m.state, m.available_at
            FROM workflow_steps s LEFT JOIN messages m ON m.id = s.message_id
            WHERE s.workflow_id = ? ORDER BY s.position""";
    /**
     * Unsettled workflows with a step message changed since parameter 1 (see messages_workflow_changed,
     * V11) or among the sweep's page (parameter 2), locked, skipping those another node's pass holds.
     */
    private static final String TO_ADVANCE = """
            SELECT id::text, state FROM workflows
            WHERE state IN ('RUNNING', 'FAILED') AND (
                id IN (SELECT workflow_id FROM messages WHERE workflow_id IS NOT NULL AND updated_at >= ?)
                OR id = ANY (?))
            ORDER BY id LIMIT ?
            FOR UPDATE SKIP LOCKED""";
    /** The next page of unsettled workflows after the sweep's cursor (parameter 1, null to start). */
    private static final String SWEEP = """
            SELECT id FROM workflows WHERE state IN ('RUNNING', 'FAILED') AND (?::uuid IS NULL OR id > ?::uuid)
            ORDER BY id LIMIT ?""";
    /** Workflows a sweep takes per pass: every unsettled one is looked at now and then, whatever changed. */
    private static final int SWEEP_PAGE = 25;

    private final PostgresMessageStore transactions;
    private final DataSource pool;
    private final MessageWrites writes;
    private final PostgresJson json;
    /** The last workflow this node's sweep looked at, or null to start over. */
    private volatile UUID sweptTo;

    PostgresWorkflowStore(PostgresMessageStore transactions, DataSource pool, MessageWrites writes, PostgresJson json) {
        this.transactions = transactions;
        this.pool = pool;
        this.writes = writes;
        this.json = json;
    }

    @Override
    public CompletableFuture<WorkflowCreated> create(NewWorkflow workflow) {
        return transactions.submit(c -> {
            if (workflow.idempotencyKey() != null) {
                // Two starts with one key on two nodes: the second waits here, then finds the first's row.
                try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                    lock.setString(1, "workflow\u001f" + workflow.idempotencyKey());
                    lock.execute();
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT id::text FROM workflows WHERE idempotency_key = ?")) {
                    ps.setString(1, workflow.idempotencyKey());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return new WorkflowCreated(get(c, rs.getString(1)).orElseThrow(), true);
                        }
                    }
                }
            }
            // The messages first: send checks every queue before it writes.
            writes.send(c, workflow.messages());
            UUID id = UUID.fromString(workflow.id());
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO workflows (id, name, idempotency_key, state, created_at, updated_at) VALUES (?, ?, ?, 'RUNNING', ?, ?)
                    ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING""")) {
                ps.setObject(1, id);
                ps.setString(2, workflow.name());
                ps.setString(3, workflow.idempotencyKey());
                ps.setLong(4, workflow.now().toEpochMilli());
                ps.setLong(5, workflow.now().toEpochMilli());
                if (ps.executeUpdate() == 0) {
                    // Another start with the key committed since the look above: this one must leave nothing.
                    throw new SQLException("a workflow with idempotency key " + workflow.idempotencyKey()
                            + " was started at the same moment; start again to get it", "40001");
                }
            }
            try (PreparedStatement step = c.prepareStatement("""
                    INSERT INTO workflow_steps (workflow_id, position, name, queue, message_id, follows, run_on_failure)
                    VALUES (?, ?, ?, ?, ?, ?, ?)""");
                 PreparedStatement member = c.prepareStatement("UPDATE messages SET workflow_id = ? WHERE id = ?")) {
                int position = 0;
                for (NewStep s : workflow.steps()) {
                    UUID message = UUID.fromString(s.message().id());
                    step.setObject(1, id);
                    step.setInt(2, position++);
                    step.setString(3, s.name());
                    step.setString(4, s.message().queue());
                    step.setObject(5, message);
                    step.setString(6, json.writeNames(s.after()));
                    step.setBoolean(7, s.runOnFailure());
                    step.addBatch();
                    member.setObject(1, id);
                    member.setObject(2, message);
                    member.addBatch();
                }
                step.executeBatch();
                member.executeBatch();
            }
            return new WorkflowCreated(get(c, workflow.id()).orElseThrow(), false);
        });
    }

    @Override
    public CompletableFuture<List<WorkflowAdvance>> advance(WorkflowPass pass) {
        return transactions.submit(c -> {
            List<UUID> swept = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(SWEEP)) {
                ps.setObject(1, sweptTo);
                ps.setObject(2, sweptTo);
                ps.setInt(3, SWEEP_PAGE);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        swept.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            sweptTo = swept.size() < SWEEP_PAGE ? null : swept.getLast();
            Map<String, WorkflowState> workflows = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(TO_ADVANCE)) {
                ps.setLong(1, pass.changedSince().toEpochMilli());
                ps.setArray(2, c.createArrayOf("uuid", swept.toArray()));
                ps.setInt(3, pass.limit() + SWEEP_PAGE);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        workflows.put(rs.getString(1), WorkflowState.valueOf(rs.getString(2)));
                    }
                }
            }
            if (workflows.isEmpty()) {
                return List.of();
            }
            return WorkflowRows.advance(workflows, pass, json, new WorkflowRows.Pass() {
                @Override
                public List<WorkflowStep> steps(String workflowId) throws SQLException {
                    return PostgresWorkflowStore.this.steps(c, workflowId);
                }

                @Override
                public String result(String messageId) throws SQLException {
                    try (PreparedStatement ps = c.prepareStatement("SELECT result FROM messages WHERE id = ?")) {
                        ps.setObject(1, UUID.fromString(messageId));
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) : null;
                        }
                    }
                }

                @Override
                public boolean release(String workflowId, WorkflowStep step, String inputsJson, Transition released) throws SQLException {
                    if (!writes.release(c, step.messageId(), released)) {
                        return false;
                    }
                    try (PreparedStatement ps = c.prepareStatement("UPDATE workflow_steps SET inputs = ? WHERE message_id = ?")) {
                        ps.setString(1, inputsJson);
                        ps.setObject(2, UUID.fromString(step.messageId()));
                        ps.executeUpdate();
                    }
                    return true;
                }

                @Override
                public void state(String workflowId, WorkflowState state, Instant now) throws SQLException {
                    writeState(c, workflowId, state, now);
                }
            });
        });
    }

    @Override
    public CompletableFuture<Optional<WorkflowStatus>> cancel(String id, Instant now, String node) {
        UUID key = IdBounds.parse(id);
        if (key == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return transactions.submit(c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT 1 FROM workflows WHERE id = ? FOR UPDATE")) {
                lock.setObject(1, key);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                }
            }
            Optional<WorkflowStatus> workflow = get(c, id);
            WorkflowState state = workflow.orElseThrow().state();
            if (state == WorkflowState.SUCCEEDED || state == WorkflowState.CANCELLED) {
                return workflow;
            }
            for (WorkflowStep step : workflow.get().steps()) {
                if (step.state() == WorkflowStepState.WAITING || step.state().isActive()) {
                    try {
                        writes.cancel(c, new MessageAction(step.messageId(), now, node, "workflow cancelled"));
                    } catch (IllegalTransitionException e) {
                        // Finished meanwhile (an ack on another node): it keeps its outcome.
                    }
                }
            }
            writeState(c, id, WorkflowState.CANCELLED, now);
            return get(c, id);
        });
    }

    @Override
    public CompletableFuture<Integer> forget(Instant before) {
        return transactions.submit(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH gone AS (
                        DELETE FROM workflows w WHERE state <> 'RUNNING' AND updated_at < ?
                          AND NOT EXISTS (SELECT 1 FROM workflow_steps s JOIN messages m ON m.id = s.message_id
                                          WHERE s.workflow_id = w.id)
                        RETURNING id),
                    steps AS (DELETE FROM workflow_steps WHERE workflow_id IN (SELECT id FROM gone))
                    SELECT count(*) FROM gone""")) {
                ps.setLong(1, before.toEpochMilli());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    @Override
    public Optional<WorkflowStatus> get(String id) {
        if (IdBounds.parse(id) == null) {
            return Optional.empty();
        }
        try (Connection c = pool.getConnection()) {
            return get(c, id);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public List<WorkflowStatus> list(WorkflowQuery query) {
        WorkflowRows.Listing listing = WorkflowRows.listing(SELECT, query, UUID::fromString);
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(listing.sql())) {
            listing.bind(ps);
            List<WorkflowStatus> found = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(WorkflowRows.status(rs, steps(c, rs.getString(1))));
                }
            }
            return found;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    @Override
    public Optional<StepInputs> inputs(String messageId) {
        UUID key = IdBounds.parse(messageId);
        if (key == null) {
            return Optional.empty();
        }
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT workflow_id::text, name, inputs FROM workflow_steps WHERE message_id = ?")) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new StepInputs(rs.getString(1), rs.getString(2), json.readResults(rs.getString(3))))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private Optional<WorkflowStatus> get(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE id = ?")) {
            ps.setObject(1, UUID.fromString(id));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(WorkflowRows.status(rs, steps(c, id))) : Optional.empty();
            }
        }
    }

    private List<WorkflowStep> steps(Connection c, String workflowId) throws SQLException {
        List<WorkflowStep> steps = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(STEPS)) {
            ps.setObject(1, UUID.fromString(workflowId));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int state = rs.getInt(6);
                    Integer stored = rs.wasNull() ? null : state;
                    steps.add(new WorkflowStep(rs.getString(1), rs.getString(2), rs.getString(3),
                            WorkflowRows.stepState(stored, rs.getLong(7), false), json.readNames(rs.getString(4)), rs.getBoolean(5)));
                }
            }
        }
        return steps;
    }

    private static void writeState(Connection c, String id, WorkflowState state, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE workflows SET state = ?, updated_at = ?, ended_at = ? WHERE id = ?")) {
            int i = WorkflowRows.bindState(ps, 1, state, now);
            ps.setObject(i, UUID.fromString(id));
            ps.executeUpdate();
        }
    }

    private static StoreUnavailableException failed(SQLException e) {
        return new StoreUnavailableException("workflow read failed: " + e.getMessage(), e);
    }
}
