package dev.postroom.dist;

import dev.postroom.server.ServerCommand;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * The distributions as an operator gets them: {@code packaging/build.sh} (what {@code ./postroom
 * package} runs) makes the tarball and the .deb once for the whole class, from the server jar this
 * build made; each test unpacks what it needs into a temporary directory. The tarball's server runs
 * with no JDK on the PATH and no JAVA_HOME (and {@code /usr/bin/java}, where present, is not the
 * one it runs on); the .deb is unpacked with {@code dpkg -x} / {@code dpkg -e}, never installed, and
 * its postinst runs in a temporary root with stand-ins for adduser and chown.
 */
class DistributionTest {
    private static final String VERSION = System.getProperty("postroom.version");
    private static final String DEB_VERSION = VERSION.replace('-', '~');
    private static final Path ROOT = Path.of(System.getProperty("postroom.root")).toAbsolutePath().normalize();
    private static final Path DIST = Path.of(System.getProperty("postroom.dist")).toAbsolutePath().normalize();
    private static final String TOKEN = "pr_dist_test_token_0123456789";

    @BeforeAll
    static void buildTheDistributions() throws Exception {
        for (String tool : List.of("dpkg-deb", "fakeroot", "dpkg", "tar")) {
            if (run(List.of("sh", "-c", "command -v " + tool), null, Map.of()).exitCode != 0) {
                fail(tool + " is missing; the distribution tests need it (sudo apt-get install dpkg-dev fakeroot)");
            }
        }
        Path jar = serverJar();
        String javaHome = System.getProperty("java.home");
        Result build = run(List.of(ROOT.resolve("packaging/build.sh").toString(), jar.toString(), VERSION, DIST.toString()),
                ROOT.toFile(), Map.of("JAVA_HOME", javaHome));
        assertThat(build.exitCode).as("packaging/build.sh failed:%n%s", build.output).isZero();
    }

    @Test
    void tarballServerRunsOnItsBundledRuntimeWithoutAJdkAndStopsCleanlyOnSigterm(@TempDir Path tmp) throws Exception {
        Path home = untar(tmp);
        Path log = tmp.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/postroom").toString(), "server",
                "--host", "127.0.0.1", "--port", "0", "--data", tmp.resolve("data").toString())
                .directory(tmp.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.clear(); // no JAVA_HOME, no JDK on the PATH, none of the build's POSTROOM_* settings
        env.put("PATH", "/usr/bin:/bin");
        env.put("POSTROOM_ADMIN_TOKEN", TOKEN);
        Process server = builder.start();
        try {
            Pattern listening = Pattern.compile("Postroom listening on http://127\\.0\\.0\\.1:(\\d+)");
            String base = await("the server's 'listening' line in " + log).atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        assertThat(server.isAlive()).as("server exited early:%n%s", read(log)).isTrue();
                        Matcher m = listening.matcher(read(log));
                        return m.find() ? "http://127.0.0.1:" + m.group(1) : null;
                    }, url -> url != null);

            // bin/postroom execs the bundled java, so the process is that binary (its /proc/<pid>/exe)
            String command = server.toHandle().info().command().orElseThrow();
            assertThat(Path.of(command).toRealPath()).isEqualTo(home.resolve("runtime/bin/java").toRealPath());

            HttpClient http = HttpClient.newHttpClient();
            assertThat(call(http, "PUT", base + "/api/v1/queues/dist.check", "{\"maxAttempts\": 3}").statusCode())
                    .isBetween(200, 201);
            HttpResponse<String> sent = call(http, "POST", base + "/api/v1/queues/dist.check/messages",
                    "{\"payload\": {\"hello\": \"from the tarball\"}}");
            assertThat(sent.statusCode()).as(sent.body()).isBetween(200, 202);
            HttpResponse<String> received = call(http, "POST", base + "/api/v1/queues/dist.check/receive", "{\"waitSeconds\": 5}");
            assertThat(received.body()).contains("from the tarball");
            String id = field(received.body(), "id");
            String lease = field(received.body(), "leaseId");
            HttpResponse<String> acked = call(http, "POST", base + "/api/v1/messages/" + id + "/ack", "{\"leaseId\": \"" + lease + "\"}");
            assertThat(acked.statusCode()).as(acked.body()).isEqualTo(200);
            assertThat(acked.body()).contains("SUCCEEDED");

            server.destroy(); // SIGTERM
            // a bound so that a hung server fails the test instead of the build; not a timing assertion
            assertThat(server.waitFor(120, TimeUnit.SECONDS)).as("server still running after SIGTERM:%n%s", read(log)).isTrue();
            assertThat(server.exitValue()).as("exit code after SIGTERM; log:%n%s", read(log)).isZero();
            assertThat(read(log)).contains("shut down cleanly");
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void tarballHoldsTheLauncherJarRuntimeUnitAndSampleConfiguration(@TempDir Path tmp) throws Exception {
        Path home = untar(tmp);
        assertThat(home.resolve("bin/postroom")).isExecutable();
        assertThat(read(home.resolve("bin/postroom"))).contains("--enable-native-access=ALL-UNNAMED", "runtime/bin/java");
        assertThat(home.resolve("lib/postroom.jar")).isRegularFile();
        assertThat(home.resolve("runtime/bin/java")).isExecutable();
        assertThat(home.resolve("runtime/bin/javac")).doesNotExist();
        assertThat(home.resolve("postroom.service")).hasSameTextualContentAs(ROOT.resolve("packaging/postroom.service"));
        assertThat(home.resolve("postroom.properties")).hasSameTextualContentAs(ROOT.resolve("packaging/postroom.properties"));
    }

    @Test
    void debInstallsUnderOptWithTheSystemdUnitAndTheConfigurationAsAConffile(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("root");
        Path control = tmp.resolve("control");
        Path deb = deb();
        assertThat(run(List.of("dpkg", "-x", deb.toString(), root.toString()), null, Map.of()).exitCode).isZero();
        assertThat(run(List.of("dpkg", "-e", deb.toString(), control.toString()), null, Map.of()).exitCode).isZero();

        assertThat(root.resolve("opt/postroom/bin/postroom")).isExecutable();
        assertThat(root.resolve("opt/postroom/runtime/bin/java")).isExecutable();
        assertThat(root.resolve("opt/postroom/lib/postroom.jar")).isRegularFile();
        assertThat(Files.readSymbolicLink(root.resolve("usr/bin/postroom"))).isEqualTo(Path.of("/opt/postroom/bin/postroom"));

        String unit = read(root.resolve("lib/systemd/system/postroom.service"));
        assertThat(unit).contains("User=postroom", "Group=postroom", "Restart=on-failure",
                "ExecStart=/opt/postroom/bin/postroom server",
                "Environment=POSTROOM_CONFIG=/etc/postroom/postroom.properties",
                "WorkingDirectory=/var/lib/postroom", "WantedBy=multi-user.target");
        Properties config = properties(root.resolve("etc/postroom/postroom.properties"));
        assertThat(config.getProperty("data")).isEqualTo("/var/lib/postroom");
        int shutdownSeconds = Integer.parseInt(commentedDefaults(root.resolve("etc/postroom/postroom.properties")).get("shutdown-seconds"));
        Matcher stop = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)$").matcher(unit);
        assertThat(stop.find()).as("TimeoutStopSec in the unit").isTrue();
        assertThat(Integer.parseInt(stop.group(1))).as("TimeoutStopSec against shutdown-seconds").isGreaterThan(shutdownSeconds);

        assertThat(read(control.resolve("conffiles")).strip()).isEqualTo("/etc/postroom/postroom.properties");
        assertThat(read(control.resolve("control"))).contains("Package: postroom", "Version: " + DEB_VERSION, "Architecture: amd64");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(control.resolve(script)).isExecutable();
        }
    }

    @Test
    void postinstCreatesTheSystemUserAndDataDirectoryAndStartsNothing(@TempDir Path tmp) throws Exception {
        Path control = tmp.resolve("control");
        assertThat(run(List.of("dpkg", "-e", deb().toString(), control.toString()), null, Map.of()).exitCode).isZero();
        // stand-ins that record their arguments: no user is created on this machine, nothing started
        Path stubs = Files.createDirectories(tmp.resolve("stubs"));
        Path calls = tmp.resolve("calls");
        Files.createFile(calls);
        stub(stubs, "getent", calls, 2); // 2: no such user
        for (String command : List.of("adduser", "useradd", "chown", "systemctl", "deb-systemd-invoke", "deb-systemd-helper")) {
            stub(stubs, command, calls, 0);
        }
        Path root = Files.createDirectories(tmp.resolve("root"));
        Result postinst = run(List.of(control.resolve("postinst").toString(), "configure"), tmp.toFile(),
                Map.of("DPKG_ROOT", root.toString(), "PATH", stubs + ":/usr/bin:/bin"));
        assertThat(postinst.exitCode).as(postinst.output).isZero();

        List<String> recorded = Files.readAllLines(calls);
        assertThat(recorded).anySatisfy(call -> assertThat(call).startsWith("adduser ").contains("--system", "--group").endsWith(" postroom"));
        assertThat(recorded).contains("chown postroom:postroom " + root.resolve("var/lib/postroom"));
        assertThat(root.resolve("var/lib/postroom")).isDirectory();
        assertThat(recorded).noneMatch(call -> call.startsWith("systemctl") || call.startsWith("deb-systemd"));
        String commands = read(control.resolve("postinst")).replaceAll("(?m)^\\s*#.*$", "");
        assertThat(commands).doesNotContain("systemctl start", "systemctl enable", "deb-systemd-invoke");
    }

    @Test
    void sampleConfigurationNamesEveryServerOptionWithItsDefault() throws Exception {
        Path sample = ROOT.resolve("packaging/postroom.properties");
        Map<String, String> documented = commentedDefaults(sample);
        Properties active = properties(sample);
        CommandLine server = new CommandLine(new ServerCommand());
        List<String> missing = new ArrayList<>();
        for (OptionSpec option : server.getCommandSpec().options()) {
            String name = option.longestName().replaceFirst("^--", "");
            if (List.of("help", "version", "config").contains(name)) {
                continue;
            }
            if (!documented.containsKey(name) && !active.containsKey(name)) {
                missing.add(name);
                continue;
            }
            String builtIn = server.getCommandSpec().defaultValueProvider().defaultValue(option);
            if (builtIn != null && System.getenv("POSTROOM_" + name.toUpperCase().replace('-', '_')) == null) {
                assertThat(documented.get(name)).as("default of %s in %s", name, sample).isEqualTo(builtIn);
            }
        }
        assertThat(missing).as("server options missing from %s", sample).isEmpty();
    }

    // ---- helpers

    private static Path serverJar() {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            String name = path.getFileName().toString();
            if (name.startsWith("postroom-server-") && name.endsWith("-all.jar")) {
                return path;
            }
        }
        throw new AssertionError("postroom-server's all jar is not on the test class path: " + System.getProperty("java.class.path"));
    }

    private static Path untar(Path tmp) throws Exception {
        Path tarball = DIST.resolve("postroom-" + VERSION + "-linux-x64.tar.gz");
        assertThat(run(List.of("tar", "-xzf", tarball.toString(), "-C", tmp.toString()), null, Map.of()).exitCode).isZero();
        return tmp.resolve("postroom-" + VERSION);
    }

    private static Path deb() {
        return DIST.resolve("postroom_" + DEB_VERSION + "_amd64.deb");
    }

    private static void stub(Path dir, String name, Path calls, int exitCode) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, "#!/bin/sh\necho \"" + name + " $*\" >> '" + calls + "'\nexit " + exitCode + "\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
    }

    /** The {@code #key=value} lines of a sample configuration: each setting with its default. */
    private static Map<String, String> commentedDefaults(Path file) throws IOException {
        Map<String, String> defaults = new java.util.HashMap<>();
        Matcher m = Pattern.compile("(?m)^#([a-z][a-z-]*)=(.*)$").matcher(read(file));
        while (m.find()) {
            defaults.putIfAbsent(m.group(1), m.group(2).strip());
        }
        return defaults;
    }

    private static Properties properties(Path file) throws IOException {
        Properties properties = new Properties();
        try (var reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        }
        return properties;
    }

    private static HttpResponse<String> call(HttpClient http, String method, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        assertThat(m.find()).as("%s in %s", name, json).isTrue();
        return m.group(1);
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command, java.io.File dir, Map<String, String> env) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            builder.directory(dir);
        }
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }
}
