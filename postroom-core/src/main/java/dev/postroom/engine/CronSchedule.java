package dev.postroom.engine;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.postroom.InvalidMessageException;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Optional;

/**
 * A cron expression read in a time zone, parsed by cron-utils: five fields as Unix cron has them
 * (minute hour day-of-month month day-of-week; a day of the month and a day of the week both given
 * match either, as in Vixie cron), or six with a leading seconds field and otherwise the same.
 *
 * <p>Daylight saving time, as an operator expects it, and tested in {@code ScheduleContract}:
 * <ul>
 *   <li>A run whose wall-clock time falls in a spring-forward gap (02:30 on the night Europe/Berlin
 *       jumps from 02:00 to 03:00) runs once, at the instant the wall clock would have shown that
 *       time had it not jumped (03:30 CEST, which is how {@link ZonedDateTime#of} resolves it).
 *       cron-utils alone skips that day; {@link #nextAfter} adds the run back.</li>
 *   <li>A run in a fall-back overlap (02:30 on the night the clock goes back from 03:00 to 02:00)
 *       runs once, at the first 02:30. Expressions that match every hour or more often run in both
 *       passes of the repeated hour, since those are different instants.</li>
 * </ul>
 */
public final class CronSchedule {
    /** Six fields: Unix cron with a leading seconds field (same ranges, Sunday as 0 or 7). */
    private static final CronDefinition WITH_SECONDS = CronDefinitionBuilder.defineCron()
            .withSeconds().withStrictRange().and()
            .withMinutes().withStrictRange().and()
            .withHours().withStrictRange().and()
            .withDayOfMonth().withStrictRange().and()
            .withMonth().withStrictRange().and()
            .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
            .instance();
    private static final CronDefinition UNIX = CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX);
    /** Zone transitions looked at between two runs: a yearly expression passes two a year; this bounds a broken zone. */
    private static final int MAX_TRANSITIONS = 64;
    /** The default zone, by its IANA name rather than as the offset {@code Z}. */
    private static final ZoneId UTC = ZoneId.of("UTC");

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime execution;

    private CronSchedule(String expression, ZoneId zone, Cron cron) {
        this.expression = expression;
        this.zone = zone;
        this.execution = ExecutionTime.forCron(cron);
    }

    /**
     * Parses {@code expression} in {@code timezone} (an IANA id such as {@code Europe/Berlin}; null
     * means UTC).
     *
     * @throws InvalidMessageException naming {@code cron} or {@code timezone}
     */
    public static CronSchedule parse(String expression, String timezone) {
        ZoneId zone = zone(timezone);
        if (expression == null || expression.isBlank()) {
            throw new InvalidMessageException("cron", "is required, e.g. \"30 2 * * *\" (02:30 every day)");
        }
        String trimmed = expression.strip().replaceAll("\\s+", " ");
        int fields = trimmed.split(" ").length;
        if (fields != 5 && fields != 6) {
            throw new InvalidMessageException("cron", "must have 5 fields (minute hour day-of-month month day-of-week) "
                    + "or 6 with leading seconds, had " + fields + ": \"" + shorten(trimmed) + "\"");
        }
        Cron cron;
        try {
            // A parser per call: cron-utils does not promise that one is safe to share between threads.
            cron = new CronParser(fields == 5 ? UNIX : WITH_SECONDS).parse(trimmed);
        } catch (IllegalArgumentException e) {
            throw new InvalidMessageException("cron", "\"" + shorten(trimmed) + "\" is not a valid expression: " + e.getMessage(), e);
        }
        return new CronSchedule(trimmed, zone, cron);
    }

    /**
     * The zone named {@code timezone}; null or blank means UTC.
     *
     * @throws InvalidMessageException naming {@code timezone}
     */
    public static ZoneId zone(String timezone) {
        if (timezone == null || timezone.isBlank()) {
            return UTC;
        }
        try {
            return ZoneId.of(timezone.strip());
        } catch (DateTimeException e) {
            throw new InvalidMessageException("timezone", "unknown time zone \"" + shorten(timezone)
                    + "\"; use an IANA id such as Europe/Berlin or UTC", e);
        }
    }

    /** The expression, with runs of spaces made one. */
    public String expression() {
        return expression;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The first run strictly after {@code after}, or empty if the expression never matches again. */
    public Optional<Instant> nextAfter(Instant after) {
        // Whole seconds: cron-utils carries the fraction of its starting point into a seconds field's matches.
        Optional<Instant> next = execution.nextExecution(after.truncatedTo(ChronoUnit.SECONDS).atZone(zone)).map(ZonedDateTime::toInstant);
        // An expression that never matches again cannot match in a gap either (and searching them all is slow).
        return next.isEmpty() ? next : skippedByGap(after, next.get()).or(() -> next);
    }

    /** The latest run at or before {@code at}, or empty if there is none. */
    public Optional<Instant> latestAtOrBefore(Instant at) {
        ZonedDateTime local = at.truncatedTo(ChronoUnit.SECONDS).atZone(zone);
        if (execution.isMatch(local)) {
            return Optional.of(local.toInstant());
        }
        return execution.lastExecution(local).map(ZonedDateTime::toInstant);
    }

    /**
     * A run whose wall-clock time was skipped by a spring-forward gap between {@code after} and
     * {@code next}: the first local time in the gap the expression matches, read at the offset
     * before the gap, which is the instant the wall clock would have shown it.
     */
    private Optional<Instant> skippedByGap(Instant after, Instant next) {
        ZoneRules rules = zone.getRules();
        ZoneOffsetTransition transition = rules.nextTransition(after);
        for (int i = 0; transition != null && i < MAX_TRANSITIONS; i++, transition = rules.nextTransition(transition.getInstant())) {
            if (!transition.getInstant().isBefore(next)) {
                return Optional.empty();
            }
            if (!transition.isGap()) {
                continue;
            }
            ZoneOffset before = transition.getOffsetBefore();
            LocalDateTime gapStart = transition.getDateTimeBefore();
            LocalDateTime gapEnd = transition.getDateTimeAfter();
            Optional<ZonedDateTime> inGap = execution.nextExecution(gapStart.minusSeconds(1).atZone(before))
                    .filter(t -> t.toLocalDateTime().isBefore(gapEnd));
            if (inGap.isPresent()) {
                Instant shifted = inGap.get().toInstant();
                return shifted.isBefore(next) ? Optional.of(shifted) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }

    @Override
    public String toString() {
        return "CronSchedule[" + expression + " " + zone + "]";
    }
}
