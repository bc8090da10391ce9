package dev.postroom;

/** The named topic does not exist; create it with {@link Topics#create}. */
public class TopicNotFoundException extends PostroomException {
    private final String topic;

    public TopicNotFoundException(String topic) {
        super("topic not found: " + topic);
        this.topic = topic;
    }

    public String topic() {
        return topic;
    }
}
