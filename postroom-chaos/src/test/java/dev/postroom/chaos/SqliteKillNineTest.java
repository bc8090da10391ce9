package dev.postroom.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short version of {@code ./postroom chaos}: a server on SQLite under HTTP load is killed with
 * SIGKILL three times at random moments and started again on the same data; every acknowledged send
 * is delivered, and every repeat delivery is explained by a nack or a kill. The 50-cycle run is in
 * docs/RELIABILITY.md.
 */
class SqliteKillNineTest {

    @Test
    void threeSigkillsUnderLoadLoseNoAcknowledgedSend() throws Exception {
        long seed = ShortCampaign.seed();
        ShortCampaign.Run run = ShortCampaign.run(CampaignSettings.Store.SQLITE, List.of(Fault.SERVER_KILL), 3, seed,
                ShortCampaign.workDir("sqlite-kill-nine"));
        Verdict verdict = run.verdict();

        String why = "seed " + seed + " (replay with -Dpostroom.seed=" + seed + "):\n" + run.output();
        assertThat(verdict.passed()).as(why).isTrue();
        assertThat(verdict.sigkills()).as(why).isEqualTo(3);
        assertThat(verdict.acknowledgedSends()).as(why).isPositive();
        assertThat(verdict.deliveredMessages()).as(why).isGreaterThanOrEqualTo(verdict.acknowledgedSends());
    }
}
