package dev.postroom.chaos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The HTTP load: senders (single sends, and batches of 2–10) and consumers (receive one or up to
 * 10 messages with a lease, then ack each, and nack a few), each a thread of its own, each request to a
 * node that is up. Every outcome goes into the {@link Ledger}. A request that fails because the
 * node died is not retried: the ledger counts it as unanswered, which is what a client would see.
 */
final class Load implements AutoCloseable {
    static final String QUEUE = "chaos";
    /** Consumers' lease: long enough that a busy machine's pause never outlasts it, short enough for a quick drain. */
    static final double CONSUMER_LEASE_SECONDS = 8;
    /** The held messages' lease: they come back soon after a fault. */
    static final double HELD_LEASE_SECONDS = 3;
    /** One delivery in this many is nacked, to mix retries in. */
    private static final int NACK_ONE_IN = 20;
    /** A pause after a refused connection, so that a sender does not spin while its node restarts. */
    private static final long DOWN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Deployment deployment;
    private final Ledger ledger;
    private final long sendIntervalNanos;
    private final AtomicBoolean sending = new AtomicBoolean(true);
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong unexpectedErrors = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    Load(Deployment deployment, Ledger ledger, long sendIntervalMillis) {
        this.deployment = deployment;
        this.ledger = ledger;
        this.sendIntervalNanos = TimeUnit.MILLISECONDS.toNanos(sendIntervalMillis);
    }

    /**
     * Starts {@code senders} senders and {@code consumers} consumers; even-numbered consumers receive
     * up to 10 messages at a time and ack them in one {@code POST /api/v1/messages:ack}, the others
     * receive one and ack it on its own.
     */
    void start(int senders, int consumers) {
        for (int i = 0; i < senders; i++) {
            int sender = i;
            threads.add(Thread.ofPlatform().name("chaos-sender-" + i).daemon().start(() -> send(sender)));
        }
        for (int i = 0; i < consumers; i++) {
            boolean batched = i % 2 == 0;
            threads.add(Thread.ofPlatform().name("chaos-consumer-" + i).daemon().start(() -> consume(batched)));
        }
    }

    /** Senders stop; consumers go on until {@link #close()}. */
    void stopSending() {
        sending.set(false);
    }

    private void send(int sender) {
        long sequence = 0;
        while (sending.get()) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Optional<ServerNode> node = deployment.anyUp(random);
            if (node.isEmpty()) {
                LockSupport.parkNanos(DOWN_PAUSE_NANOS);
                continue;
            }
            int size = random.nextInt(10) < 7 ? 1 : 2 + random.nextInt(9);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                keys.add("s" + sender + "-" + ++sequence);
            }
            PostroomClient client = deployment.client(node.get());
            try {
                if (size == 1) {
                    String id = client.send(QUEUE, keys.getFirst());
                    record(keys, id == null ? List.of() : List.of(id));
                } else {
                    record(keys, client.sendBatch(QUEUE, keys));
                }
            } catch (IOException unanswered) {
                keys.forEach(ledger::unacknowledged);
                LockSupport.parkNanos(DOWN_PAUSE_NANOS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                unexpected(e);
            }
            LockSupport.parkNanos(sendIntervalNanos);
        }
    }

    private void record(List<String> keys, List<String> ids) {
        if (ids.size() != keys.size()) {
            keys.forEach(ledger::unacknowledged);
            return;
        }
        for (int i = 0; i < keys.size(); i++) {
            ledger.acknowledged(keys.get(i), ids.get(i));
        }
    }

    private void consume(boolean batched) {
        while (running.get()) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            Optional<ServerNode> node = deployment.anyUp(random);
            if (node.isEmpty()) {
                LockSupport.parkNanos(DOWN_PAUSE_NANOS);
                continue;
            }
            PostroomClient client = deployment.client(node.get());
            List<PostroomClient.Received> received;
            FaultWindow.Mark before = ledger.window().now();
            try {
                received = client.receive(QUEUE, batched ? 10 : 1, 1, CONSUMER_LEASE_SECONDS);
            } catch (IOException unanswered) {
                // Messages leased by a receive whose answer was lost come back when the lease expires.
                LockSupport.parkNanos(DOWN_PAUSE_NANOS);
                continue;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                unexpected(e);
                continue;
            }
            List<Delivery> deliveries = received.stream()
                    .map(m -> ledger.delivered(m.id(), m.key(), node.get().name(), before)).toList();
            try {
                settle(client, received, deliveries, random);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                unexpected(e);
            }
        }
    }

    private void settle(PostroomClient client, List<PostroomClient.Received> received, List<Delivery> deliveries,
                        ThreadLocalRandom random) throws InterruptedException {
        List<PostroomClient.Received> toAck = new ArrayList<>();
        List<Delivery> toAckDeliveries = new ArrayList<>();
        for (int i = 0; i < received.size(); i++) {
            if (random.nextInt(NACK_ONE_IN) == 0) {
                Delivery delivery = deliveries.get(i);
                try {
                    boolean nacked = client.nack(received.get(i)).confirmed();
                    delivery.settle(nacked ? Delivery.Outcome.NACKED : Delivery.Outcome.NACK_FAILED, ledger.window().now());
                } catch (IOException unanswered) {
                    delivery.settle(Delivery.Outcome.NACK_FAILED, ledger.window().now());
                }
            } else {
                toAck.add(received.get(i));
                toAckDeliveries.add(deliveries.get(i));
            }
        }
        if (toAck.isEmpty()) {
            return;
        }
        if (received.size() > 1) {
            ackInOneCall(client, toAck, toAckDeliveries);
            return;
        }
        for (int i = 0; i < toAck.size(); i++) {
            Delivery delivery = toAckDeliveries.get(i);
            try {
                boolean acked = client.ack(toAck.get(i)).confirmed();
                delivery.settle(acked ? Delivery.Outcome.ACKED : Delivery.Outcome.ACK_FAILED, ledger.window().now());
            } catch (IOException unanswered) {
                delivery.settle(Delivery.Outcome.ACK_FAILED, ledger.window().now());
            }
        }
    }

    /** A batch ack: each entry is acked or not by its own status; an unanswered call leaves every entry unconfirmed. */
    private void ackInOneCall(PostroomClient client, List<PostroomClient.Received> toAck, List<Delivery> deliveries)
            throws InterruptedException {
        try {
            List<PostroomClient.Settled> settled = client.ackAll(toAck);
            for (int i = 0; i < deliveries.size(); i++) {
                boolean acked = i < settled.size() && settled.get(i).confirmed();
                deliveries.get(i).settle(acked ? Delivery.Outcome.ACKED : Delivery.Outcome.ACK_FAILED, ledger.window().now());
            }
        } catch (IOException unanswered) {
            deliveries.forEach(delivery -> delivery.settle(Delivery.Outcome.ACK_FAILED, ledger.window().now()));
        }
    }

    /**
     * Receives up to {@code max} messages through {@code node} with a short lease and keeps them
     * unacknowledged: a fault comes next, and they must come back once the lease expires.
     */
    List<Delivery> hold(ServerNode node, int max) throws InterruptedException {
        FaultWindow.Mark before = ledger.window().now();
        try {
            List<PostroomClient.Received> received = deployment.client(node).receive(QUEUE, max, 1, HELD_LEASE_SECONDS);
            FaultWindow.Mark answered = ledger.window().now();
            List<Delivery> held = new ArrayList<>();
            for (PostroomClient.Received m : received) {
                Delivery delivery = ledger.delivered(m.id(), m.key(), node.name(), before);
                delivery.settle(Delivery.Outcome.HELD, answered);
                held.add(delivery);
            }
            return held;
        } catch (IOException unanswered) {
            return List.of();
        }
    }

    /** Errors that no fault explains (a malformed answer, a bug of the campaign's own): counted, and they fail it. */
    long unexpectedErrors() {
        return unexpectedErrors.get();
    }

    private void unexpected(RuntimeException e) {
        if (unexpectedErrors.incrementAndGet() <= 5) {
            ledger.failure("load: " + e);
        }
    }

    /** Stops every thread and waits for it, so that the ledger no longer changes. */
    @Override
    public void close() throws InterruptedException {
        sending.set(false);
        running.set(false);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
