package dev.postroom.chaos;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * A few cycles of a campaign for the test suite: the server jar this build made (on the test class
 * path), a short time under load before each fault, and the campaign's progress kept in memory, to be
 * shown only when the test fails. Node logs stay in {@code target/chaos/<name>} for a post-mortem.
 */
final class ShortCampaign {
    /** Replays a failed run's faults: {@code -Dpostroom.seed=<seed>}. */
    static long seed() {
        String replay = System.getProperty("postroom.seed");
        return replay != null ? Long.parseLong(replay) : new java.security.SecureRandom().nextLong();
    }

    static Path serverJar() {
        return Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(Path::of).filter(p -> p.getFileName().toString().matches("postroom-server-.*-all\\.jar"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no postroom-server-*-all.jar on the test class path"));
    }

    static Path clusterScript() {
        return Path.of(System.getProperty("postroom.root", ".."), ".ci", "postgres-test-cluster").toAbsolutePath().normalize();
    }

    /** A fresh {@code target/chaos/<name>}. */
    static Path workDir(String name) throws IOException {
        Path dir = Path.of("target", "chaos", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    /** Skips the calling test without PostgreSQL installed, saying so; fails instead when {@code POSTROOM_CI=1}. */
    static void requirePostgres() throws IOException {
        Path versions = Path.of("/usr/lib/postgresql");
        boolean installed = false;
        if (Files.isDirectory(versions)) {
            try (Stream<Path> dirs = Files.list(versions)) {
                installed = dirs.anyMatch(v -> Files.isExecutable(v.resolve("bin/initdb")));
            }
        }
        String why = "no PostgreSQL server installed (/usr/lib/postgresql/*/bin/initdb): the PostgreSQL chaos campaign"
                + " SKIPPED. Install Debian's postgresql package to run it.";
        if (!installed && "1".equals(System.getenv("POSTROOM_CI"))) {
            throw new IllegalStateException(why + " (POSTROOM_CI=1: failing instead)");
        }
        if (!installed) {
            System.err.println("WARN " + why);
        }
        Assumptions.assumeTrue(installed, why);
    }

    /** The result of a run, with what it printed. */
    record Run(Verdict verdict, String output) {
    }

    /**
     * C1 only and the serial collector: each server JVM starts 1.5–2.5 s sooner on 2 busy cores,
     * and a short campaign starts four of them. (The recorded campaigns run the JVM's defaults.)
     */
    private static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    static Run run(CampaignSettings.Store store, List<Fault> faults, int cycles, long seed, Path dir) throws Exception {
        CampaignSettings settings = new CampaignSettings(store, cycles, seed, faults, 2, 500, 1500, 2, 2, 20, 90,
                serverJar(), clusterScript(), null, dir, QUICK_START);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            Verdict verdict = new Campaign(settings, out).run();
            return new Run(verdict, printed.toString(StandardCharsets.UTF_8));
        }
    }
}
