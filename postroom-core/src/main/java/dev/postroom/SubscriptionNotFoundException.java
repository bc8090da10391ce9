package dev.postroom;

/** The topic has no subscription of this name. */
public class SubscriptionNotFoundException extends PostroomException {
    private final String topic;
    private final String subscription;

    public SubscriptionNotFoundException(String topic, String subscription) {
        super("subscription not found: " + subscription + " of topic " + topic);
        this.topic = topic;
        this.subscription = subscription;
    }

    public String topic() {
        return topic;
    }

    public String subscription() {
        return subscription;
    }
}
