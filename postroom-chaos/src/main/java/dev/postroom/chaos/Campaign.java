package dev.postroom.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One campaign: start the servers, put them under load, inject one fault per cycle at a seeded
 * random moment and recover from it, then stop sending, drain the queue and judge the ledger.
 *
 * <p>Recovery is checked, not helped: after a PostgreSQL fault no node is restarted, and each must
 * answer {@code /health/ready} and accept a send within {@link #RECOVERY_SECONDS}; after a node kill
 * the other node must deliver the messages the dead one had leased before the dead one comes back.
 */
final class Campaign {
    /** How long a node may take to recover by itself from a PostgreSQL fault, or to start again. */
    static final long RECOVERY_SECONDS = 60;
    /** How long leases held across a node kill may take to come back: their lease, plus a busy machine's slack. */
    static final long LEASE_RETURN_SECONDS = 30;
    /** After every node is ready again, requests already on a broken connection still fail for a moment. */
    static final long GRACE_MILLIS = 1000;
    /** Messages kept unacknowledged across each fault. */
    static final int HELD_PER_FAULT = 5;

    private final CampaignSettings settings;
    private final PrintStream out;
    private final ObjectMapper json = new ObjectMapper();
    private final Random random;
    private int sigkills;

    Campaign(CampaignSettings settings, PrintStream out) {
        this.settings = settings.validate();
        this.out = out;
        this.random = new Random(settings.seed());
    }

    /** Runs the campaign to its end; the verdict says whether it passed. */
    Verdict run() throws Exception {
        String token = "pr_chaos_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        Ledger ledger = new Ledger(new FaultWindow());
        out.printf("chaos: seed=%d store=%s cycles=%d faults=%s work=%s%n", settings.seed(), settings.store().name().toLowerCase(),
                settings.cycles(), settings.faults().stream().map(Fault::option).toList(), settings.workDir());
        try (Deployment deployment = deploy(token)) {
            deployment.startAll();
            ObjectNode policy = json.createObjectNode().put("maxAttempts", 1000).put("leaseSeconds", Load.CONSUMER_LEASE_SECONDS);
            policy.putObject("backoff").put("initialSeconds", 0.1).put("maxSeconds", 0.2);
            int created = deployment.client(deployment.nodes().getFirst()).putQueue(Load.QUEUE, policy);
            if (created != 201 && created != 200) {
                throw new IllegalStateException("PUT /api/v1/queues/" + Load.QUEUE + " answered " + created);
            }
            try (Load load = new Load(deployment, ledger, settings.sendIntervalMillis())) {
                load.start(settings.senders(), settings.consumers());
                for (int cycle = 1; cycle <= settings.cycles(); cycle++) {
                    long up = settings.minUpMillis() + (long) (random.nextDouble() * (settings.maxUpMillis() - settings.minUpMillis()));
                    Thread.sleep(up);
                    Fault fault = settings.faults().get((cycle - 1) % settings.faults().size());
                    ServerNode victim = deployment.nodes().get(random.nextInt(deployment.nodes().size()));
                    long started = System.nanoTime();
                    String what = inject(fault, victim, deployment, load, ledger, cycle);
                    out.printf("chaos: cycle %d/%d %s after %d ms under load: %s; recovered in %d ms; acknowledged sends %d, deliveries %d%n",
                            cycle, settings.cycles(), fault.option(), up, what,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), ledger.acknowledgedSends(), ledger.deliveryCount());
                }
                load.stopSending();
                drain(deployment, ledger);
            }
            Verdict verdict = ledger.verdict(settings.cycles(), sigkills);
            report(verdict, ledger, deployment);
            return verdict;
        }
    }

    private Deployment deploy(String token) throws IOException, InterruptedException {
        if (settings.store() == CampaignSettings.Store.SQLITE) {
            return Deployment.sqlite(settings.serverJar(), settings.serverJvmOptions(), settings.workDir(), token, json);
        }
        PostgresCluster postgres = settings.dbUrl() != null ? PostgresCluster.external(settings.dbUrl())
                : PostgresCluster.startPrivate(settings.clusterScript());
        return Deployment.postgres(settings.serverJar(), settings.serverJvmOptions(), settings.workDir(), token, json, postgres,
                settings.nodes(), settings.seed());
    }

    /** Holds a few leases, injects the fault, waits for recovery; returns what happened, for the progress line. */
    private String inject(Fault fault, ServerNode victim, Deployment deployment, Load load, Ledger ledger, int cycle) throws Exception {
        List<Delivery> held = load.hold(victim, HELD_PER_FAULT);
        FaultWindow window = ledger.window();
        window.open();
        String what;
        switch (fault) {
            case SERVER_KILL -> {
                int status = kill(victim, deployment, ledger, cycle);
                Thread.sleep(random.nextInt(500));
                deployment.start(victim);
                what = victim.name() + " killed (exit " + status + ") and started again";
            }
            case NODE_KILL -> {
                int status = kill(victim, deployment, ledger, cycle);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LEASE_RETURN_SECONDS);
                while (!ledger.cameBack(held, victim.name()) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                boolean back = ledger.cameBack(held, victim.name());
                if (!back) {
                    ledger.failure("cycle " + cycle + ": of the " + held.size() + " messages " + victim.name()
                            + " had leased when killed, some were not delivered again by another node within " + LEASE_RETURN_SECONDS + " s");
                }
                deployment.start(victim);
                what = victim.name() + " killed (exit " + status + ") holding " + held.size() + " leases, "
                        + (back ? "all delivered again by another node" : "NOT all delivered again") + ", then started again";
            }
            case POSTGRES_KILL -> {
                PostgresCluster postgres = deployment.postgres().orElseThrow();
                postgres.kill();
                long down = 200 + random.nextInt(1300);
                Thread.sleep(down);
                postgres.startAgain();
                what = "PostgreSQL killed, down " + down + " ms, started again";
            }
            case POSTGRES_TERMINATE -> {
                int ended = terminate(deployment);
                what = ended + " sessions ended";
            }
            default -> throw new IllegalStateException(fault.toString());
        }
        recover(deployment, ledger, cycle);
        Thread.sleep(GRACE_MILLIS);
        window.close();
        return what;
    }

    private int kill(ServerNode victim, Deployment deployment, Ledger ledger, int cycle) throws InterruptedException {
        int status = deployment.kill(victim);
        if (status == ServerNode.KILLED_BY_SIGKILL) {
            sigkills++;
        } else {
            ledger.failure("cycle " + cycle + ": " + victim.name() + " exited " + status + ", not " + ServerNode.KILLED_BY_SIGKILL + " (SIGKILL)");
        }
        return status;
    }

    private int terminate(Deployment deployment) throws SQLException {
        return deployment.postgres().orElseThrow().terminateSessions(deployment.applicationName());
    }

    /** Every node ready and accepting a send, by itself, within {@link #RECOVERY_SECONDS}; a failure otherwise. */
    private void recover(Deployment deployment, Ledger ledger, int cycle) throws InterruptedException {
        List<String> notReady = deployment.awaitReady(RECOVERY_SECONDS);
        if (!notReady.isEmpty()) {
            ledger.failure("cycle " + cycle + ": " + notReady + " not ready " + RECOVERY_SECONDS + " s after the fault");
            return;
        }
        for (ServerNode node : deployment.nodes()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RECOVERY_SECONDS);
            String id = null;
            for (int attempt = 1; id == null && System.nanoTime() < deadline; attempt++) {
                // A key per attempt: a refused attempt may have been stored all the same.
                String key = "probe-" + cycle + "-" + node.name() + "-" + attempt;
                try {
                    id = deployment.client(node).send(Load.QUEUE, key);
                } catch (IOException notYet) {
                    // the node is still reconnecting: try again
                }
                if (id == null) {
                    ledger.unacknowledged(key);
                    Thread.sleep(100);
                } else {
                    ledger.acknowledged(key, id);
                }
            }
            if (id == null) {
                ledger.failure("cycle " + cycle + ": " + node.name() + " accepted no send " + RECOVERY_SECONDS + " s after the fault");
            }
        }
    }

    /** Consumers go on until every acknowledged send is acked and the queue is empty, or the drain's time is up. */
    private void drain(Deployment deployment, Ledger ledger) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(settings.drainSeconds());
        while (System.nanoTime() < deadline) {
            for (String id : ledger.ackedMaybe()) {
                if (state(deployment, id).equals("SUCCEEDED")) {
                    ledger.succeededOnServer(id);
                }
            }
            if (ledger.everyAcknowledgedSendAcked() && queueEmpty(deployment)) {
                out.printf("chaos: drained in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                return;
            }
            Thread.sleep(200);
        }
        out.printf("chaos: the drain did not finish within %d s%n", settings.drainSeconds());
    }

    private boolean queueEmpty(Deployment deployment) {
        try {
            JsonNode counts = deployment.client(deployment.nodes().getFirst()).counts(Load.QUEUE);
            return counts != null && counts.path("ready").asLong() + counts.path("inFlight").asLong() + counts.path("scheduled").asLong() == 0;
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    private static String state(Deployment deployment, String id) {
        try {
            return deployment.client(deployment.nodes().getFirst()).state(id);
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }

    private void report(Verdict verdict, Ledger ledger, Deployment deployment) {
        out.println("chaos: " + verdict.summary());
        for (String id : ledger.lostIds().stream().limit(20).toList()) {
            out.println("chaos: LOST " + id + " (state on the server: " + state(deployment, id) + ")");
        }
        ledger.unfinished().entrySet().stream().limit(20).forEach(u -> out.println("chaos: UNFINISHED " + u.getKey()
                + " (state on the server: " + state(deployment, u.getKey()) + "), deliveries: " + u.getValue()));
        verdict.unexplained().stream().limit(20).forEach(u -> out.println("chaos: UNEXPLAINED " + u));
        verdict.failures().forEach(f -> out.println("chaos: FAILURE " + f));
        out.printf("chaos: %s (seed %d; node logs in %s)%n", verdict.passed() ? "PASSED" : "FAILED", settings.seed(), settings.workDir());
    }
}
