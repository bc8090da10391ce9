package dev.postroom.server.alert;

import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Outbound webhook alerts on one node: starts the delivery handler on {@value WebhookDeliveries#QUEUE}
 * and runs an {@link AlertMonitor} pass every {@link Settings#interval()} on a thread of its own.
 * Every node of a cluster runs one; they share registrations and episode marks through the auth
 * database and deduplicate deaths by idempotency key, so one condition gives one alert.
 * <pre>{@code
 * DeadLetterFeed feed = new DeadLetterFeed();
 * Postroom postroom = Postroom.builder().store(store).listener(MessageListener.both(api.listener(), feed)).build();
 * Alerts alerts = Alerts.start(postroom, new WebhookStore(authDatabase), feed, Alerts.Settings.DEFAULT);
 * ...
 * alerts.close();            // the monitor
 * postroom.close();          // lets running deliveries finish
 * alerts.closeDeliveries();  // their HTTP client
 * }</pre>
 */
public final class Alerts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Alerts.class);

    /**
     * @param interval       time between monitor passes; also bounds how late an alert is raised
     * @param deliveryPolicy the policy {@value WebhookDeliveries#QUEUE} is created with when it does not exist
     * @param deadLookback   at start, how far back deaths are looked for (those seen before are dropped by key)
     * @param deliveryTimeout how long one delivery may take, the receiver's whole answer included; past it the attempt fails
     */
    public record Settings(Duration interval, QueuePolicy deliveryPolicy, Duration deadLookback, Duration deliveryTimeout) {
        /** Every 5 s: alerts a few seconds late cost nothing, and a pass is a handful of reads. */
        public static final Settings DEFAULT = new Settings(Duration.ofSeconds(5), WebhookDeliveries.POLICY, Duration.ofMinutes(10));

        public Settings {
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(deliveryPolicy, "deliveryPolicy");
            Objects.requireNonNull(deadLookback, "deadLookback");
            Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("interval must be positive, was " + interval);
            }
            if (deliveryTimeout.isNegative() || deliveryTimeout.isZero()) {
                throw new IllegalArgumentException("deliveryTimeout must be positive, was " + deliveryTimeout);
            }
        }

        /** Settings with the default delivery timeout, {@link WebhookDeliveries#REQUEST_TIMEOUT}. */
        public Settings(Duration interval, QueuePolicy deliveryPolicy, Duration deadLookback) {
            this(interval, deliveryPolicy, deadLookback, WebhookDeliveries.REQUEST_TIMEOUT);
        }
    }

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("postroom-alerts").factory());
    private final WebhookDeliveries deliveries;
    private final AlertMonitor monitor;
    private boolean failing;

    private Alerts(Postroom postroom, WebhookStore webhooks, DeadLetterFeed feed, Settings settings) {
        this.deliveries = new WebhookDeliveries(postroom, webhooks, settings.deliveryTimeout());
        this.monitor = new AlertMonitor(postroom, webhooks, deliveries, feed, settings.interval(), settings.deadLookback(), postroom::nodes);
    }

    /**
     * Starts delivering and monitoring on this node.
     *
     * @param feed the feed given to the Postroom's builder as its listener, or null to rely on scans alone
     */
    public static Alerts start(Postroom postroom, WebhookStore webhooks, DeadLetterFeed feed, Settings settings) {
        Alerts alerts = new Alerts(postroom, webhooks, feed, settings);
        alerts.deliveries.start(settings.deliveryPolicy());
        long millis = settings.interval().toMillis();
        alerts.thread.scheduleWithFixedDelay(alerts::pass, millis, millis, TimeUnit.MILLISECONDS);
        log.info("alerts started interval={} queue={}", settings.interval(), WebhookDeliveries.QUEUE);
        return alerts;
    }

    private void pass() {
        try {
            monitor.pass();
            if (failing) {
                failing = false;
                log.info("alert pass recovered");
            }
        } catch (Throwable e) {
            // The store or the auth database is away: the next pass retries; say so once per outage, not every few seconds.
            // Nothing may escape: a task that throws is never run again by its executor, and alerts would stop in silence.
            if (!failing) {
                failing = true;
                log.warn("alert pass failed, retrying every pass: {}", e.toString(), e);
            }
        }
    }

    /**
     * Stops the monitor only. Deliveries go on: their handler stops with the {@link Postroom}, which
     * lets the ones running finish, so close it next and then call {@link #closeDeliveries()}.
     * Idempotent.
     */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the deliveries' HTTP client, once {@link Postroom#close()} has drained their handler:
     * closed earlier, a delivery in flight would fail and spend an attempt. Idempotent.
     */
    public void closeDeliveries() {
        deliveries.close();
    }
}
