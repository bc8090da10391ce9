package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.Reencryption;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.InstantSource;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Encryption at rest, for admins: {@code GET /api/v1/encryption} shows the key ids (never keys),
 * the encrypted queues and the last re-encryption of this node; {@code POST
 * /api/v1/encryption/reencrypt} starts one in the background (one at a time), audited at start
 * and end with its counts.
 */
final class EncryptionRoutes {
    private final Postroom postroom;
    private final AuditTrail audit;
    private final InstantSource clock;
    private volatile Job job;

    EncryptionRoutes(Postroom postroom, AuditTrail audit, InstantSource clock) {
        this.postroom = postroom;
        this.audit = audit;
        this.clock = clock;
    }

    void register(RoutesConfig routes) {
        routes.get("/api/v1/encryption", this::get);
        routes.post("/api/v1/encryption/reencrypt", this::reencrypt);
    }

    private void get(Context ctx) {
        Access.require(ctx, Scope.Kind.ADMIN);
        ctx.json(view());
    }

    private void reencrypt(Context ctx) {
        Access.require(ctx, Scope.Kind.ADMIN);
        if (postroom.encryptionKeyIds().isEmpty()) {
            throw ApiException.conflict("encryption", "no encryption key is configured: start the server with "
                    + "--encryption-key-file or POSTROOM_ENCRYPTION_KEY");
        }
        Job started;
        synchronized (this) {
            if (job != null && job.endedAt == null) {
                throw ApiException.conflict("reencryption", "one is already running, started " + job.startedAt);
            }
            started = new Job(clock.instant());
            job = started;
        }
        String keyId = postroom.encryptionKeyIds().getFirst();
        audit.record(ctx, "encryption.reencrypt.start", "encryption", keyId, Map.of());
        AuditTrail.Later later = audit.later(ctx);
        Thread.ofVirtual().name("postroom-reencrypt").start(() -> {
            try {
                started.counts = postroom.reencrypt(counts -> started.counts = counts);
                started.state = "SUCCEEDED";
            } catch (RuntimeException e) {
                started.error = e.getMessage() == null ? e.toString() : e.getMessage();
                started.state = "FAILED";
            }
            try {
                Reencryption counts = started.counts;
                later.record("encryption.reencrypt.end", "encryption", keyId, Map.of("state", started.state,
                        "examined", counts.examined(), "rewritten", counts.rewritten(), "skipped", counts.skipped()));
            } finally {
                started.endedAt = clock.instant(); // ended whatever the audit write did, so another run may start
            }
        });
        ctx.status(202).json(view());
    }

    private View view() {
        List<String> encrypted = postroom.queues().stream().filter(q -> q.policy().encrypted()).map(QueueInfo::name).toList();
        List<String> ids = postroom.encryptionKeyIds();
        Job current = job;
        return new View(ids, ids.isEmpty() ? null : ids.getFirst(), encrypted, current == null ? null : current.view());
    }

    /** One re-encryption's progress, written by its thread and read by requests. */
    private static final class Job {
        final Instant startedAt;
        volatile Reencryption counts = new Reencryption(0, 0, 0);
        volatile String state = "RUNNING";
        volatile String error;
        volatile Instant endedAt;

        Job(Instant startedAt) {
            this.startedAt = startedAt;
        }

        ReencryptionView view() {
            Reencryption c = counts;
            Instant ended = endedAt;
            return new ReencryptionView(ended == null ? "RUNNING" : state, c.examined(), c.rewritten(), c.skipped(), startedAt, ended, error);
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record View(List<String> keyIds, String encryptingKeyId, List<String> encryptedQueues, ReencryptionView reencryption) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ReencryptionView(String state, long examined, long rewritten, long skipped, Instant startedAt, Instant endedAt, String error) {
    }
}
