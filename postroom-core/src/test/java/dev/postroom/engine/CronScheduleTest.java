package dev.postroom.engine;

import dev.postroom.InvalidMessageException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronScheduleTest {

    @Test
    void fiveFieldsAreUnixCronAndSixHaveLeadingSeconds() {
        Instant at = Instant.parse("2026-05-04T10:00:00Z");
        assertThat(CronSchedule.parse("15 10 * * *", null).nextAfter(at)).contains(Instant.parse("2026-05-04T10:15:00Z"));
        assertThat(CronSchedule.parse("30 15 10 * * *", null).nextAfter(at)).contains(Instant.parse("2026-05-04T10:15:30Z"));
        // Day of month and day of week both given: either matches, as in Vixie cron (4 May 2026 is a Monday).
        assertThat(CronSchedule.parse("0 12 1 * 1", null).nextAfter(at)).contains(Instant.parse("2026-05-04T12:00:00Z"));
        assertThat(CronSchedule.parse("0 0 * * 7", null).nextAfter(at)).contains(Instant.parse("2026-05-10T00:00:00Z"));
    }

    @Test
    void theNextRunIsStrictlyAfter() {
        Instant onTheMinute = Instant.parse("2026-05-04T10:15:00Z");
        assertThat(CronSchedule.parse("* * * * *", null).nextAfter(onTheMinute)).contains(onTheMinute.plusSeconds(60));
    }

    @Test
    void runsAreOnWholeSecondsWhateverTheFractionOfNow() {
        Instant fraction = Instant.parse("2026-05-04T10:15:00.268Z");
        assertThat(CronSchedule.parse("* * * * * *", null).nextAfter(fraction)).contains(Instant.parse("2026-05-04T10:15:01Z"));
        assertThat(CronSchedule.parse("* * * * *", null).nextAfter(fraction)).contains(Instant.parse("2026-05-04T10:16:00Z"));
        assertThat(CronSchedule.parse("* * * * * *", null).latestAtOrBefore(fraction)).contains(Instant.parse("2026-05-04T10:15:00Z"));
    }

    @Test
    void withoutAZoneItIsUtcByName() {
        assertThat(CronSchedule.parse("0 * * * *", null).zone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(CronSchedule.parse("0 * * * *", " ").zone().getId()).isEqualTo("UTC");
    }

    @Test
    void aRunInANewYorkGapIsShiftedByTheGapAndOneInItsOverlapRunsOnce() {
        // 8 March 2026: New York skips 02:00-03:00 EST; 1 November 2026: 01:00-02:00 happens twice.
        CronSchedule daily = CronSchedule.parse("30 2 * * *", "America/New_York");
        assertThat(daily.nextAfter(Instant.parse("2026-03-07T12:00:00Z"))).contains(Instant.parse("2026-03-07T07:30:00Z").plusSeconds(86_400));
        CronSchedule overlap = CronSchedule.parse("30 1 * * *", "America/New_York");
        Instant first = overlap.nextAfter(Instant.parse("2026-10-31T12:00:00Z")).orElseThrow();
        assertThat(first).isEqualTo(Instant.parse("2026-11-01T05:30:00Z"));
        assertThat(overlap.nextAfter(first)).contains(Instant.parse("2026-11-02T06:30:00Z"));
    }

    @Test
    void latestAtOrBeforeFindsTheLastRun() {
        CronSchedule hourly = CronSchedule.parse("0 * * * *", null);
        assertThat(hourly.latestAtOrBefore(Instant.parse("2026-05-04T10:59:59Z"))).contains(Instant.parse("2026-05-04T10:00:00Z"));
        assertThat(hourly.latestAtOrBefore(Instant.parse("2026-05-04T10:00:00Z"))).contains(Instant.parse("2026-05-04T10:00:00Z"));
    }

    @Test
    void badInputNamesTheField() {
        assertField(() -> CronSchedule.parse("0 24 * * *", null), "cron");
        assertField(() -> CronSchedule.parse("0 * * *", null), "cron");
        assertField(() -> CronSchedule.parse(null, null), "cron");
        assertField(() -> CronSchedule.parse("@daily", null), "cron");
        assertField(() -> CronSchedule.parse("0 * * * *", "Europe/Atlantis"), "timezone");
        assertThatThrownBy(() -> CronSchedule.parse("0 * * *", null)).hasMessageContaining("had 4");
    }

    private static void assertField(Runnable parse, String field) {
        assertThatThrownBy(parse::run).isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo(field));
    }
}
