package dev.postroom.spring;

/**
 * A {@code postroom.*} setting that Postroom cannot start with, named with its value, why, and
 * what to do: {@link PostroomFailureAnalyzer} turns it into Spring Boot's start-up failure report.
 */
final class PostroomPropertyException extends RuntimeException {
    private final String property;
    private final String value;
    private final String reason;
    private final String action;

    /**
     * @param property the property as an application would write it ({@code postroom.queues.refunds.max-attempts})
     * @param value    the value at fault as text, or null when it is not one value (a missing bean)
     * @param reason   why it cannot be used
     * @param action   what to do about it
     */
    PostroomPropertyException(String property, String value, String reason, String action, Throwable cause) {
        super(property + (value == null ? "" : "=" + value) + ": " + reason, cause);
        this.property = property;
        this.value = value;
        this.reason = reason;
        this.action = action;
    }

    String property() {
        return property;
    }

    String value() {
        return value;
    }

    /** Why the value cannot be used. */
    String reason() {
        return reason;
    }

    String action() {
        return action;
    }
}
