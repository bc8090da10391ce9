package dev.postroom.store.postgres;

import dev.postroom.NodeStatus;
import dev.postroom.Postroom;
import dev.postroom.tck.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The node registry (V2's {@code nodes} table) through the engine: two nodes on one schema, one
 * fake clock, maintenance run by hand. Dead or alive is judged by the reading node, on its clock.
 */
class NodeRegistryTest {
    private final FakeClock clock = new FakeClock();
    private TestDatabase.Schema schema;
    private Postroom first;
    private Postroom second;

    @BeforeEach
    void newSchema() {
        schema = TestDatabase.newSchema();
    }

    @AfterEach
    void close() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
        if (schema != null) {
            schema.drop();
        }
    }

    private Postroom node(String name) {
        return Postroom.builder().store(PostgresMessageStore.open(schema.options())).node(name)
                .clock(clock).maintenanceInterval(null).build();
    }

    @Test
    void everyNodeIsListedAliveFromItsStart() {
        first = node("first");
        second = node("second");

        assertThat(first.nodes()).extracting(NodeStatus::name, NodeStatus::state).containsExactly(
                tuple("first", NodeStatus.State.ALIVE),
                tuple("second", NodeStatus.State.ALIVE));
        NodeStatus other = first.nodes().get(1);
        assertThat(other.startedAt()).isEqualTo(FakeClock.START);
        assertThat(other.heartbeatAt()).isEqualTo(FakeClock.START);
        assertThat(other.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(other.host()).isNotBlank();
    }

    @Test
    void maintenanceRenewsTheHeartbeat() {
        first = node("first");
        second = node("second");
        clock.advance(Duration.ofSeconds(12));
        second.runMaintenance();
        clock.advance(Duration.ofSeconds(12));

        NodeStatus other = first.nodes().get(1);
        assertThat(other.heartbeatAt()).isEqualTo(FakeClock.START.plusSeconds(12));
        assertThat(other.state()).isEqualTo(NodeStatus.State.ALIVE);
    }

    @Test
    void aNodeThatStopsReportingIsDeadOnceItMissedThreeHeartbeats() {
        first = node("first");
        second = node("second"); // never runs maintenance: as if it had crashed after its start

        clock.advance(Duration.ofSeconds(15));
        first.runMaintenance();
        assertThat(first.nodes().get(1).state()).as("at the threshold").isEqualTo(NodeStatus.State.ALIVE);

        clock.advance(Duration.ofMillis(1));
        first.runMaintenance();
        assertThat(first.nodes()).extracting(NodeStatus::name, NodeStatus::state).containsExactly(
                tuple("first", NodeStatus.State.ALIVE),
                tuple("second", NodeStatus.State.DEAD));
    }

    @Test
    void aDeadNodeIsForgottenAfterAnHour() {
        first = node("first");
        second = node("second"); // never reports in again

        clock.advance(Duration.ofMinutes(60));
        first.runMaintenance();
        assertThat(first.nodes()).extracting(NodeStatus::name).containsExactly("first", "second");

        clock.advance(Duration.ofMillis(1));
        first.runMaintenance();
        assertThat(first.nodes()).extracting(NodeStatus::name).containsExactly("first");
    }

    @Test
    void aNodeClosedCleanlyLeavesTheRegistryAndIsNeverListedDead() {
        first = node("first");
        second = node("second");

        second.close();
        second = null;

        assertThat(first.nodes()).extracting(NodeStatus::name).containsExactly("first");
        clock.advance(Duration.ofMinutes(1));
        first.runMaintenance();
        assertThat(first.nodes()).extracting(NodeStatus::name, NodeStatus::state).containsExactly(tuple("first", NodeStatus.State.ALIVE));
    }

    @Test
    void anOldStartClosingLateLeavesTheRowOfTheNewStartAlone() {
        Postroom old = node("second");
        clock.advance(Duration.ofMinutes(5));
        second = node("second"); // restarted elsewhere while the old process was still shutting down
        first = node("first");

        old.close();

        assertThat(first.nodes()).extracting(NodeStatus::name).containsExactly("first", "second");
        assertThat(first.nodes().get(1).startedAt()).isEqualTo(FakeClock.START.plus(Duration.ofMinutes(5)));
    }

    @Test
    void aRestartedNodeReplacesItsRow() {
        second = node("second");
        second.close();
        clock.advance(Duration.ofMinutes(5));
        second = node("second");
        first = node("first");

        NodeStatus restarted = first.nodes().get(1);
        assertThat(restarted.startedAt()).isEqualTo(FakeClock.START.plus(Duration.ofMinutes(5)));
        assertThat(restarted.state()).isEqualTo(NodeStatus.State.ALIVE);
    }
}
