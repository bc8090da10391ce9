package dev.postroom.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A first admin's secret from the environment that Postroom refuses stops the start with one line naming the variable. */
class AdminSecretsTest {
    @TempDir
    Path data;

    @Test
    void aTooShortAdminTokenStopsTheStartNamingTheVariable() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "server", "--port", "0", "--data", data.toString())).redirectErrorStream(true);
        builder.environment().put("POSTROOM_ADMIN_TOKEN", "pr_short");
        builder.environment().put("POSTROOM_ADMIN_PASSWORD", "a-good-long-password");
        Process process = builder.start();

        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the server stopped by itself").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

        assertThat(process.exitValue()).as(output).isEqualTo(2);
        assertThat(output).contains("postroom server: POSTROOM_ADMIN_TOKEN must be at least").doesNotContain("\tat ");
    }
}
