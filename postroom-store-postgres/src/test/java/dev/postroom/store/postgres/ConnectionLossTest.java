package dev.postroom.store.postgres;

import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.store.MessageIds;
import dev.postroom.store.ClaimRequest;
import dev.postroom.store.ClaimedMessage;
import dev.postroom.store.Completion;
import dev.postroom.store.NewMessage;
import dev.postroom.store.SendBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL ends every session when it restarts; the pool still holds those connections, and it
 * checks one before lending it only when it has been idle a while (HikariCP: 500 ms). An operation
 * that meets such a dead connection before its commit ran nothing, so the store runs it again on a
 * fresh connection instead of failing: a send or an ack right after a restart succeeds.
 */
class ConnectionLossTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final String QUEUE = "refunds";

    private final MessageIds ids = new MessageIds(InstantSource.fixed(NOW));
    private TestDatabase.Schema schema;
    private PostgresMessageStore store;

    @BeforeEach
    void open() {
        schema = TestDatabase.newSchema();
        // The application name tells this store's sessions from those of tests running beside it.
        String url = schema.url() + (schema.url().contains("?") ? "&" : "?") + "ApplicationName=" + schema.name();
        store = PostgresMessageStore.open(PostgresOptions.of(url, null, null).withSchema(schema.name()).withPoolSize(4));
        store.upsertQueue(QUEUE, QueuePolicy.DEFAULT, NOW).join();
    }

    @AfterEach
    void closeAndDrop() {
        if (store != null) {
            store.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    @Test
    void operationsRightAfterTheServerEndedEverySessionSucceedOnFreshConnections() throws Exception {
        send(); // the pool's connection was just used: the pool will lend it again without a check
        assertThat(endSessionsOfThisStore()).as("sessions ended").isPositive();

        String id = send();
        ClaimedMessage claimed = store.claim(new ClaimRequest(QUEUE, 10, Duration.ofSeconds(30), NOW, "a")).join().getFirst();
        assertThat(endSessionsOfThisStore()).as("sessions ended").isPositive();
        store.ack(new Completion(claimed.id(), claimed.leaseId(), null, NOW, "a")).join();

        assertThat(store.get(claimed.id()).orElseThrow().state()).isEqualTo(MessageState.SUCCEEDED);
        assertThat(store.get(id)).isPresent();
    }

    private String send() {
        NewMessage message = new NewMessage(ids.next(), QUEUE, "{}", Map.of(), 0, NOW, null, null, null, 5);
        store.send(new SendBatch(List.of(message), NOW, "a")).join();
        return message.id();
    }

    /** What a restart does to the store's sessions: {@code pg_terminate_backend}, waiting until each is gone. */
    private int endSessionsOfThisStore() throws SQLException {
        try (Connection c = DriverManager.getConnection(schema.url());
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
                     + "FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, schema.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
