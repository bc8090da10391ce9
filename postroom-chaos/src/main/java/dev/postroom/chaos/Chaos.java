package dev.postroom.chaos;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ./postroom chaos}: a kill -9 campaign against real servers. Exit status 0 when nothing
 * acknowledged was lost and every fault was recovered from, 1 otherwise, 2 for bad options.
 * <pre>
 * ./postroom chaos --cycles 50                       # SQLite: SIGKILL of the server, 50 times
 * ./postroom chaos --store postgres --cycles 9       # PostgreSQL killed, sessions ended, a node killed
 * ./postroom chaos --cycles 50 --seed 42             # the same faults at the same moments as another run
 * </pre>
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Puts a real Postroom server under HTTP load (single and batched sends, receives of one or many,"
                + " acks, nacks), injects a fault per cycle at a random moment (SIGKILL of the server; on PostgreSQL also"
                + " SIGKILL of the database, pg_terminate_backend of the nodes' sessions, SIGKILL of a node holding leases),"
                + " then drains the queue and checks that every acknowledged send was delivered and every repeat is"
                + " explained by a nack or a fault. See docs/RELIABILITY.md."})
public final class Chaos implements Callable<Integer> {
    @Option(names = "--cycles", description = "Faults to inject, one per cycle (default: ${DEFAULT-VALUE}).")
    int cycles = 10;

    @Option(names = "--seed", description = "Seed of the faults' moments and victims (default: random, printed).")
    Long seed;

    @Option(names = "--store", description = "sqlite or postgres (default: ${DEFAULT-VALUE}).")
    String store = "sqlite";

    @Option(names = "--faults", split = ",", description = "Faults to take turns with: server-kill (SQLite's only one),"
            + " postgres-kill, postgres-terminate, node-kill (default: server-kill on SQLite; postgres-kill,"
            + "postgres-terminate,node-kill on PostgreSQL).")
    List<String> faults;

    @Option(names = "--db-url", description = "PostgreSQL JDBC URL to use instead of a private cluster (no postgres-kill then).")
    String dbUrl;

    @Option(names = "--nodes", description = "Server nodes on PostgreSQL (default: ${DEFAULT-VALUE}).")
    int nodes = 2;

    @Option(names = "--up-millis", description = "Time under load before each fault, MIN-MAX milliseconds (default: ${DEFAULT-VALUE}).")
    String upMillis = "1000-4000";

    @Option(names = "--senders", description = "Sending threads (default: ${DEFAULT-VALUE}).")
    int senders = 2;

    @Option(names = "--consumers", description = "Consuming threads; half of them ack in batches (default: ${DEFAULT-VALUE}).")
    int consumers = 2;

    @Option(names = "--send-interval-millis", description = "Each sender's pause between sends (default: ${DEFAULT-VALUE}).")
    long sendIntervalMillis = 20;

    @Option(names = "--drain-seconds", description = "Longest drain after the last fault (default: ${DEFAULT-VALUE}).")
    long drainSeconds = 120;

    @Option(names = "--server-jar", required = true, description = "The runnable server jar (postroom-server-*-all.jar; ./postroom passes it).")
    Path serverJar;

    @Option(names = "--cluster-script", description = "The private PostgreSQL's script (default: ${DEFAULT-VALUE}).")
    Path clusterScript = Path.of(".ci", "postgres-test-cluster");

    @Option(names = "--server-java-opts", description = "Options for the servers' JVMs, space-separated,"
            + " e.g. \"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC\" to start them faster (default: none).")
    String serverJavaOpts = "";

    @Option(names = "--work-dir", description = "Where data and node logs go (default: a new temporary directory, kept).")
    Path workDir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Chaos()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        CampaignSettings settings;
        try {
            settings = settings().validate();
        } catch (IllegalArgumentException e) {
            System.err.println("chaos: " + e.getMessage());
            return 2;
        }
        return new Campaign(settings, System.out).run().passed() ? 0 : 1;
    }

    private CampaignSettings settings() throws java.io.IOException {
        CampaignSettings.Store chosen = switch (store) {
            case "sqlite" -> CampaignSettings.Store.SQLITE;
            case "postgres" -> CampaignSettings.Store.POSTGRES;
            default -> throw new IllegalArgumentException("--store must be sqlite or postgres, was " + store);
        };
        List<Fault> chosenFaults = faults != null ? faults.stream().map(Fault::ofOption).toList()
                : chosen == CampaignSettings.Store.SQLITE ? List.of(Fault.SERVER_KILL)
                : dbUrl != null ? List.of(Fault.POSTGRES_TERMINATE, Fault.NODE_KILL)
                : List.of(Fault.POSTGRES_KILL, Fault.POSTGRES_TERMINATE, Fault.NODE_KILL);
        long[] up = Arrays.stream(upMillis.split("-", 2)).mapToLong(Long::parseLong).toArray();
        if (up.length != 2) {
            throw new IllegalArgumentException("--up-millis must be MIN-MAX, was " + upMillis);
        }
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("postroom-chaos");
        return new CampaignSettings(chosen, cycles, seed != null ? seed : new SecureRandom().nextLong(), chosenFaults, nodes,
                up[0], up[1], senders, consumers, sendIntervalMillis, drainSeconds, serverJar, clusterScript, dbUrl, dir,
                serverJavaOpts.isBlank() ? List.of() : List.of(serverJavaOpts.strip().split("\\s+")));
    }
}
