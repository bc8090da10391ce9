package dev.postroom.example.backoffice;

import dev.postroom.Postroom;
import dev.postroom.SendResult;
import dev.postroom.StateCounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A refund request and its message commit together: a request whose transaction rolls back leaves
 * neither the request row nor a message behind; a committed one leaves exactly one of each.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
        properties = {"spring.main.banner-mode=off", "logging.level.dev.postroom=WARN", "logging.level.dev.postroom.example=WARN"})
class RefundRollbackTest {
    /** Barbara Liskov, whose refunds are on hold in the sample data. */
    private static final long ON_HOLD = 5;
    private static final long ADA = 1;

    @TempDir
    static Path data;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("back-office.data-dir", data::toString);
        registry.add("postroom.console.enabled", () -> "false");
        registry.add("back-office.bank-delay", () -> "0ms");
    }

    @Autowired
    Refunds refunds;
    @Autowired
    Shop shop;
    @Autowired
    Postroom postroom;

    private long refundMessages() {
        StateCounts c = postroom.queue(Refunds.QUEUE).counts();
        return c.scheduled() + c.ready() + c.inFlight() + c.succeeded() + c.dead() + c.cancelled();
    }

    @Test
    void aRefundWhoseTransactionRollsBackSendsNothing() {
        long before = refundMessages();

        assertThatThrownBy(() -> refunds.request(ON_HOLD)).isInstanceOf(RefundsOnHoldException.class);

        assertThat(shop.refundRequests(ON_HOLD)).as("the request row rolled back").isZero();
        assertThat(refundMessages()).as("the message rolled back with it").isEqualTo(before);
    }

    @Test
    void aCommittedRefundSendsExactlyOneMessage() {
        long before = refundMessages();

        SendResult sent = refunds.request(ADA).join();

        assertThat(shop.refundRequests(ADA)).isEqualTo(1);
        assertThat(refundMessages()).isEqualTo(before + 1);
        assertThat(postroom.get(sent.id())).get().satisfies(m -> assertThat(m.queue()).isEqualTo(Refunds.QUEUE));
    }
}
