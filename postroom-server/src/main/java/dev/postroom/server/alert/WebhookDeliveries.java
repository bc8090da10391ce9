package dev.postroom.server.alert;

import dev.postroom.Backoff;
import dev.postroom.Delivery;
import dev.postroom.GiveUpException;
import dev.postroom.Postroom;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Deliveries of alerts through Postroom's own queue {@value #QUEUE}: one message per alert and
 * webhook, whose handler POSTs the body with a fresh {@link Signature}. A non-2xx answer or an I/O
 * error fails the attempt, so the queue's backoff retries it, and after its last attempt it is DEAD
 * like any message: listed, redrivable, kept for the queue's dead retention. The message holds the
 * webhook's name and the body, never the secret: URL and secret are read when the delivery runs, so
 * a rotated secret or a moved URL applies to deliveries already queued, and those of a deleted
 * webhook are acked with {@code {"dropped": ...}} instead of sent.
 */
public final class WebhookDeliveries implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDeliveries.class);
    /** The queue of deliveries; its messages never raise {@code message.dead} themselves (an alert about an alert could loop). */
    public static final String QUEUE = "postroom.webhooks";

    /**
     * Whether {@code queue} is the deliveries queue, which only admins send to or receive from:
     * whatever lands there is signed with a webhook's secret and posted.
     */
    public static boolean isReserved(String queue) {
        return QUEUE.equals(queue);
    }

    /**
     * @throws dev.postroom.InvalidMessageException naming {@code queue} when it is the deliveries
     *         queue: every token that may publish to the topic would send to it
     */
    public static void refuseSubscription(String queue) {
        if (isReserved(queue)) {
            throw new dev.postroom.InvalidMessageException("queue", queue
                    + " is Postroom's own queue of webhook deliveries and cannot subscribe to a topic");
        }
    }
    /**
     * Twelve attempts 10 s apart at first, doubling up to an hour: about eight hours before a
     * delivery is DEAD, long enough to ride out a receiver's deploy or a night-time outage.
     */
    public static final QueuePolicy POLICY = QueuePolicy.DEFAULT
            .withMaxAttempts(12)
            .withBackoff(new Backoff(Duration.ofSeconds(10), Duration.ofHours(1), 2.0))
            .withLease(Duration.ofSeconds(60))
            .withConcurrency(16);
    /** Receivers should answer at once and work later; a slow one holds a handler, not the monitor. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * The whole exchange, from sending to the last byte of the answer: {@link HttpRequest#timeout}
     * alone ends at the answer's headers, and a receiver trickling its body would hold a handler.
     */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** A delivery message's payload: which webhook, which event, and the body to post. */
    public record Call(String webhook, String event, String body) {
    }

    private final Postroom postroom;
    private final WebhookStore webhooks;
    private final Duration timeout;
    private final HttpClient http;
    private volatile QueuePolicy policy = POLICY;

    WebhookDeliveries(Postroom postroom, WebhookStore webhooks) {
        this(postroom, webhooks, REQUEST_TIMEOUT);
    }

    /** @param timeout how long one delivery may take, answer body included; past it the attempt fails */
    WebhookDeliveries(Postroom postroom, WebhookStore webhooks, Duration timeout) {
        this.postroom = postroom;
        this.webhooks = webhooks;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout.compareTo(CONNECT_TIMEOUT) < 0 ? timeout : CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect is a misconfigured URL: fail visibly, do not re-sign elsewhere
                .build();
    }

    /**
     * Creates {@value #QUEUE} with {@code policy} when it does not exist (an operator's later change
     * to its policy is kept across restarts) and starts handling it on this node.
     */
    void start(QueuePolicy policy) {
        this.policy = policy;
        if (postroom.queues().stream().noneMatch(q -> q.name().equals(QUEUE))) {
            postroom.createQueue(QUEUE, policy);
        }
        postroom.handle(QUEUE, Call.class, this::deliver);
    }

    /**
     * Queues {@code alert} for {@code webhook}. {@code idempotencyKey}, when not null, makes a
     * repeat (the same death seen twice, or by two nodes) return the first delivery instead.
     */
    CompletableFuture<SendResult> enqueue(Webhook webhook, Alert alert, String idempotencyKey) {
        return send(webhook, alert, idempotencyKey).exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (!(cause instanceof QueueNotFoundException missing) || !QUEUE.equals(missing.queue())) {
                return CompletableFuture.failedFuture(cause);
            }
            // An operator deleted it: alerts need it, so it comes back with the policy it started with.
            log.warn("webhook deliveries queue {} was deleted: creating it again", QUEUE);
            postroom.createQueue(QUEUE, policy);
            return send(webhook, alert, idempotencyKey);
        });
    }

    private CompletableFuture<SendResult> send(Webhook webhook, Alert alert, String idempotencyKey) {
        Call call = new Call(webhook.name(), alert.event().wireName(), alert.body(webhook.format(), postroom.json()));
        SendOptions.Builder options = SendOptions.builder()
                .header("webhook", webhook.name())
                .header("event", alert.event().wireName());
        if (idempotencyKey != null) {
            options.idempotencyKey(idempotencyKey);
        }
        try {
            return postroom.send(QUEUE, call, options.build());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private Object deliver(Delivery<Call> delivery) throws Exception {
        Call call = delivery.payload();
        Optional<WebhookStore.Target> target = webhooks.target(call.webhook());
        if (target.isEmpty()) {
            log.info("webhook delivery dropped messageId={} webhook={} reason=deleted", delivery.id(), call.webhook());
            return Map.of("dropped", "webhook " + call.webhook() + " was deleted");
        }
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(target.get().url()))
                    .timeout(timeout.plusSeconds(1)) // a margin: the wait below decides, whatever JDK bounds the body too
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Postroom-Webhooks")
                    .header("Postroom-Event", call.event())
                    // the same on every attempt: a receiver that saw it already can ignore a repeat
                    .header("Postroom-Delivery", delivery.id())
                    .header(Signature.HEADER, Signature.sign(target.get().secret(), postroom.clock().instant(), call.body()))
                    .POST(HttpRequest.BodyPublishers.ofString(call.body()))
                    .build();
        } catch (IllegalArgumentException e) {
            // Not the JDK's message: it quotes the URL, whose path may be a credential (a Slack hook's is).
            throw new GiveUpException("webhook " + call.webhook() + " has an unusable URL; set it again with PUT /api/v1/webhooks/"
                    + call.webhook());
        }
        HttpResponse<Void> response = exchange(call.webhook(), request);
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new IllegalStateException("webhook " + call.webhook() + " answered HTTP " + status);
        }
        return Map.of("status", status);
    }

    /**
     * Sends {@code request} and waits for the whole answer, body included, at most {@link #timeout}:
     * past it the exchange is cancelled (its connection closed) and the attempt fails, to be retried.
     */
    private HttpResponse<Void> exchange(String webhook, HttpRequest request) throws Exception {
        CompletableFuture<HttpResponse<Void>> pending = http.sendAsync(request, HttpResponse.BodyHandlers.discarding());
        try {
            return pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new IllegalStateException("webhook " + webhook + " did not answer within " + AlertMonitor.human(timeout));
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Stops the client without waiting: requests already sent finish, and a handler still running then fails and is retried. */
    @Override
    public void close() {
        http.shutdown();
    }
}
