package dev.postroom.bench.rabbitmq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds Debian's {@code rabbitmq-server} package (3.10.8 on Debian 12), installing it with apt when
 * the bench runs as root and it is missing. Its scripts are used directly from
 * {@value #BIN}: the wrapper in {@code /usr/sbin} switches to the {@code rabbitmq} user and the
 * system's data directory, which a private broker must not share. Where apt starts services on
 * install (systemd, no {@code policy-rc.d} veto), installing also starts Debian's own broker (node
 * {@code rabbit}, port 5672); the bench neither uses nor stops it.
 */
public final class RabbitInstallation {
    /** Where Debian's package keeps the unwrapped server and CLI scripts. */
    static final String BIN = "/usr/lib/rabbitmq/bin";

    private final Path bin;

    private RabbitInstallation(Path bin) {
        this.bin = bin;
    }

    /**
     * The installed broker, after installing it when missing (root with apt only); empty, with one
     * line on standard output saying why and how to install it, when there is none.
     */
    public static Optional<RabbitInstallation> findOrInstall() {
        Path bin = Path.of(BIN);
        if (installed(bin)) {
            return Optional.of(new RabbitInstallation(bin));
        }
        if (!runningAsRootWithApt()) {
            System.out.println("rabbitmq: skipped, rabbitmq-server is not installed (" + BIN + "/rabbitmq-server missing);"
                    + " install it with: sudo apt-get install rabbitmq-server");
            return Optional.empty();
        }
        System.out.println("rabbitmq: installing Debian's rabbitmq-server (apt-get install -y rabbitmq-server)...");
        // A stale or absent package list (fresh containers) makes the first try fail: update and retry.
        if (!apt("install", "-y", "-qq", "rabbitmq-server")) {
            if (!apt("update", "-qq") || !apt("install", "-y", "-qq", "rabbitmq-server")) {
                System.out.println("rabbitmq: skipped, apt-get could not install rabbitmq-server (its output is above);"
                        + " install it with: sudo apt-get install rabbitmq-server");
                return Optional.empty();
            }
        }
        if (!installed(bin)) {
            System.out.println("rabbitmq: skipped, apt-get installed rabbitmq-server but " + BIN + " has no rabbitmq-server or rabbitmqctl");
            return Optional.empty();
        }
        return Optional.of(new RabbitInstallation(bin));
    }

    Path server() {
        return bin.resolve("rabbitmq-server");
    }

    Path ctl() {
        return bin.resolve("rabbitmqctl");
    }

    private static boolean installed(Path bin) {
        return Files.isExecutable(bin.resolve("rabbitmq-server")) && Files.isExecutable(bin.resolve("rabbitmqctl"));
    }

    private static boolean runningAsRootWithApt() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/apt-get"));
    }

    /** Runs apt-get quietly: its (dpkg's) progress lines are shown only when it fails. */
    private static boolean apt(String... arguments) {
        try {
            Path log = Files.createTempFile("apt-get", ".log");
            try {
                ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of("apt-get"), Stream.of(arguments)).toList())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
                if (builder.start().waitFor() == 0) {
                    return true;
                }
                System.out.println(Files.readString(log));
                return false;
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            System.out.println("rabbitmq: apt-get failed to start: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
