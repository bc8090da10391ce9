package dev.postroom;

/** No batch has this id (never sent, or forgotten after its members were gone; see {@link Batches}). */
public class BatchNotFoundException extends PostroomException {
    private final String id;

    public BatchNotFoundException(String id) {
        super("batch not found: " + id);
        this.id = id;
    }

    public String id() {
        return id;
    }
}
