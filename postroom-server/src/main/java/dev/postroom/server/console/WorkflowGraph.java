package dev.postroom.server.console;

import dev.postroom.WorkflowStep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow's steps laid out for drawing, left to right: a step's column is one more than the
 * furthest column of the steps it follows (steps that follow nothing are in the first), and steps
 * keep the workflow's order down each column. Edges run from the right side of a step to the left
 * side of each step that follows it. Coordinates are SVG user units; the page scales the drawing.
 *
 * @param width  of the whole drawing
 * @param height of the whole drawing
 * @param nodes  one per step, in workflow order
 * @param edges  one per "after" link
 */
public record WorkflowGraph(int width, int height, List<Node> nodes, List<Edge> edges) {
    public static final int NODE_WIDTH = 168;
    public static final int NODE_HEIGHT = 52;
    private static final int COLUMN_GAP = 56;
    private static final int ROW_GAP = 20;
    private static final int MARGIN = 8;

    /** A step's box: top-left corner, the step and the row of details shown for it. */
    public record Node(int x, int y, StepRow step) {
    }

    /**
     * A link from the step {@code from} to the step that follows it, {@code to}, as an SVG path.
     * {@code blocked}: the earlier step failed, so the later one will not run (unless it runs on failure).
     */
    public record Edge(String from, String to, String path, boolean blocked) {
    }

    /** Lays out {@code rows} (one per step, in workflow order). */
    public static WorkflowGraph of(List<StepRow> rows) {
        Map<String, StepRow> byName = new HashMap<>();
        rows.forEach(r -> byName.put(r.step().name(), r));
        Map<String, Integer> columns = new HashMap<>();
        for (StepRow row : rows) {
            column(row.step(), byName, columns);
        }
        Map<Integer, Integer> filled = new HashMap<>();
        Map<String, Node> nodes = new HashMap<>();
        List<Node> ordered = new ArrayList<>();
        int maxColumn = 0;
        int maxRow = 0;
        for (StepRow row : rows) {
            int column = columns.get(row.step().name());
            int index = filled.merge(column, 1, Integer::sum) - 1;
            maxColumn = Math.max(maxColumn, column);
            maxRow = Math.max(maxRow, index);
            Node node = new Node(MARGIN + column * (NODE_WIDTH + COLUMN_GAP), MARGIN + index * (NODE_HEIGHT + ROW_GAP), row);
            nodes.put(row.step().name(), node);
            ordered.add(node);
        }
        List<Edge> edges = new ArrayList<>();
        for (Node to : ordered) {
            for (String name : to.step().step().after()) {
                Node from = nodes.get(name);
                int x1 = from.x() + NODE_WIDTH;
                int y1 = from.y() + NODE_HEIGHT / 2;
                int x2 = to.x();
                int y2 = to.y() + NODE_HEIGHT / 2;
                int bend = (x2 - x1) / 2;
                String path = "M" + x1 + " " + y1 + " C" + (x1 + bend) + " " + y1 + " " + (x2 - bend) + " " + y2 + " " + x2 + " " + y2;
                edges.add(new Edge(name, to.step().step().name(), path, from.step().step().state().isFailure()));
            }
        }
        return new WorkflowGraph(2 * MARGIN + (maxColumn + 1) * NODE_WIDTH + maxColumn * COLUMN_GAP,
                2 * MARGIN + (maxRow + 1) * NODE_HEIGHT + maxRow * ROW_GAP, ordered, edges);
    }

    /** The step's column; the engine refused cycles, so the recursion ends. */
    private static int column(WorkflowStep step, Map<String, StepRow> byName, Map<String, Integer> columns) {
        Integer known = columns.get(step.name());
        if (known != null) {
            return known;
        }
        int column = 0;
        for (String before : step.after()) {
            column = Math.max(column, column(byName.get(before).step(), byName, columns) + 1);
        }
        columns.put(step.name(), column);
        return column;
    }

    /**
     * One step with what its message says: attempts, how long it ran (from its first lease to its
     * end, or until now while it runs), and its result or last error, shortened.
     */
    public record StepRow(WorkflowStep step, Integer attempt, Integer maxAttempts, String duration, String result, String error) {
        /** The CSS class of its state. */
        public String stateClass() {
            return step.state().name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Its state as shown: lower case, words apart. */
        public String stateText() {
            return step.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }
}
