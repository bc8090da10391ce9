package dev.postroom.server.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class BackupCommandTest {
    @TempDir
    Path dir;

    @Test
    void anExistingFileIsKeptWithoutForceAndTheServerIsNotAsked() throws Exception {
        Path file = Files.writeString(dir.resolve("backup.zip"), "the previous backup");
        try (CannedServer server = new CannedServer()) {
            CliRun run = CliRun.run(new BackupCommand(), "--to", file.toString(), "--url", server.url(), "--token", "t");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("postroom: " + file + " exists; pass --force to replace it" + System.lineSeparator());
            assertThat(server.requests()).isEmpty();
        }
        assertThat(Files.readString(file)).isEqualTo("the previous backup");
    }

    @Test
    void forceReplacesTheFileWithTheDownloadAndLeavesNoPartialFile() throws Exception {
        Path file = Files.writeString(dir.resolve("backup.zip"), "the previous backup");
        try (CannedServer server = new CannedServer().raw("POST", "/api/v1/backups", 200, "application/octet-stream", "zip bytes")) {
            CliRun run = CliRun.run(new BackupCommand(), "--to", file.toString(), "--force", "--url", server.url(), "--token", "t");

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("backup written to " + file);
            assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.authorization()).isEqualTo("Bearer t"));
        }
        assertThat(Files.readString(file)).isEqualTo("zip bytes");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aRefusalLeavesNoFileAndSaysWhy() throws Exception {
        Path file = dir.resolve("backup.zip");
        try (CannedServer server = new CannedServer().raw("POST", "/api/v1/backups", 403, "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Forbidden\",\"status\":403,\"detail\":\"token \\\"ci\\\" lacks the scope admin\"}")) {
            CliRun run = CliRun.run(new BackupCommand(), "--to", file.toString(), "--url", server.url(), "--token", "t");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.err()).startsWith("postroom: ").contains("lacks the scope admin");
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
