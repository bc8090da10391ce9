package dev.postroom.bench.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import java.io.IOException;

/**
 * The no-op consumer of the throughput runs: acks every {@code ackEvery}-th delivery (with
 * {@code multiple=true} when that is more than one), and always the delivery that reaches the
 * current target, so no remainder is left unacked. Deliveries on one channel come on one thread.
 */
final class AckingConsumer extends DefaultConsumer {
    private final int ackEvery;
    private long delivered;
    private volatile long target;
    private volatile long acked;

    AckingConsumer(Channel channel, int ackEvery) {
        super(channel);
        this.ackEvery = ackEvery;
    }

    /** Deliveries counted so far, from the first; the next {@link #expect} counts on from here. */
    long acked() {
        return acked;
    }

    /** Sets the total delivery count at which the consumer acks whatever it holds. */
    void expect(long total) {
        target = total;
    }

    @Override
    public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws IOException {
        long n = ++delivered;
        if (n % ackEvery == 0 || n >= target) {
            getChannel().basicAck(envelope.getDeliveryTag(), ackEvery > 1);
            acked = n;
        }
    }
}
