package dev.postroom;

/** The named schedule does not exist; create it with {@link Schedules#put}. */
public class ScheduleNotFoundException extends PostroomException {
    private final String schedule;

    public ScheduleNotFoundException(String schedule) {
        super("schedule not found: " + schedule);
        this.schedule = schedule;
    }

    /** The name that was looked for. */
    public String schedule() {
        return schedule;
    }
}
