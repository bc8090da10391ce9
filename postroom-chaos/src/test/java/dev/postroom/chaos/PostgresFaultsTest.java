package dev.postroom.chaos;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short version of {@code ./postroom chaos --store postgres}: two nodes on a private, durable
 * PostgreSQL under HTTP load go through one SIGKILL of PostgreSQL (postmaster and backends), one
 * {@code pg_terminate_backend} of their sessions, and one SIGKILL of a node holding leases. Nothing
 * acknowledged is lost; both nodes recover with no restart; the dead node's leases are delivered
 * again by the other node. Needs Debian's {@code postgresql} package: skipped without it, with a
 * warning, or failed when {@code POSTROOM_CI=1}.
 */
class PostgresFaultsTest {

    @Test
    void postgresKilledSessionsEndedAndANodeKilledLoseNoAcknowledgedSend() throws Exception {
        ShortCampaign.requirePostgres();
        long seed = ShortCampaign.seed();
        ShortCampaign.Run run = ShortCampaign.run(CampaignSettings.Store.POSTGRES,
                List.of(Fault.POSTGRES_KILL, Fault.POSTGRES_TERMINATE, Fault.NODE_KILL), 3, seed, ShortCampaign.workDir("postgres-faults"));
        Verdict verdict = run.verdict();

        String why = "seed " + seed + " (replay with -Dpostroom.seed=" + seed + "):\n" + run.output();
        assertThat(verdict.passed()).as(why).isTrue();
        assertThat(verdict.sigkills()).as("the node killed").isEqualTo(1);
        assertThat(verdict.acknowledgedSends()).as(why).isPositive();
        assertThat(verdict.held()).as("leases held across the faults, %s", why).isPositive();
        assertThat(run.output()).as(why).contains("all delivered again by another node");
    }
}
