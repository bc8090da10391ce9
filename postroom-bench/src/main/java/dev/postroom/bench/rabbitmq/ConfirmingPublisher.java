package dev.postroom.bench.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

import java.io.IOException;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes persistent messages on one channel in confirm mode, keeping up to {@code outstanding}
 * unconfirmed: the AMQP counterpart of a Postroom sender with 1,000 sends in flight. Used by one
 * thread; the broker's confirms arrive on the connection's own thread.
 */
final class ConfirmingPublisher implements AutoCloseable {
    static final AMQP.BasicProperties PERSISTENT_JSON = new AMQP.BasicProperties.Builder()
            .contentType("application/json")
            .deliveryMode(2)
            .build();

    private final Channel channel;
    private final int outstanding;
    private final Semaphore permits;
    /** Sequence numbers published and not yet confirmed: a confirm with {@code multiple} covers all up to its tag. */
    private final ConcurrentNavigableMap<Long, Boolean> unconfirmed = new ConcurrentSkipListMap<>();
    private final AtomicLong nacked = new AtomicLong();

    ConfirmingPublisher(Connection connection, int outstanding) throws IOException {
        this.channel = connection.createChannel();
        this.outstanding = outstanding;
        this.permits = new Semaphore(outstanding);
        channel.confirmSelect();
        channel.addConfirmListener((tag, multiple) -> settle(tag, multiple), (tag, multiple) -> nacked.addAndGet(settle(tag, multiple)));
    }

    /** Publishes to {@code queue} through the default exchange, waiting first while {@code outstanding} are unconfirmed. */
    void publish(String queue, byte[] body) throws IOException {
        permits.acquireUninterruptibly();
        unconfirmed.put(channel.getNextPublishSeqNo(), Boolean.TRUE);
        channel.basicPublish("", queue, PERSISTENT_JSON, body);
    }

    /** Waits until every message published so far is confirmed; fails if the broker nacked any. */
    void awaitConfirms() {
        permits.acquireUninterruptibly(outstanding);
        permits.release(outstanding);
        if (nacked.get() > 0) {
            throw new IllegalStateException("rabbitmq nacked " + nacked.get() + " published messages");
        }
    }

    private int settle(long tag, boolean multiple) {
        int settled;
        if (multiple) {
            ConcurrentNavigableMap<Long, Boolean> covered = unconfirmed.headMap(tag, true);
            settled = covered.size();
            covered.clear();
        } else {
            settled = unconfirmed.remove(tag) != null ? 1 : 0;
        }
        permits.release(settled);
        return settled;
    }

    @Override
    public void close() throws Exception {
        channel.close();
    }
}
