package dev.postroom.store.sqlite.crash;

import dev.postroom.QueuePolicy;
import dev.postroom.StateCounts;
import dev.postroom.store.MessageStore;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.tck.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Kills a process that is sending to and handling from the SQLite store with SIGKILL, several
 * times at random moments, then lets a last run drain the queue, and checks the contract of
 * DESIGN.md "Semantics": an acknowledged send is never lost, and delivery is at-least-once with
 * repeats only for messages that were in flight when a process died.
 *
 * <p>The moments are drawn from a seeded {@link Random}; the seed is printed and a run is
 * replayed (as far as the OS scheduling allows) with {@code -Dpostroom.seed=<seed>}.
 */
class KillNineCrashTest {
    private static final Logger log = LoggerFactory.getLogger(KillNineCrashTest.class);
    private static final int KILLS = 6;
    private static final int MIN_RUN_MILLIS = 300;
    private static final int MAX_RUN_MILLIS = 1500;
    /** Generous bounds for a slow 2-core machine; they only turn a hang into a failure. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final long DRAIN_TIMEOUT_SECONDS = 120;
    /** A handled- or acked-log line: {@code <cycle> m-<sendCycle>-<n>}. */
    private static final Pattern LINE = Pattern.compile("(\\d+) (m-(\\d+)-\\d+)");

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // on failure the logs and the database stay for a look
    Path tmp;

    private ChildJvm child;

    @AfterEach
    void killLeftoverChild() throws InterruptedException {
        if (child != null) {
            child.close();
        }
    }

    @Test
    void acknowledgedMessagesSurviveKillNineAndRepeatsOnlyFollowAKill() throws Exception {
        long seed = Long.getLong("postroom.seed", new SecureRandom().nextLong());
        log.info("seed={} (replay with -Dpostroom.seed={}) dir={}", seed, seed, tmp);
        try {
            run(new Random(seed));
        } catch (AssertionError | Exception e) {
            throw new AssertionError("KillNineCrashTest failed with seed=" + seed
                    + " (replay with -Dpostroom.seed=" + seed + ")", e);
        }
    }

    private void run(Random random) throws Exception {
        Files.createDirectories(dataDir());

        List<Integer> runMillis = new ArrayList<>();
        for (int cycle = 1; cycle <= KILLS; cycle++) {
            child = start(cycle, "run");
            child.awaitReady(CrashChild.READY, READY_TIMEOUT);
            int millis = MIN_RUN_MILLIS + random.nextInt(MAX_RUN_MILLIS - MIN_RUN_MILLIS + 1);
            runMillis.add(millis);
            // The one deliberate wait: how long the child runs before it is killed.
            int status = child.runThenKill(millis);
            assertThat(status).as("exit status of the killed child of cycle %d (128 + SIGKILL)%s", cycle, child.report())
                    .isEqualTo(128 + 9);
        }

        int drainCycle = KILLS + 1;
        child = start(drainCycle, "drain");
        child.awaitSuccess(Duration.ofSeconds(DRAIN_TIMEOUT_SECONDS));
        assertThat(child.stdout()).as("drain output").contains(CrashChild.DRAINED);

        check(drainCycle, runMillis);
    }

    private void check(int drainCycle, List<Integer> runMillis) throws IOException {
        Map<String, Integer> acked = new LinkedHashMap<>(); // payload -> cycle whose send was acked
        for (Matcher line : parse(ackedLog())) {
            Integer before = acked.put(line.group(2), Integer.parseInt(line.group(1)));
            assertThat(before).as("payload %s acked twice: payloads must be unique", line.group(2)).isNull();
            assertThat(Integer.parseInt(line.group(3))).as("send cycle of acked %s", line.group(2))
                    .isEqualTo(Integer.parseInt(line.group(1)));
        }
        Map<String, List<Integer>> handled = new LinkedHashMap<>(); // payload -> cycles that handled it, in order
        for (Matcher line : parse(handledLog())) {
            int cycle = Integer.parseInt(line.group(1));
            int sentIn = Integer.parseInt(line.group(3));
            assertThat(sentIn).as("%s handled in cycle %d was sent in cycle %d", line.group(2), cycle, sentIn)
                    .isLessThanOrEqualTo(Math.min(cycle, KILLS));
            handled.computeIfAbsent(line.group(2), p -> new ArrayList<>()).add(cycle);
        }

        Map<String, List<Integer>> repeated = handled.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        long repeats = repeated.values().stream().mapToLong(cycles -> cycles.size() - 1).sum();
        log.info("kills={} runMillis={} acked={} (per cycle {}) handled={} distinct={} "
                        + "(per cycle {}) repeatedPayloads={} repeats={}",
                KILLS, runMillis, acked.size(), perCycle(acked.values().stream().toList()),
                handled.values().stream().mapToInt(List::size).sum(), handled.size(),
                perCycle(handled.values().stream().flatMap(List::stream).toList()), repeated.size(), repeats);

        assertThat(acked).as("acknowledged sends: the test proves nothing without some").isNotEmpty();

        // 1. No acknowledged message is lost.
        List<String> lost = acked.keySet().stream().filter(p -> !handled.containsKey(p)).toList();
        if (!lost.isEmpty()) {
            fail(lost.size() + " acknowledged messages were never handled (lost); by the cycle that acked them: "
                    + perCycle(lost.stream().map(acked::get).toList()) + "; first ones: "
                    + lost.stream().limit(20).map(p -> p + "@" + acked.get(p)).toList());
        }

        // 2. A message is handled again only after the process that handled it was killed: a repeat
        //    within one run would mean a lease was handed out twice (leases are 30 s and renewed).
        repeated.forEach((payload, cycles) -> {
            for (int i = 1; i < cycles.size(); i++) {
                assertThat(cycles.get(i)).as("%s handled in cycles %s: repeated within one run", payload, cycles)
                        .isGreaterThan(cycles.get(i - 1));
            }
            assertThat(cycles.subList(0, cycles.size() - 1)).as("%s handled in cycles %s: every handling but the "
                    + "last must be in a run that was killed (1..%d)", payload, cycles, KILLS).allMatch(c -> c <= KILLS);
        });

        // 3. Repeats are bounded: only messages in flight at a kill repeat, and the store never
        //    has more in flight than the queue's concurrency.
        int concurrency = QueuePolicy.DEFAULT.concurrency();
        assertThat(repeats).as("repeated handlings (at most %d kills x concurrency %d); repeated: %s", KILLS, concurrency,
                        repeated.entrySet().stream().limit(20).toList())
                .isLessThanOrEqualTo((long) KILLS * concurrency);

        // 4. The store agrees after a clean close and reopen: everything sent and handled is
        //    SUCCEEDED exactly once, nothing is left over, nothing died.
        try (MessageStore store = SqliteMessageStore.open(dataDir())) {
            StateCounts counts = store.counts().get(CrashChild.QUEUE);
            assertThat(counts).as("counts of queue %s after reopening", CrashChild.QUEUE).isNotNull();
            assertThat(counts.ready() + counts.scheduled() + counts.inFlight()).as("unfinished messages: %s", counts).isZero();
            assertThat(counts.dead()).as("dead messages (no handler ever fails here): %s", counts).isZero();
            assertThat(counts.cancelled()).as("cancelled messages: %s", counts).isZero();
            assertThat(counts.succeeded()).as("SUCCEEDED messages vs distinct handled payloads: %s", counts)
                    .isEqualTo(handled.size());
        }
    }

    private static List<Matcher> parse(Path log) throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        List<Matcher> lines = new ArrayList<>();
        int number = 0;
        for (String text : Files.readAllLines(log)) {
            number++;
            Matcher line = LINE.matcher(text);
            if (!line.matches()) {
                fail("malformed line " + number + " of " + log.getFileName() + ": '" + text + "'");
            }
            lines.add(line);
        }
        return lines;
    }

    private static Map<Integer, Long> perCycle(List<Integer> cycles) {
        return cycles.stream().collect(Collectors.groupingBy(c -> c, TreeMap::new, Collectors.counting()));
    }

    private ChildJvm start(int cycle, String mode) throws IOException {
        // Child logs go to stderr at INFO, so stdout carries only the ready and drained lines.
        return ChildJvm.start(tmp, "child-" + cycle, "INFO", CrashChild.class,
                List.of(dataDir().toString(), handledLog().toString(), ackedLog().toString(), Integer.toString(cycle), mode));
    }

    private Path dataDir() {
        return tmp.resolve("data");
    }

    private Path handledLog() {
        return tmp.resolve("handled.log");
    }

    private Path ackedLog() {
        return tmp.resolve("acked.log");
    }
}
