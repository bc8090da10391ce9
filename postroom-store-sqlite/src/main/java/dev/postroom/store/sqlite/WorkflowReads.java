package dev.postroom.store.sqlite;

import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStep;
import dev.postroom.store.StepInputs;
import dev.postroom.store.WorkflowQuery;
import dev.postroom.store.jdbc.StoredJson;
import dev.postroom.store.jdbc.WorkflowRows;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads of workflows on a given connection: a reader's, or the writer's inside its transaction (so
 * that a pass or a cancel sees its own writes). A leased step message is READY on disk and
 * IN_FLIGHT here, as everywhere (see {@link Leases}).
 */
final class WorkflowReads {
    private static final String STEPS = """
            SELECT s.name, s.queue, s.message_id, s.follows, s.run_on_failure, m.state, m.available_at, s.message_seq
            FROM workflow_steps s LEFT JOIN messages m ON m.seq = s.message_seq
            WHERE s.workflow_id = ? ORDER BY s.position""";

    private final StoredJson json;
    private final Leases leases;

    WorkflowReads(StoredJson json, Leases leases) {
        this.json = json;
        this.leases = leases;
    }

    Optional<WorkflowStatus> get(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, " + WorkflowRows.COLUMNS + " FROM workflows WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(WorkflowRows.status(rs, steps(c, id))) : Optional.empty();
            }
        }
    }

    List<WorkflowStatus> list(Connection c, WorkflowQuery query) throws SQLException {
        WorkflowRows.Listing listing = WorkflowRows.listing("SELECT id, " + WorkflowRows.COLUMNS + " FROM workflows", query, id -> id);
        List<WorkflowStatus> found = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(listing.sql())) {
            listing.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(WorkflowRows.status(rs, steps(c, rs.getString(1))));
                }
            }
        }
        return found;
    }

    List<WorkflowStep> steps(Connection c, String workflowId) throws SQLException {
        List<WorkflowStep> steps = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(STEPS)) {
            ps.setString(1, workflowId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int state = rs.getInt(6);
                    Integer stored = rs.wasNull() ? null : state;
                    boolean leased = stored != null && leases.live(rs.getLong(8)) != null;
                    steps.add(new WorkflowStep(rs.getString(1), rs.getString(2), rs.getString(3),
                            WorkflowRows.stepState(stored, rs.getLong(7), leased), json.readNames(rs.getString(4)), rs.getInt(5) != 0));
                }
            }
        }
        return steps;
    }

    Optional<StepInputs> inputs(Connection c, long messageSeq) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT workflow_id, name, inputs FROM workflow_steps WHERE message_seq = ?")) {
            ps.setLong(1, messageSeq);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new StepInputs(rs.getString(1), rs.getString(2), json.readResults(rs.getString(3))))
                        : Optional.empty();
            }
        }
    }
}
