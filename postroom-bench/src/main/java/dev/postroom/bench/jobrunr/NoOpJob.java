package dev.postroom.bench.jobrunr;

/**
 * The job body executed by JobRunr in the throughput benchmark.
 *
 * <p>JobRunr serialises the lambda passed to {@code enqueue} into a job description (class name,
 * method name, argument values as JSON) and later re-invokes that method reflectively on a worker
 * thread, possibly in another JVM. The class and method therefore have to be {@code public}, and
 * the argument has to be JSON-serialisable; a plain {@link String} is used here.
 */
public final class NoOpJob {

    private NoOpJob() {
    }

    /**
     * Accepts one message payload and does nothing with it, so that the benchmark measures only
     * the queue's own enqueue, dispatch and state-tracking overhead.
     *
     * @param payload the ~200-byte message body
     */
    public static void consume(String payload) {
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
    }
}
