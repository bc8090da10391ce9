package dev.postroom.server.console;

/**
 * What a topic form on the topics page held, so that a refused one comes back filled in, with what
 * was wrong: {@code topic} is the topic a subscription form was for, blank for the create-topic form
 * (whose name is in {@code name}).
 *
 * @param error      what was wrong, or null when nothing was refused
 * @param errorField the field at fault ({@code topic}, {@code subscription}, {@code queue}, {@code filter}...)
 */
public record TopicForm(String topic, String name, String queue, String filter, String error, String errorField) {
    static final TopicForm EMPTY = new TopicForm("", "", "", "", null, "");

    /** Whether this is the refused form for {@code topic} (blank: the create-topic form). */
    public boolean refusedFor(String topic) {
        return error != null && this.topic.equals(topic);
    }

    /** The value to show in {@code topic}'s subscription form field: what was typed if that form was refused, else blank. */
    public String value(String topic, String field) {
        if (!refusedFor(topic)) {
            return "";
        }
        return switch (field) {
            case "name" -> name;
            case "queue" -> queue;
            case "filter" -> filter;
            default -> "";
        };
    }
}
