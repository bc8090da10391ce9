package dev.postroom.bench.jobrunr;

/**
 * Outcome of one peer run in the side-by-side throughput benchmark.
 *
 * @param name          human-readable name of the system measured, e.g. {@code "JobRunr 8.7.0 (SQLite)"}
 * @param jobs          number of jobs that were enqueued and reached their terminal success state
 * @param seconds       wall-clock seconds from the first enqueue until the last job succeeded
 * @param jobsPerSecond {@code jobs / seconds}
 * @param notes         free-form details needed to interpret the number (storage, tuning, phase timings)
 */
public record PeerResult(String name, long jobs, double seconds, double jobsPerSecond, String notes) {

    @Override
    public String toString() {
        return String.format("%s: %,d jobs in %.3f s = %,.1f jobs/s [%s]",
                name, jobs, seconds, jobsPerSecond, notes);
    }
}
