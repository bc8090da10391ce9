package dev.postroom.bench.rabbitmq;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.postroom.bench.Workload;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * RabbitMQ (Debian's 3.10.8, a private node per run: {@link RabbitBroker}) side of the benchmark,
 * measured the way Postroom's throughput run is: {@value #PUBLISHERS} publisher threads, each on its
 * own connection and channel with publisher confirms and up to {@code outstanding} unconfirmed; the
 * same ~200-byte JSON payload ({@link Workload#sample}) as a persistent message; a no-op consumer
 * with manual acks on its own connection. The clock starts at the first publish and stops when the
 * consumer has acked every message and a synchronous call on its channel has come back, so the
 * broker has the last ack. Each variant ({@link QueueVariant}) gets a fresh queue and a warm-up of
 * {@value #WARMUP} messages first.
 *
 * <p>Tuning, on 2 cores shared with the client (50,000-message runs, a busy machine, so noisy): prefetch
 * 100, 250, 1,000 and 2,000 with 1,000 confirms outstanding per publisher, and 250, 1,000 and 5,000
 * outstanding with prefetch 1,000. Prefetch 1,000 with 1,000 outstanding gave the best figure of each
 * variant (quorum acking each 20,000–25,000/s against 11,000–19,500/s at 100 or 250); the defaults
 * are those. Run alone:
 * {@code java -cp postroom-bench/target/postroom-bench.jar dev.postroom.bench.rabbitmq.RabbitPeer [messages [prefetch [outstanding]]]}.
 */
public final class RabbitPeer implements AutoCloseable {
    /** Consumer prefetch (unacked deliveries in flight) that gave the best throughput here; see the class comment. */
    public static final int DEFAULT_PREFETCH = 1000;
    /** Unconfirmed publishes per publisher, as Postroom's senders keep 1,000 sends outstanding. */
    public static final int DEFAULT_OUTSTANDING = 1000;
    static final int PUBLISHERS = 2;
    static final int WARMUP = 5000;

    private static final ObjectMapper JSON = new ObjectMapper(); // a Workload record serialises as Postroom's sends do

    private final RabbitBroker broker;
    private final Connection consumerConnection;
    private final List<Connection> publisherConnections = new ArrayList<>();
    private final int prefetch;
    private final int outstanding;
    private final String version;

    private RabbitPeer(RabbitBroker broker, int prefetch, int outstanding) throws Exception {
        this.broker = broker;
        this.prefetch = prefetch;
        this.outstanding = outstanding;
        this.consumerConnection = broker.connectionFactory().newConnection("postroom-bench-consumer");
        for (int i = 0; i < PUBLISHERS; i++) {
            publisherConnections.add(broker.connectionFactory().newConnection("postroom-bench-publisher-" + i));
        }
        this.version = String.valueOf(consumerConnection.getServerProperties().get("version"));
    }

    /**
     * Starts a private broker with its files under {@code dir} (installing RabbitMQ when missing and
     * allowed) and connects to it; empty, having printed why, when RabbitMQ is not available.
     */
    public static Optional<RabbitPeer> start(Path dir, int prefetch, int outstanding) throws Exception {
        if (prefetch <= 0 || outstanding <= 0) {
            throw new IllegalArgumentException("prefetch and outstanding must be positive: " + prefetch + ", " + outstanding);
        }
        Optional<RabbitInstallation> installation = RabbitInstallation.findOrInstall();
        if (installation.isEmpty()) {
            return Optional.empty();
        }
        RabbitBroker broker = RabbitBroker.start(installation.get(), dir);
        try {
            return Optional.of(new RabbitPeer(broker, prefetch, outstanding));
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    /** The RabbitMQ version the broker reports, e.g. {@code 3.10.8}. */
    public String version() {
        return version;
    }

    /** The set-up in one line, for the bench's output. */
    public String describe() {
        return "RabbitMQ %s, private node %s (started for this run, management plugin off), %d publishers each on its own connection with confirms (up to %,d outstanding), persistent %d-byte JSON messages, no-op consumer with manual acks, prefetch %d, warm-up %,d per variant"
                .formatted(version, RabbitBroker.NODE, PUBLISHERS, outstanding, payload(0, 0).length, prefetch, WARMUP);
    }

    /** One timed run per {@link QueueVariant}, in declaration order. */
    public List<RabbitResult> throughput(int messages) throws Exception {
        List<RabbitResult> results = new ArrayList<>();
        for (QueueVariant variant : QueueVariant.values()) {
            results.add(throughput(variant, messages));
        }
        return results;
    }

    /** Publishes, delivers and acks {@code messages} on a fresh queue of {@code variant}, after a warm-up. */
    public RabbitResult throughput(QueueVariant variant, int messages) throws Exception {
        String queue = "bench-" + variant.name().toLowerCase(Locale.ROOT);
        declareFresh(queue, variant);
        Channel channel = consumerConnection.createChannel();
        try {
            channel.basicQos(prefetch);
            AckingConsumer consumer = new AckingConsumer(channel, variant.ackEvery());
            channel.basicConsume(queue, false, consumer);
            List<ConfirmingPublisher> publishers = publishers();
            try {
                sendAndDrain(publishers, queue, WARMUP, consumer, channel);
                long bytesBefore = broker.bytesWritten();
                long start = System.nanoTime();
                sendAndDrain(publishers, queue, messages, consumer, channel);
                double seconds = (System.nanoTime() - start) / 1e9;
                double bytesPerMessage = (broker.bytesWritten() - bytesBefore) / (double) messages;
                return new RabbitResult(variant, messages, seconds, messages / seconds, bytesPerMessage, describe());
            } finally {
                for (ConfirmingPublisher publisher : publishers) {
                    publisher.close();
                }
            }
        } finally {
            channel.close();
            delete(queue);
        }
    }

    /**
     * Publishes {@code rate} messages a second for {@code seconds} to a quorum queue from one thread
     * (confirms outstanding, not awaited per message) and records publish→consumer time, carried as
     * nanoTime in the payload, after two seconds of warm-up; waits up to 60 s for the last delivery.
     */
    public RabbitLatency latency(int rate, int seconds) throws Exception {
        String queue = "bench-latency";
        declareFresh(queue, QueueVariant.QUORUM_ACK_EACH);
        Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        int total = rate * seconds;
        int warmup = rate * 2;
        CountDownLatch done = new CountDownLatch(total);
        Channel channel = consumerConnection.createChannel();
        try (ConfirmingPublisher publisher = new ConfirmingPublisher(publisherConnections.getFirst(), outstanding)) {
            channel.basicQos(prefetch);
            channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws IOException {
                    Workload workload = JSON.readValue(body, Workload.class);
                    long latency = System.nanoTime() - workload.sentNanos();
                    if (Long.parseLong(workload.target().substring("order-".length())) >= warmup) {
                        histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
                    }
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                    done.countDown();
                }
            });
            long interval = 1_000_000_000L / rate;
            long next = System.nanoTime();
            for (int n = 0; n < total; n++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    // Park rather than spin, as Postroom's latency run does: the broker needs the cores.
                    LockSupport.parkNanos(wait);
                }
                publisher.publish(queue, payload(n, System.nanoTime()));
                next += interval;
            }
            done.await(60, TimeUnit.SECONDS);
            publisher.awaitConfirms();
            // One consumer thread records; reading after the latch (or the timeout) is close enough for a report.
            return new RabbitLatency(histogram, total, done.getCount());
        } finally {
            channel.close();
            delete(queue);
        }
    }

    /** Closes the connections and stops the broker. */
    @Override
    public void close() {
        try {
            for (Connection connection : publisherConnections) {
                connection.close();
            }
            consumerConnection.close();
        } catch (IOException e) {
            System.out.println("rabbitmq: closing connections failed: " + e.getMessage());
        } finally {
            broker.close();
        }
    }

    /**
     * Runs the three throughput variants alone, for tuning: {@code [messages [prefetch [outstanding [dir]]]]},
     * defaults 200,000, {@value #DEFAULT_PREFETCH}, {@value #DEFAULT_OUTSTANDING}, {@code target/bench}.
     */
    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int prefetch = args.length > 1 ? Integer.parseInt(args[1]) : DEFAULT_PREFETCH;
        int outstanding = args.length > 2 ? Integer.parseInt(args[2]) : DEFAULT_OUTSTANDING;
        Path dir = Path.of(args.length > 3 ? args[3] : "target/bench");
        Optional<RabbitPeer> started = start(dir, prefetch, outstanding);
        if (started.isEmpty()) {
            return;
        }
        try (RabbitPeer peer = started.get()) {
            System.out.println("rabbitmq: " + peer.describe());
            for (RabbitResult result : peer.throughput(messages)) {
                System.out.printf("rabbitmq %s: %,.0f messages/s, %,.0f bytes written per message%n",
                        result.variant().label(), result.messagesPerSecond(), result.bytesPerMessage());
            }
        }
        System.exit(0);
    }

    private List<ConfirmingPublisher> publishers() throws IOException {
        List<ConfirmingPublisher> publishers = new ArrayList<>();
        for (Connection connection : publisherConnections) {
            publishers.add(new ConfirmingPublisher(connection, outstanding));
        }
        return publishers;
    }

    /** As Postroom's {@code LoadRun.sendAndDrain}: one platform thread per publisher, sharing one counter. */
    private static void sendAndDrain(List<ConfirmingPublisher> publishers, String queue, int count, AckingConsumer consumer,
                                     Channel consumerChannel) throws Exception {
        long target = consumer.acked() + count;
        consumer.expect(target);
        AtomicLong next = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (ConfirmingPublisher publisher : publishers) {
            threads.add(Thread.ofPlatform().name("rabbitmq-publisher").start(() -> {
                try {
                    long n;
                    while ((n = next.getAndIncrement()) < count) {
                        publisher.publish(queue, payload(n, System.nanoTime()));
                    }
                    publisher.awaitConfirms();
                } catch (Exception | Error e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("rabbitmq publisher failed", failures.getFirst());
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (consumer.acked() < target) {
            if (System.nanoTime() - deadline > 0 || !consumerChannel.isOpen()) {
                throw new IllegalStateException("rabbitmq consumer stopped at " + consumer.acked() + " of " + target
                        + (consumerChannel.isOpen() ? "" : ": " + consumerChannel.getCloseReason()));
            }
            Thread.sleep(2);
        }
        // A round trip on the consumer's channel: the broker has read every ack sent before it.
        consumerChannel.queueDeclarePassive(queue);
    }

    private static byte[] payload(long n, long sentNanos) {
        try {
            return JSON.writeValueAsBytes(Workload.sample(n, sentNanos));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void declareFresh(String queue, QueueVariant variant) throws Exception {
        try (Channel admin = consumerConnection.createChannel()) {
            admin.queueDelete(queue);
            admin.queueDeclare(queue, true, false, false, variant.arguments());
        }
    }

    private void delete(String queue) throws Exception {
        try (Channel admin = consumerConnection.createChannel()) {
            admin.queueDelete(queue);
        }
    }
}
