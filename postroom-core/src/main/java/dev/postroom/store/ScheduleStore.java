package dev.postroom.store;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The schedules of a {@link MessageStore}, kept in the same database as its messages so that a run's
 * message and the schedule's advance commit together. Futures complete after the commit; failures
 * are {@link dev.postroom.PostroomException} subtypes as for {@link MessageStore}, and a failed
 * operation changes nothing.
 *
 * <p>Exactly once per cluster: {@link #fireDue} must never let two callers (threads or processes
 * sharing the store) fire the same run. A store shared by several processes locks the due rows it
 * takes and skips rows another caller holds (PostgreSQL: {@code FOR UPDATE SKIP LOCKED}); every run's
 * message also carries an idempotency key naming the schedule and run time, a second guard.
 */
public interface ScheduleStore {

    /** Creates the schedule or replaces its definition, as {@link SchedulePut#applyTo} says; completes with true when created. */
    CompletableFuture<Boolean> put(SchedulePut put);

    /** The schedule, if it exists. A synchronous read. */
    Optional<StoredSchedule> get(String name);

    /** Every schedule, by name. A synchronous read. */
    List<StoredSchedule> list();

    /** Pauses or resumes, as {@link ScheduleToggle#applyTo} says; completes with the schedule after it. */
    CompletableFuture<StoredSchedule> setPaused(ScheduleToggle toggle);

    /** Deletes the schedule; completes with false when there was none. */
    CompletableFuture<Boolean> delete(String name);

    /**
     * In one transaction: takes the schedules due at {@code fire.now()}, asks the planner what each
     * run does, stores each run's message as a send of one message by {@code fire.node()} (a queue
     * that no longer exists sends nothing, and the firing says so), and stores each schedule as
     * {@link ScheduleRun#applyTo} says. Completes with one firing per schedule taken.
     */
    CompletableFuture<List<ScheduleFiring>> fireDue(ScheduleFire fire);
}
