package dev.postroom;

import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link Schedules#put} creates or replaces: a name, a cron expression read in a time zone,
 * and the message each run sends to a queue.
 * <pre>{@code
 * postroom.schedules().put(ScheduleDefinition.builder("nightly-report")
 *         .cron("30 2 * * *").timezone("Europe/Berlin")
 *         .queue("reports").payload(new ReportRequest("daily"))
 *         .build());
 * }</pre>
 *
 * @param timezone   an IANA zone id such as {@code Europe/Berlin}; null means UTC
 * @param payload    any Jackson-serialisable object, or {@link RawJson}; required
 * @param missedRuns null means {@link MissedRuns#SKIP}
 * @param paused     null keeps what an existing schedule has (a new one starts running)
 */
public record ScheduleDefinition(
        String name,
        String cron,
        String timezone,
        String queue,
        Object payload,
        Map<String, String> headers,
        MissedRuns missedRuns,
        Boolean paused) {

    public ScheduleDefinition {
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** A builder for the schedule called {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link ScheduleDefinition}; nothing is checked until {@link Schedules#put}. */
    public static final class Builder {
        private final String name;
        private String cron;
        private String timezone;
        private String queue;
        private Object payload;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private MissedRuns missedRuns;
        private Boolean paused;

        private Builder(String name) {
            this.name = name;
        }

        /** Five fields ({@code 30 2 * * *}) or six with leading seconds ({@code 0 30 2 * * *}). */
        public Builder cron(String cron) {
            this.cron = cron;
            return this;
        }

        /** An IANA zone id; default UTC. */
        public Builder timezone(String timezone) {
            this.timezone = timezone;
            return this;
        }

        /** The zone; default UTC. */
        public Builder timezone(ZoneId timezone) {
            this.timezone = timezone == null ? null : timezone.getId();
            return this;
        }

        /** The queue every run sends to; it must exist. */
        public Builder queue(String queue) {
            this.queue = queue;
            return this;
        }

        /** The payload every run sends. */
        public Builder payload(Object payload) {
            this.payload = payload;
            return this;
        }

        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Builder headers(Map<String, String> headers) {
            this.headers.putAll(Objects.requireNonNull(headers, "headers"));
            return this;
        }

        /** Default {@link MissedRuns#SKIP}. */
        public Builder missedRuns(MissedRuns missedRuns) {
            this.missedRuns = missedRuns;
            return this;
        }

        /** Whether it is paused; by default a new schedule runs and an existing one keeps its state. */
        public Builder paused(boolean paused) {
            this.paused = paused;
            return this;
        }

        public ScheduleDefinition build() {
            return new ScheduleDefinition(name, cron, timezone, queue, payload, headers, missedRuns, paused);
        }
    }
}
