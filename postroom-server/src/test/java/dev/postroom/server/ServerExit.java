package dev.postroom.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How a {@code postroom server} in a child JVM ended when it was expected not to start: its exit
 * code and what it wrote on stdout and on stderr, apart.
 *
 * @param code   the exit code, or -1 when it was still running after 60 s (and was killed)
 * @param stdout what it wrote on standard output
 * @param stderr what it wrote on standard error
 */
record ServerExit(int code, String stdout, String stderr) {

    /** Starts {@code postroom server --data DATA --port 0} and waits for it to exit. */
    static ServerExit of(Path data, String... moreArguments) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "server", "--data", data.toString(), "--port", "0"));
        command.addAll(List.of(moreArguments));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("POSTROOM_ADMIN_TOKEN", "pr_server_exit_token_0123456789");
        builder.environment().put("POSTROOM_ADMIN_PASSWORD", "server-exit-test-password");
        Process process = builder.start();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            return new ServerExit(-1, stdout.join(), stderr.join());
        }
        return new ServerExit(process.exitValue(), stdout.join(), stderr.join());
    }

    /** The lines of stderr that are not log lines (those start with a time). */
    List<String> errorLines() {
        return stderr.lines().filter(line -> !line.isBlank() && !line.matches("^\\d{2}:\\d{2}:\\d{2}.*|^\\d{4}-\\d{2}-\\d{2}T.*")).toList();
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
