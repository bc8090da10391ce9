package dev.postroom.server.http;

import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static dev.postroom.server.http.TestServer.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BackupRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void adminGetsAZipWithTheManifestAndBothDatabasesAsAnAttachment() throws Exception {
        String admin = server.token("admin");
        HttpResponse<byte[]> reply = server.http().send(server.request("POST", "/api/v1/backups", admin, null).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(reply.headers().firstValue("Content-Disposition").orElseThrow())
                .matches("attachment; filename=\"postroom-backup-\\d{8}T\\d{6}Z\\.zip\"");
        List<String> entries = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(reply.body()))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                entries.add(entry.getName());
                if (entry.getName().equals("manifest.json")) {
                    var manifest = TestServer.JSON.readTree(zip.readAllBytes());
                    assertThat(manifest.path("format").asInt()).isEqualTo(1);
                    assertThat(manifest.path("postroomVersion").asText()).isNotBlank();
                    assertThat(manifest.path("schemaVersions").path("postroom.db").asText()).isNotEqualTo("none");
                    assertThat(manifest.path("files").path("auth.db").path("sha256").asText()).hasSize(64);
                }
            }
        }
        assertThat(entries).containsExactly("manifest.json", "postroom.db", "auth.db");
        String name = reply.headers().firstValue("Content-Disposition").orElseThrow().replaceAll(".*filename=\"([^\"]+)\".*", "$1");
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        await("the server removes its copy once sent").atMost(Duration.ofSeconds(10)).until(() -> {
            try (Stream<Path> dirs = Files.list(tmp)) {
                return dirs.filter(d -> d.getFileName().toString().startsWith("postroom-backup-")).noneMatch(d -> Files.exists(d.resolve(name)));
            }
        });

        List<AuditEntry> audited = server.audit().browse(AuditQuery.builder().action("backup.create").build()).entries();
        assertThat(audited).anySatisfy(entry -> {
            assertThat(entry.actor()).isEqualTo(server.actorOf(admin));
            assertThat(entry.targetType()).isEqualTo("backup");
            assertThat(entry.target()).startsWith("postroom-backup-");
        });
    }

    @Test
    void aTokenWithoutTheAdminScopeIsRefusedWith403AndNothingIsAudited() {
        String operator = server.token("operate", "read");

        assertProblem(server.post("/api/v1/backups", operator, null), 403);
        assertThat(server.audit().browse(AuditQuery.builder().action("backup.create").build()).entries())
                .noneSatisfy(entry -> assertThat(entry.actor()).isEqualTo(server.actorOf(operator)));
    }

    @Test
    void noTokenIs401() {
        assertProblem(server.post("/api/v1/backups", null, null), 401);
    }
}
