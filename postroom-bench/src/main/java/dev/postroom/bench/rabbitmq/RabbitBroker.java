package dev.postroom.bench.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import dev.postroom.bench.DiskWrites;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private RabbitMQ node run as a child process for one bench run, never the system's service:
 * node {@code postroom-bench@localhost}, AMQP on 127.0.0.1 at a free port, Erlang distribution and
 * its own epmd on 127.0.0.1 at free ports, and all of its files (data, logs, config, Erlang cookie)
 * in a temporary directory that {@link #close()} deletes after stopping the node. The management
 * plugin stays off (empty enabled-plugins file), so the broker spends no CPU on statistics for it.
 *
 * <p>Started by hand as root, Debian's scripts need: {@code HOME} (the Erlang cookie is
 * {@code $HOME/.erlang.cookie}, read by the server and by {@code rabbitmqctl}, owner-only mode),
 * {@code RABBITMQ_CONF_ENV_FILE} (otherwise {@code /etc/rabbitmq/rabbitmq-env.conf} is read), and
 * {@code ERL_EPMD_PORT} for both. {@code RABBITMQ_DIST_PORT} sets the distribution port but not its
 * address, hence {@code -kernel inet_dist_use_interface}.
 */
public final class RabbitBroker implements AutoCloseable {
    /** Node name; the host part must resolve locally, and "localhost" always does. */
    static final String NODE = "postroom-bench@localhost";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final RabbitInstallation installation;
    private final Path dir;
    private final int amqpPort;
    private final int epmdPort;
    private final Map<String, String> environment;
    private final Process process;
    private final Thread stopOnExit;
    private long beamPid = -1;
    private boolean closed;

    private RabbitBroker(RabbitInstallation installation, Path dir, int amqpPort, int epmdPort, Map<String, String> environment,
                         Process process) {
        this.installation = installation;
        this.dir = dir;
        this.amqpPort = amqpPort;
        this.epmdPort = epmdPort;
        this.environment = environment;
        this.process = process;
        // Ctrl-C during a run must not leave a broker (and its epmd) behind.
        this.stopOnExit = new Thread(this::stop, "rabbitmq-stop-on-exit");
        Runtime.getRuntime().addShutdownHook(stopOnExit);
    }

    /**
     * Starts a node with its files in a new directory under {@code parent} and returns once it
     * accepts AMQP connections.
     *
     * @throws IllegalStateException if it does not start within two minutes (its log's tail is in the message)
     */
    public static RabbitBroker start(RabbitInstallation installation, Path parent) throws IOException, InterruptedException {
        Files.createDirectories(parent);
        Path dir = Files.createTempDirectory(parent.toAbsolutePath(), "rabbitmq");
        int amqpPort = freePort();
        int distPort = freePort();
        int epmdPort = freePort();
        Map<String, String> environment = environment(dir, amqpPort, distPort, epmdPort);
        ProcessBuilder builder = new ProcessBuilder(installation.server().toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile());
        builder.environment().putAll(environment);
        RabbitBroker broker = new RabbitBroker(installation, dir, amqpPort, epmdPort, environment, builder.start());
        try {
            broker.awaitStartup();
            return broker;
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.close();
            throw e;
        }
    }

    /** A factory for connections to this node (guest, which RabbitMQ admits from loopback only). */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(amqpPort);
        // A dropped connection is a failed run, not something to paper over with a reconnect.
        factory.setAutomaticRecoveryEnabled(false);
        return factory;
    }

    /**
     * Bytes the broker's VM (beam.smp) has caused to be written to storage so far, from
     * {@code /proc/<pid>/io}'s {@code write_bytes}: data, Ra WAL and segments, message store, logs.
     */
    public long bytesWritten() throws IOException {
        long bytes = DiskWrites.of(beamPid);
        if (bytes < 0) {
            throw new IOException("no write_bytes in /proc/" + beamPid + "/io");
        }
        return bytes;
    }

    /** Stops the node ({@code rabbitmqctl stop}, killed if it does not go), its epmd, and deletes its files. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or has run: nothing left to remove.
        }
        deleteDirectory();
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (process.isAlive()) {
                ctl(STOP_TIMEOUT, "stop");
            }
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                System.out.println("rabbitmq: node did not stop within " + STOP_TIMEOUT.toSeconds() + " s, killing it");
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            // The VM started this epmd as a daemon on our private port; nothing else uses that port.
            run(Duration.ofSeconds(10), "epmd", "-port", Integer.toString(epmdPort), "-kill");
        } catch (IOException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStartup() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        // await_startup fails at once while the node has not registered with epmd yet, so ask again.
        while (ctl(Duration.ofSeconds(60), "await_startup", "--timeout", "60") != 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rabbitmq: the node exited during start-up (exit " + process.exitValue() + "): " + logTail());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("rabbitmq: the node did not start within " + STARTUP_TIMEOUT.toSeconds() + " s: " + logTail());
            }
            Thread.sleep(500);
        }
        beamPid = findBeamPid().orElseThrow(() -> new IllegalStateException("rabbitmq: no beam.smp process under the broker's script"));
    }

    /** The script forks the VM (to turn SIGTERM into a clean stop), so the VM is a descendant, not the child itself. */
    private Optional<Long> findBeamPid() {
        return process.toHandle().descendants()
                .filter(p -> p.info().command().map(c -> c.endsWith("/beam.smp")).orElse(false))
                .map(ProcessHandle::pid)
                .findFirst();
    }

    private int ctl(Duration timeout, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(installation.ctl().toString(), "-n", NODE));
        command.addAll(List.of(arguments));
        return run(timeout, command.toArray(String[]::new));
    }

    private int run(Duration timeout, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("cli.log").toFile()));
        builder.environment().putAll(environment);
        Process cli = builder.start();
        if (!cli.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            cli.destroyForcibly().waitFor();
            return -1;
        }
        return cli.exitValue();
    }

    private static Map<String, String> environment(Path dir, int amqpPort, int distPort, int epmdPort) throws IOException {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path cookie = home.resolve(".erlang.cookie");
        byte[] secret = new byte[20];
        new SecureRandom().nextBytes(secret);
        Files.writeString(cookie, HexFormat.of().formatHex(secret).toUpperCase());
        // Erlang refuses a cookie file that others can read.
        Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
        Files.writeString(dir.resolve("rabbitmq-env.conf"), "# deliberately empty: the environment sets everything\n");
        Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
        Files.writeString(dir.resolve("rabbitmq.conf"), """
                log.console = false
                log.file.level = warning
                """);
        return Map.ofEntries(
                Map.entry("HOME", home.toString()),
                Map.entry("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString()),
                Map.entry("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString()),
                Map.entry("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString()),
                Map.entry("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString()),
                Map.entry("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString()),
                Map.entry("RABBITMQ_LOG_BASE", dir.resolve("log").toString()),
                Map.entry("RABBITMQ_PLUGINS_EXPAND_DIR", dir.resolve("plugins-expand").toString()),
                Map.entry("RABBITMQ_PID_FILE", dir.resolve("rabbitmq.pid").toString()),
                Map.entry("RABBITMQ_NODENAME", NODE),
                Map.entry("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1"),
                Map.entry("RABBITMQ_NODE_PORT", Integer.toString(amqpPort)),
                Map.entry("RABBITMQ_DIST_PORT", Integer.toString(distPort)),
                Map.entry("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}"),
                Map.entry("ERL_EPMD_ADDRESS", "127.0.0.1"),
                Map.entry("ERL_EPMD_PORT", Integer.toString(epmdPort)));
    }

    /** A port free now on 127.0.0.1; another process could take it before the broker does, which start-up would report. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private String logTail() {
        try (Stream<Path> files = Stream.of(dir.resolve("console.log"), dir.resolve("log").resolve(NODE + ".log"))) {
            List<String> lines = new ArrayList<>();
            files.filter(Files::exists).forEach(file -> {
                try {
                    List<String> all = Files.readAllLines(file);
                    lines.addAll(all.subList(Math.max(0, all.size() - 15), all.size()));
                } catch (IOException e) {
                    lines.add(file + ": " + e.getMessage());
                }
            });
            return String.join(System.lineSeparator(), lines);
        }
    }

    private void deleteDirectory() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
