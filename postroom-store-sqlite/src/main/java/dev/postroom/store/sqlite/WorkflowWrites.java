package dev.postroom.store.sqlite;

import dev.postroom.IllegalTransitionException;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.WorkflowStepState;
import dev.postroom.store.MessageAction;
import dev.postroom.store.MessageIds;
import dev.postroom.store.NewStep;
import dev.postroom.store.NewWorkflow;
import dev.postroom.store.Transition;
import dev.postroom.store.WorkflowAdvance;
import dev.postroom.store.WorkflowCreated;
import dev.postroom.store.WorkflowPass;
import dev.postroom.store.jdbc.StoredJson;
import dev.postroom.store.jdbc.WorkflowRows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The workflow writes of the embedded store, run by the {@link GroupCommitter} thread on the writer
 * connection inside its current transaction, as {@link MessageWrites} are: a workflow's rows and
 * step messages commit together, and a pass sees every write of its own group (an ack submitted
 * before it counts). One writer runs every pass, so a step is released once.
 */
final class WorkflowWrites {
    /** Unsettled workflows with a step message changed since the parameter (see messages_workflow_changed, V11). */
    private static final String CHANGED = """
            SELECT id, state FROM workflows WHERE state IN ('RUNNING', 'FAILED') AND id IN (
                SELECT workflow_id FROM messages WHERE workflow_id IS NOT NULL AND updated_at >= ?)
            ORDER BY id LIMIT ?""";
    /** The next page of unsettled workflows after the sweep's cursor. */
    private static final String SWEEP = "SELECT id, state FROM workflows WHERE state IN ('RUNNING', 'FAILED') AND id > ? ORDER BY id LIMIT ?";
    /** Workflows a sweep takes per pass: every unsettled one is looked at now and then, whatever changed. */
    private static final int SWEEP_PAGE = 25;

    private final Connection connection;
    private final StoredJson json;
    private final WorkflowReads reads;
    /** The last workflow the sweep looked at; "" to start over. Only the writer thread uses it. */
    private String sweptTo = "";

    WorkflowWrites(Connection connection, StoredJson json, WorkflowReads reads) {
        this.connection = connection;
        this.json = json;
        this.reads = reads;
    }

    WorkflowCreated create(MessageWrites writes, NewWorkflow workflow) throws SQLException {
        if (workflow.idempotencyKey() != null) {
            Optional<WorkflowStatus> first = byKey(workflow.idempotencyKey());
            if (first.isPresent()) {
                return new WorkflowCreated(first.get(), true);
            }
        }
        // The messages first: send checks every queue before it writes, so a refused workflow writes nothing.
        writes.send(workflow.messages());
        long now = workflow.now().toEpochMilli();
        try (PreparedStatement ps = connection.prepareStatement("""
                INSERT INTO workflows (id, name, idempotency_key, state, created_at, updated_at) VALUES (?, ?, ?, 'RUNNING', ?, ?)""")) {
            ps.setString(1, workflow.id());
            ps.setString(2, workflow.name());
            ps.setString(3, workflow.idempotencyKey());
            ps.setLong(4, now);
            ps.setLong(5, now);
            ps.executeUpdate();
        }
        try (PreparedStatement step = connection.prepareStatement("""
                INSERT INTO workflow_steps (workflow_id, position, name, queue, message_id, message_seq, follows, run_on_failure)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""");
             PreparedStatement member = connection.prepareStatement("UPDATE messages SET workflow_id = ? WHERE seq = ?")) {
            int position = 0;
            for (NewStep s : workflow.steps()) {
                long seq = MessageIds.sequenceOf(s.message().id());
                step.setString(1, workflow.id());
                step.setInt(2, position++);
                step.setString(3, s.name());
                step.setString(4, s.message().queue());
                step.setString(5, s.message().id());
                step.setLong(6, seq);
                step.setString(7, json.writeNames(s.after()));
                step.setInt(8, s.runOnFailure() ? 1 : 0);
                step.executeUpdate();
                member.setString(1, workflow.id());
                member.setLong(2, seq);
                member.executeUpdate();
            }
        }
        return new WorkflowCreated(reads.get(connection, workflow.id()).orElseThrow(), false);
    }

    private Optional<WorkflowStatus> byKey(String key) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id FROM workflows WHERE idempotency_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? reads.get(connection, rs.getString(1)) : Optional.empty();
            }
        }
    }

    List<WorkflowAdvance> advance(MessageWrites writes, WorkflowPass pass) throws SQLException {
        Map<String, WorkflowState> workflows = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(CHANGED)) {
            ps.setLong(1, pass.changedSince().toEpochMilli());
            ps.setInt(2, pass.limit());
            read(ps, workflows);
        }
        Map<String, WorkflowState> swept = new LinkedHashMap<>();
        try (PreparedStatement ps = connection.prepareStatement(SWEEP)) {
            ps.setString(1, sweptTo);
            ps.setInt(2, SWEEP_PAGE);
            read(ps, swept);
        }
        sweptTo = swept.size() < SWEEP_PAGE ? "" : swept.keySet().stream().reduce((first, last) -> last).orElse("");
        swept.forEach(workflows::putIfAbsent);
        if (workflows.isEmpty()) {
            return List.of();
        }
        return WorkflowRows.advance(workflows, pass, json, new WorkflowRows.Pass() {
            @Override
            public List<WorkflowStep> steps(String workflowId) throws SQLException {
                return reads.steps(connection, workflowId);
            }

            @Override
            public String result(String messageId) throws SQLException {
                try (PreparedStatement ps = connection.prepareStatement("SELECT result FROM messages WHERE seq = ?")) {
                    ps.setLong(1, MessageIds.sequenceOf(messageId));
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getString(1) : null;
                    }
                }
            }

            @Override
            public boolean release(String workflowId, WorkflowStep step, String inputsJson, Transition released) throws SQLException {
                long seq = MessageIds.sequenceOf(step.messageId());
                if (!writes.release(seq, released)) {
                    return false;
                }
                try (PreparedStatement ps = connection.prepareStatement("UPDATE workflow_steps SET inputs = ? WHERE message_seq = ?")) {
                    ps.setString(1, inputsJson);
                    ps.setLong(2, seq);
                    ps.executeUpdate();
                }
                return true;
            }

            @Override
            public void state(String workflowId, WorkflowState state, Instant now) throws SQLException {
                writeState(workflowId, state, now);
            }
        });
    }

    private static void read(PreparedStatement ps, Map<String, WorkflowState> into) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                into.put(rs.getString(1), WorkflowState.valueOf(rs.getString(2)));
            }
        }
    }

    Optional<WorkflowStatus> cancel(MessageWrites writes, String id, Instant now, String node) throws SQLException {
        Optional<WorkflowStatus> workflow = reads.get(connection, id);
        if (workflow.isEmpty() || workflow.get().state() == WorkflowState.SUCCEEDED || workflow.get().state() == WorkflowState.CANCELLED) {
            return workflow;
        }
        for (WorkflowStep step : workflow.get().steps()) {
            if (step.state() == WorkflowStepState.WAITING || step.state().isActive()) {
                try {
                    writes.cancel(new MessageAction(step.messageId(), now, node, "workflow cancelled"));
                } catch (IllegalTransitionException e) {
                    // Cannot happen on the only writer: the state was read in this transaction.
                    throw new SQLException("step " + step.name() + " moved while its workflow was cancelled", e);
                }
            }
        }
        writeState(id, WorkflowState.CANCELLED, now);
        return reads.get(connection, id);
    }

    private void writeState(String id, WorkflowState state, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE workflows SET state = ?, updated_at = ?, ended_at = ? WHERE id = ?")) {
            int i = WorkflowRows.bindState(ps, 1, state, now);
            ps.setString(i, id);
            ps.executeUpdate();
        }
    }

    int forget(Instant before) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("""
                DELETE FROM workflows WHERE state <> 'RUNNING' AND updated_at < ?
                  AND NOT EXISTS (SELECT 1 FROM workflow_steps s JOIN messages m ON m.seq = s.message_seq
                                  WHERE s.workflow_id = workflows.id)
                RETURNING id""");
             PreparedStatement steps = connection.prepareStatement("DELETE FROM workflow_steps WHERE workflow_id = ?")) {
            ps.setLong(1, before.toEpochMilli());
            int count = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    steps.setString(1, rs.getString(1));
                    steps.executeUpdate();
                    count++;
                }
            }
            return count;
        }
    }
}
