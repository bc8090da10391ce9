package dev.postroom.store.jdbc;

import dev.postroom.MessageState;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.WorkflowStepState;
import dev.postroom.store.Transition;
import dev.postroom.store.WorkflowAdvance;
import dev.postroom.store.WorkflowPass;
import dev.postroom.store.WorkflowProgress;
import dev.postroom.store.WorkflowStore;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For store implementations: the workflow rows both stores keep, read and advanced in one place.
 * A store supplies its SQL through a {@link Pass}; what a pass decides comes from
 * {@link WorkflowProgress}, so stores agree on it.
 */
public final class WorkflowRows {
    /** {@code available_at} of a held step message, in epoch milliseconds. */
    public static final long HELD = WorkflowStore.HELD.toEpochMilli();
    /**
     * A condition for retention's DELETE: a finished step message of a workflow that is still
     * RUNNING or FAILED stays, since the steps after it need its outcome (and its result) to be
     * released. It goes with the rest once the workflow is settled.
     */
    public static final String KEEPS_UNSETTLED_STEPS = " AND (workflow_id IS NULL OR workflow_id NOT IN "
            + "(SELECT id FROM workflows WHERE state IN ('RUNNING', 'FAILED')))";
    /** The workflow columns every read selects after the id, in this order. */
    public static final String COLUMNS = "name, state, created_at, updated_at, ended_at";

    private WorkflowRows() {
    }

    /**
     * A step's state from its message row: DELETED without one ({@code state} null), WAITING while
     * held, IN_FLIGHT when {@code leased} (for a store whose leases live outside the row).
     */
    public static WorkflowStepState stepState(Integer state, long availableAt, boolean leased) {
        if (state == null) {
            return WorkflowStepState.DELETED;
        }
        MessageState message = MessageState.fromCode(state);
        if (message == MessageState.SCHEDULED && availableAt == HELD) {
            return WorkflowStepState.WAITING;
        }
        return leased ? WorkflowStepState.IN_FLIGHT : WorkflowStepState.of(message);
    }

    /** The workflow of a row whose first columns are the id and {@link #COLUMNS}, with its steps. */
    public static WorkflowStatus status(ResultSet rs, List<WorkflowStep> steps) throws SQLException {
        long ended = rs.getLong(6);
        Instant endedAt = rs.wasNull() ? null : Instant.ofEpochMilli(ended);
        return new WorkflowStatus(rs.getString(1), rs.getString(2), WorkflowState.valueOf(rs.getString(3)),
                Instant.ofEpochMilli(rs.getLong(4)), Instant.ofEpochMilli(rs.getLong(5)), endedAt, steps);
    }

    /** Binds a state change: state, updated_at, ended_at (null while RUNNING), from {@code index}. */
    public static int bindState(java.sql.PreparedStatement ps, int index, WorkflowState state, Instant now) throws SQLException {
        ps.setString(index, state.name());
        ps.setLong(index + 1, now.toEpochMilli());
        if (state == WorkflowState.RUNNING) {
            ps.setNull(index + 2, Types.BIGINT);
        } else {
            ps.setLong(index + 2, now.toEpochMilli());
        }
        return index + 3;
    }

    /**
     * The statement listing {@code query}'s workflows (id and {@link #COLUMNS}), newest first, and
     * its parameters; {@code selectFrom} is the store's {@code SELECT ... FROM workflows}, and
     * {@code id} turns the cursor into the id column's type.
     */
    public static Listing listing(String selectFrom, dev.postroom.store.WorkflowQuery query, java.util.function.Function<String, Object> id) {
        StringBuilder sql = new StringBuilder(selectFrom).append(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (query.state() != null) {
            sql.append(" AND state = ?");
            args.add(query.state().name());
        }
        if (query.name() != null) {
            sql.append(" AND name = ?");
            args.add(query.name());
        }
        if (query.after() != null) {
            sql.append(" AND id < ?");
            args.add(id.apply(query.after()));
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(query.limit());
        return new Listing(sql.toString(), args);
    }

    /** See {@link #listing}. */
    public record Listing(String sql, List<Object> args) {
        /** Binds the parameters into a statement prepared from {@link #sql}. */
        public void bind(java.sql.PreparedStatement ps) throws SQLException {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
        }
    }

    /** The timeline reason of a step's release. */
    public static String releaseReason(WorkflowStep step) {
        return (step.runOnFailure() ? "released (runs on failure) after " : "released after ") + String.join(", ", step.after());
    }

    /** What a store does for {@link #advance}, inside its transaction. */
    public interface Pass {
        /** The workflow's steps as they stand, in order. */
        List<WorkflowStep> steps(String workflowId) throws SQLException;

        /** The result of a step's message, JSON text or null. */
        String result(String messageId) throws SQLException;

        /**
         * Records the step's inputs and releases its message if it is still held; false when it
         * was not (cancelled or deleted meanwhile), and then nothing is written.
         */
        boolean release(String workflowId, WorkflowStep step, String inputsJson, Transition released) throws SQLException;

        /** Writes the workflow's new state. */
        void state(String workflowId, WorkflowState state, Instant now) throws SQLException;
    }

    /**
     * Advances each of {@code workflows} (id → state as stored): releases what {@link WorkflowProgress}
     * says, records a changed state. Returns the workflows that moved.
     */
    public static List<WorkflowAdvance> advance(Map<String, WorkflowState> workflows, WorkflowPass pass, StoredJson json, Pass store)
            throws SQLException {
        List<WorkflowAdvance> moved = new ArrayList<>();
        for (Map.Entry<String, WorkflowState> workflow : workflows.entrySet()) {
            String id = workflow.getKey();
            List<WorkflowStep> steps = store.steps(id);
            WorkflowProgress progress = WorkflowProgress.of(workflow.getValue(), steps);
            List<WorkflowStep> released = new ArrayList<>();
            for (WorkflowStep step : progress.release()) {
                Map<String, String> inputs = new LinkedHashMap<>();
                for (WorkflowStep before : WorkflowProgress.inputsOf(step, steps)) {
                    inputs.put(before.name(), store.result(before.messageId()));
                }
                Transition transition = Transition.released(pass.now(), pass.node(), releaseReason(step));
                if (store.release(id, step, json.writeResults(inputs), transition)) {
                    released.add(step);
                }
            }
            WorkflowState state = progress.state();
            boolean changed = state != workflow.getValue();
            if (changed) {
                store.state(id, state, pass.now());
            }
            if (changed || !released.isEmpty()) {
                moved.add(new WorkflowAdvance(id, state, changed, released));
            }
        }
        return moved;
    }
}
