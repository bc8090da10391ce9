package dev.postroom.store.postgres;

import dev.postroom.EncryptionKeys;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The messages table read with plain SQL, as a dump or a replica shows it: an encrypted queue's payload and result are not in it. */
class EncryptedRowsTest {
    private TestDatabase.Schema schema;

    @BeforeEach
    void newSchema() {
        schema = TestDatabase.newSchema();
    }

    @AfterEach
    void dropSchema() {
        schema.drop();
    }

    @Test
    void noRowHoldsThePlainTextOfAnEncryptedPayloadOrResult() throws Exception {
        try (Postroom postroom = Postroom.builder().store(PostgresMessageStore.open(schema.options()))
                .encryptionKeys(EncryptionKeys.of("k1", new byte[32])).build()) {
            postroom.createQueue("vault", QueuePolicy.DEFAULT.withEncrypted(true));
            postroom.createQueue("plain");
            String id = postroom.send("vault", Map.of("card", "4111-1111-1111-1111")).join().id();
            postroom.send("plain", Map.of("card", "5500-0000-0000-0004")).join();
            ReceivedMessage leased = postroom.receive("vault", ReceiveOptions.DEFAULTS).getFirst();
            postroom.ack(id, leased.leaseId(), Map.of("receipt", "4111-1111-1111-1111"));
        }

        StringBuilder rows = new StringBuilder();
        try (Connection c = DriverManager.getConnection(schema.url()); Statement statement = c.createStatement();
             ResultSet rs = statement.executeQuery("SELECT payload, coalesce(result, '') FROM \"" + schema.name() + "\".messages")) {
            while (rs.next()) {
                rows.append(rs.getString(1)).append(' ').append(rs.getString(2)).append('\n');
            }
        }
        assertThat(rows).as("the plain queue's row, as a check that the rows were read").contains("5500-0000-0000-0004");
        assertThat(rows).doesNotContain("4111-1111-1111-1111").contains("postroom.encrypted");
    }
}
