package dev.postroom.example.backoffice;

import dev.postroom.Delivery;
import dev.postroom.SendResult;
import dev.postroom.spring.PostroomListener;
import dev.postroom.spring.PostroomTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * "Refund every open order of a customer": the request is recorded and the work sent in one
 * transaction; a handler then refunds the orders one by one, reporting progress.
 */
@Service
public class Refunds {
    static final String QUEUE = "billing.refund-customer";

    private final Shop shop;
    private final PostroomTemplate postroom;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final Duration bankDelay;

    public Refunds(Shop shop, PostroomTemplate postroom, TransactionTemplate transactions, Clock clock,
                   @Value("${back-office.bank-delay:300ms}") Duration bankDelay) {
        this.shop = shop;
        this.postroom = postroom;
        this.transactions = transactions;
        this.clock = clock;
        this.bankDelay = bankDelay;
    }

    /** What the refund handler is sent. */
    public record RefundCustomer(long customerId) {
    }

    /** What it returns, stored as the message's result. */
    public record RefundSummary(long customerId, int refundedOrders, long refundedCents) {
    }

    /**
     * Records the request and sends the work, together: if anything here fails, the transaction
     * rolls back and no refund is sent. The message goes out when the transaction commits.
     *
     * @return the sent message, once the transaction has committed
     * @throws RefundsOnHoldException when the customer's refunds are on hold
     */
    @Transactional
    public CompletableFuture<SendResult> request(long customerId) {
        shop.recordRefundRequest(customerId, clock.instant());
        CompletableFuture<SendResult> sent = postroom.send(QUEUE, new RefundCustomer(customerId));
        // Checked after the send on purpose: the rollback must take the send with it.
        Customer customer = shop.customer(customerId).orElseThrow(() -> new IllegalArgumentException("no customer " + customerId));
        if (customer.blocked()) {
            throw new RefundsOnHoldException(customer);
        }
        return sent;
    }

    /** Refunds the open orders one at a time, each in its own transaction, so a retry skips those done. */
    @PostroomListener(queue = QUEUE)
    RefundSummary refund(RefundCustomer request, Delivery<RefundCustomer> delivery) throws InterruptedException {
        List<Order> open = shop.openOrders(request.customerId());
        int refunded = 0;
        long cents = 0;
        for (Order order : open) {
            Thread.sleep(bankDelay); // the payment provider's round trip
            Boolean done = transactions.execute(status -> shop.refund(order, clock.instant()));
            if (Boolean.TRUE.equals(done)) {
                refunded++;
                cents += order.totalCents();
            }
            delivery.progress(100 * refunded / open.size(), "refunded order " + order.id());
        }
        return new RefundSummary(request.customerId(), refunded, cents);
    }
}
