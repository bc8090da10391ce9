package dev.postroom.chaos;

import java.nio.file.Path;
import java.util.List;

/**
 * One campaign's settings, validated once by {@link #validate()}.
 *
 * @param store            SQLite (one node) or PostgreSQL ({@code nodes} nodes)
 * @param cycles           faults to inject, one per cycle
 * @param seed             fixes when each fault strikes and which one; the load's interleaving varies anyway
 * @param faults           the faults to take turns with, in order
 * @param nodes            server nodes (PostgreSQL only; node-kill needs at least 2)
 * @param minUpMillis      least time under load before a cycle's fault
 * @param maxUpMillis      most time under load before a cycle's fault
 * @param senders          sending threads
 * @param consumers        consuming threads
 * @param sendIntervalMillis each sender's pause between two sends
 * @param drainSeconds     how long the drain may take once the last fault is recovered from
 * @param serverJar        the runnable server jar ({@code postroom-server-*-all.jar})
 * @param clusterScript    {@code .ci/postgres-test-cluster}, to make a private PostgreSQL
 * @param dbUrl            a PostgreSQL JDBC URL to use instead of a private cluster, or null
 * @param workDir          where data directories and node logs go
 * @param serverJvmOptions options for the servers' JVMs, before {@code -jar} (none by default)
 */
record CampaignSettings(Store store, int cycles, long seed, List<Fault> faults, int nodes, long minUpMillis, long maxUpMillis,
                        int senders, int consumers, long sendIntervalMillis, long drainSeconds, Path serverJar,
                        Path clusterScript, String dbUrl, Path workDir, List<String> serverJvmOptions) {

    /** Where the messages live. */
    enum Store { SQLITE, POSTGRES }

    /** Throws naming the setting at fault; returns this. */
    CampaignSettings validate() {
        require(cycles >= 1, "--cycles must be at least 1, was " + cycles);
        require(!faults.isEmpty(), "--faults names no fault");
        require(minUpMillis >= 0 && maxUpMillis >= minUpMillis, "--up-millis must be MIN-MAX with 0 <= MIN <= MAX");
        require(senders >= 1 && consumers >= 1, "--senders and --consumers must be at least 1");
        require(serverJar != null && serverJar.toFile().isFile(), "--server-jar " + serverJar + " is not a file");
        if (store == Store.SQLITE) {
            require(faults.equals(List.of(Fault.SERVER_KILL)), "--store sqlite takes only the fault server-kill, not " + faults);
        } else {
            require(nodes >= 1 && nodes <= 8, "--nodes must be 1-8, was " + nodes);
            require(nodes >= 2 || !faults.contains(Fault.NODE_KILL), "node-kill needs --nodes 2 or more");
            require(dbUrl == null || !faults.contains(Fault.POSTGRES_KILL),
                    "postgres-kill needs the campaign's own PostgreSQL: drop --db-url, or the fault");
            require(dbUrl != null || (clusterScript != null && clusterScript.toFile().isFile()),
                    "--cluster-script " + clusterScript + " is not a file (needed without --db-url)");
        }
        return this;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
