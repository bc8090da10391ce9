package dev.postroom.chaos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The campaign's judgement, on hand-made histories: what must fail it (a loss, a repeat after a
 * confirmed ack, a repeat no fault explains, a message no send accounts for) and what must not.
 */
class LedgerTest {
    private final FaultWindow window = new FaultWindow();
    private final Ledger ledger = new Ledger(window);

    @Test
    void anAcknowledgedSendNeverDeliveredIsLost() {
        ledger.acknowledged("s0-1", "m1");
        ledger.acknowledged("s0-2", "m2");
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());

        Verdict verdict = ledger.verdict(0, 0);

        assertThat(verdict.lost()).isEqualTo(1);
        assertThat(ledger.lostIds()).containsExactly("m2");
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void aRepeatAfterAnAckAnswered200IsUnexplained() {
        ledger.acknowledged("s0-1", "m1");
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());

        Verdict verdict = ledger.verdict(0, 0);

        assertThat(verdict.unexplained()).singleElement().asString().contains("after an ack answered 200");
        assertThat(verdict.passed()).isFalse();
    }

    @Test
    void aRepeatAfterAnAckThatFailedWithNoFaultAboutIsUnexplained() {
        ledger.acknowledged("s0-1", "m1");
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACK_FAILED, window.now());
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());

        assertThat(ledger.verdict(0, 0).unexplained()).singleElement().asString().contains("with no fault about");
    }

    @Test
    void aRepeatAfterAnAckLostToAFaultIsAnExplainedDuplicate() {
        ledger.acknowledged("s0-1", "m1");
        Delivery first = ledger.delivered("m1", "s0-1", "node-a", window.now());
        window.open();
        first.settle(Delivery.Outcome.ACK_FAILED, window.now());
        window.close();
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());

        Verdict verdict = ledger.verdict(1, 1);

        assertThat(verdict.duplicatesFromFaults()).isEqualTo(1);
        assertThat(verdict.passed()).as(verdict.summary()).isTrue();
    }

    @Test
    void aFaultThatBeganAndEndedBetweenReceiveAndAckExplainsTheRepeat() {
        ledger.acknowledged("s0-1", "m1");
        Delivery first = ledger.delivered("m1", "s0-1", "node-a", window.now());
        window.open();
        window.close();
        first.settle(Delivery.Outcome.ACK_FAILED, window.now());
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());

        assertThat(ledger.verdict(1, 1).passed()).isTrue();
    }

    @Test
    void aRepeatAfterANackIsARetryNotADuplicate() {
        ledger.acknowledged("s0-1", "m1");
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.NACKED, window.now());
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());

        Verdict verdict = ledger.verdict(0, 0);

        assertThat(verdict.redeliveredAfterNack()).isEqualTo(1);
        assertThat(verdict.duplicatesFromFaults()).isZero();
        assertThat(verdict.passed()).isTrue();
    }

    @Test
    void aDeliveredSendNeverAckedIsUnfinishedUnlessTheServerShowsItSucceeded() {
        ledger.acknowledged("s0-1", "m1");
        Delivery only = ledger.delivered("m1", "s0-1", "node-a", window.now());
        window.open();
        only.settle(Delivery.Outcome.ACK_FAILED, window.now());
        window.close();

        assertThat(ledger.verdict(1, 1).unfinished()).isEqualTo(1);
        assertThat(ledger.ackedMaybe()).containsExactly("m1");

        ledger.succeededOnServer("m1");

        assertThat(ledger.verdict(1, 1).unfinished()).isZero();
        assertThat(ledger.everyAcknowledgedSendAcked()).isTrue();
    }

    @Test
    void aMessageOfAnUnansweredSendMayBeDeliveredButOneNoSendAccountsForMayNot() {
        ledger.unacknowledged("s0-1");
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());
        ledger.acknowledged("s0-2", "m2");
        ledger.delivered("m2", "s0-2", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());
        ledger.delivered("m3", "s0-2", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());

        Verdict verdict = ledger.verdict(0, 0);

        assertThat(verdict.deliveredUnacknowledged()).isEqualTo(1);
        assertThat(verdict.unexplained()).singleElement().asString().startsWith("m3: a message no send accounts for");
    }

    @Test
    void heldLeasesCameBackOnlyOnceAnotherNodeDeliveredThemAgain() {
        ledger.acknowledged("s0-1", "m1");
        Delivery held = ledger.delivered("m1", "s0-1", "node-b", window.now());
        held.settle(Delivery.Outcome.HELD, window.now());

        assertThat(ledger.cameBack(java.util.List.of(held), "node-b")).isFalse();
        ledger.delivered("m1", "s0-1", "node-b", window.now()).settle(Delivery.Outcome.ACKED, window.now());
        assertThat(ledger.cameBack(java.util.List.of(held), "node-b")).as("delivered again, but by the node that died").isFalse();
        ledger.delivered("m1", "s0-1", "node-a", window.now()).settle(Delivery.Outcome.ACKED, window.now());
        assertThat(ledger.cameBack(java.util.List.of(held), "node-b")).isTrue();
    }
}
