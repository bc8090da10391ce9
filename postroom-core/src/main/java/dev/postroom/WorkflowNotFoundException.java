package dev.postroom;

/** No workflow has this id (never started, or forgotten after its steps' messages were gone). */
public class WorkflowNotFoundException extends PostroomException {
    private final String id;

    public WorkflowNotFoundException(String id) {
        super("workflow not found: " + id);
        this.id = id;
    }

    public String id() {
        return id;
    }
}
