package dev.postroom.server.backup;

import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.audit.AuditQuery;
import dev.postroom.server.auth.AuthStore;
import dev.postroom.server.auth.Scope;
import dev.postroom.server.cli.CliRun;
import dev.postroom.server.cli.BackupCommand;
import dev.postroom.server.http.ApiServer;
import dev.postroom.store.sqlite.SqliteMessageStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A backup taken with {@code postroom backup} from a running server while a sender sends and a
 * worker receives and acks without pause, restored with {@code postroom restore}: every message
 * whose send had completed before the backup began is in the restored store, those acked before
 * it began are SUCCEEDED, none is IN_FLIGHT (leases are not copied), and the admin token works on
 * a server started on the restored directory.
 */
class BackupUnderLoadTest {
    @TempDir
    Path dir;

    @Test
    void aBackupTakenUnderLoadRestoresEverySendThatCompletedBeforeIt() throws Exception {
        Path live = java.nio.file.Files.createDirectories(dir.resolve("live"));
        Path restored = dir.resolve("restored");
        Path archive = dir.resolve("backup.zip");
        Set<String> sent = ConcurrentHashMap.newKeySet();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        String adminSecret;

        try (AuthStore auth = AuthStore.open(live);
             AuditLog audit = AuditLog.open(live, InstantSource.system())) {
            adminSecret = auth.createToken("ops", List.of(Scope.parse("admin")), Instant.now()).secret();
            ApiServer api = new ApiServer(auth, audit, InstantSource.system(), null);
            try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(live)).listener(api.listener()).build();
                 api) {
                api.start(postroom, "127.0.0.1", 0);
                postroom.createQueue("load");
                Thread sender = Thread.ofPlatform().name("test-sender").start(() -> run(failed, () -> {
                    for (int i = 0; running.get(); i++) {
                        sent.add(postroom.send("load", "{\"n\":" + i + "}").join().id());
                    }
                }));
                Thread worker = Thread.ofPlatform().name("test-worker").start(() -> run(failed, () -> {
                    ReceiveOptions options = new ReceiveOptions(10, Duration.ofMillis(100), null);
                    while (running.get()) {
                        for (ReceivedMessage message : postroom.receive("load", options)) {
                            postroom.ack(message.id(), message.leaseId(), null);
                            acked.add(message.id());
                        }
                    }
                }));
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> failed.get() != null || sent.size() >= 300 && acked.size() >= 100);
                    assertThat(failed.get()).isNull();
                    // what had completed before the backup began; more completes while it runs
                    Set<String> sentBefore = Set.copyOf(sent);
                    Set<String> ackedBefore = Set.copyOf(acked);

                    CliRun backup = CliRun.run(new BackupCommand(), "--to", archive.toString(),
                            "--url", "http://127.0.0.1:" + api.port(), "--token", adminSecret);

                    assertThat(backup.exitCode()).as(backup.err()).isZero();
                    assertThat(backup.out()).contains("backup written to " + archive);
                    int sentWhenBackupEnded = sent.size();
                    await().atMost(Duration.ofSeconds(60)).until(() -> failed.get() != null || sent.size() > sentWhenBackupEnded + 50);
                    assertThat(failed.get()).as("sends and acks went on after the backup").isNull();
                    assertThat(audit.browse(AuditQuery.builder().action("backup.create").build()).entries())
                            .singleElement().satisfies(entry -> assertThat(entry.actor()).startsWith("token:ops/"));

                    running.set(false);
                    sender.join();
                    worker.join();
                    assertThat(failed.get()).isNull();
                    restoreAndCheck(archive, restored, sentBefore, ackedBefore, adminSecret);
                } finally {
                    running.set(false);
                    sender.join();
                    worker.join();
                }
            }
        }
    }

    private static void restoreAndCheck(Path archive, Path restored, Set<String> sentBefore, Set<String> ackedBefore,
                                        String adminSecret) throws Exception {
        CliRun restore = CliRun.run(new RestoreCommand(), archive.toString(), "--data", restored.toString());
        assertThat(restore.exitCode()).as(restore.err()).isZero();
        assertThat(restore.out()).contains("restored " + archive + " into " + restored);

        try (AuthStore auth = AuthStore.open(restored);
             AuditLog audit = AuditLog.open(restored, InstantSource.system())) {
            ApiServer api = new ApiServer(auth, audit, InstantSource.system(), null);
            try (Postroom postroom = Postroom.builder().store(SqliteMessageStore.open(restored)).listener(api.listener()).build();
                 api) {
                for (String id : sentBefore) {
                    MessageState state = postroom.get(id).map(m -> m.state()).orElse(null);
                    assertThat(state).as("message %s, sent before the backup", id)
                            .isIn(ackedBefore.contains(id) ? Set.of(MessageState.SUCCEEDED) : Set.of(MessageState.READY, MessageState.SUCCEEDED));
                }
                api.start(postroom, "127.0.0.1", 0);
                try (HttpClient http = HttpClient.newHttpClient()) {
                    HttpResponse<String> queue = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/api/v1/queues/load"))
                            .header("Authorization", "Bearer " + adminSecret).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(queue.statusCode()).as(queue.body()).isEqualTo(200);
                    assertThat(queue.body()).contains("\"inFlight\":0");
                }
            }
        }
    }

    private interface Work {
        void run() throws Exception;
    }

    private static void run(AtomicReference<Throwable> failed, Work work) {
        try {
            work.run();
        } catch (Throwable e) {
            failed.compareAndSet(null, e);
        }
    }
}
