package dev.postroom.bench;

import dev.postroom.bench.rabbitmq.QueueVariant;
import dev.postroom.bench.rabbitmq.RabbitLatency;
import dev.postroom.bench.rabbitmq.RabbitPeer;
import dev.postroom.bench.rabbitmq.RabbitResult;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@link Bench}'s RabbitMQ lines: after each of Postroom's throughput runs, RabbitMQ's runs (one per
 * {@link QueueVariant}) and the ratios for that round; after the last round, the means. Rounds
 * interleave the two so that a noisy neighbour on the machine hits both rather than one.
 */
final class RabbitComparison {
    private final Optional<RabbitPeer> peer;
    private final int messages;
    private final List<Double> ours = new ArrayList<>();
    private final Map<QueueVariant, List<RabbitResult>> theirs = new EnumMap<>(QueueVariant.class);

    /** {@code peer} is empty when RabbitMQ is unavailable or not wanted: only Postroom's rounds are kept then. */
    RabbitComparison(Optional<RabbitPeer> peer, int messages) {
        this.peer = peer;
        this.messages = messages;
    }

    /** Runs RabbitMQ's throughput variants and prints them beside {@code postroomRate}, this round's figure. */
    void round(double postroomRate) throws Exception {
        ours.add(postroomRate);
        if (peer.isEmpty() || messages <= 0) {
            return;
        }
        for (RabbitResult result : peer.get().throughput(messages)) {
            String name = result.variant().label();
            theirs.computeIfAbsent(result.variant(), v -> new ArrayList<>()).add(result);
            System.out.printf("rabbitmq %s: %,.0f messages/s (%,d messages publish→consumer→ack in %.2f s)%n",
                    name, result.messagesPerSecond(), result.messages(), result.seconds());
            System.out.printf("rabbitmq %s bytes written per message: %,.0f%n", name, result.bytesPerMessage());
            System.out.printf("ratio: postroom / rabbitmq %s = %.2fx%n", name, postroomRate / result.messagesPerSecond());
        }
    }

    /** After two or more rounds: each side's mean, and the mean of the rounds' ratios with each round's. */
    void summary() {
        if (ours.size() < 2) {
            return;
        }
        System.out.printf("postroom throughput, mean of %d interleaved rounds: %,.0f messages/s (%s)%n",
                ours.size(), mean(ours), rates(ours));
        for (Map.Entry<QueueVariant, List<RabbitResult>> entry : theirs.entrySet()) {
            List<Double> rates = entry.getValue().stream().map(RabbitResult::messagesPerSecond).toList();
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < rates.size(); i++) {
                ratios.add(ours.get(i) / rates.get(i));
            }
            String name = entry.getKey().label();
            System.out.printf("rabbitmq %s, mean of %d rounds: %,.0f messages/s (%s); bytes written per message %,.0f%n",
                    name, rates.size(), mean(rates), rates(rates),
                    entry.getValue().stream().mapToDouble(RabbitResult::bytesPerMessage).average().orElse(0));
            System.out.printf("mean ratio: postroom / rabbitmq %s = %.2fx (rounds: %s)%n", name, mean(ratios),
                    ratios.stream().map(r -> "%.2fx".formatted(r)).collect(Collectors.joining(" · ")));
        }
    }

    /** RabbitMQ's latency run on a quorum queue, worded like Postroom's latency line. */
    void latency(int rate, int seconds) throws Exception {
        if (peer.isEmpty()) {
            return;
        }
        RabbitLatency run = peer.get().latency(rate, seconds);
        System.out.printf("rabbitmq quorum latency: %,d messages/s for %d s, %s%s%n", rate, seconds, run.percentiles(),
                run.undelivered() > 0 ? "; %,d of %,d not delivered within 60 s".formatted(run.undelivered(), run.total()) : "");
    }

    /** The mean of Postroom's rounds, the figure the JobRunr ratio uses. */
    double postroomMean() {
        return mean(ours);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static String rates(List<Double> values) {
        return values.stream().map(v -> "%,.0f".formatted(v)).collect(Collectors.joining(" · "));
    }
}
