package dev.postroom.bench;

/**
 * The message every benchmark sends: about 200 bytes of JSON, like a small admin command
 * ({@code {"tenant":…,"action":…,"target":…,"note":…,"sentNanos":…}}).
 */
public record Workload(String tenant, String action, String target, String note, long sentNanos) {
    private static final String NOTE = "x".repeat(96);

    public static Workload sample(long n, long sentNanos) {
        return new Workload("tenant-" + (n % 100), "refund", "order-" + n, NOTE, sentNanos);
    }
}
