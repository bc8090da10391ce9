package dev.postroom.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.BatchResult;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.MessageTooLargeException;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.RawJson;
import dev.postroom.ReceiveOptions;
import dev.postroom.SendOptions;
import dev.postroom.SendResult;
import dev.postroom.Futures;
import dev.postroom.TraceHeaders;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Sending, receiving and settling messages, and operator actions on one message. */
final class MessageRoutes {
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);
    /** Stores keep times as epoch milliseconds; years beyond these overflow them (a 5xx, not a 422). */
    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final Postroom postroom;
    private final ObjectMapper mapper;
    private final FinalStates finalStates;
    private final WaiterLimit longPolls;
    private final AuditTrail audit;
    private final WorkflowRefs workflows;
    private final Redactions redactions;

    MessageRoutes(Postroom postroom, ObjectMapper mapper, FinalStates finalStates, WaiterLimit longPolls, AuditTrail audit) {
        this.postroom = postroom;
        this.mapper = mapper;
        this.finalStates = finalStates;
        this.longPolls = longPolls;
        this.audit = audit;
        this.workflows = new WorkflowRefs(postroom, mapper);
        this.redactions = new Redactions(postroom);
    }

    /** The message's full view, with its workflow when it is a step. */
    Views.FullMessage full(Message message) {
        return Views.FullMessage.of(message, workflows.of(message.id(), message.headers()));
    }

    void register(RoutesConfig routes) {
        routes.post("/api/v1/queues/{queue}/messages", this::send);
        routes.post("/api/v1/queues/{queue}/messages:batch", this::sendBatch);
        routes.post("/api/v1/queues/{queue}/receive", this::receive);
        routes.post("/api/v1/messages/{id}/ack", this::ack);
        routes.post("/api/v1/messages/{id}/nack", this::nack);
        routes.post("/api/v1/messages/{id}/extend", this::extend);
        routes.post("/api/v1/messages/{id}/snooze", this::snooze);
        routes.post("/api/v1/messages/{id}/progress", this::progress);
        routes.get("/api/v1/messages", this::browse);
        routes.get("/api/v1/messages/{id}", this::get);
        routes.post("/api/v1/messages/{id}/retry", this::retry);
        routes.post("/api/v1/messages/{id}/cancel", this::cancel);
        routes.delete("/api/v1/messages/{id}", this::delete);
    }

    private void send(Context ctx) throws IOException {
        String queue = ctx.pathParam("queue");
        Access.require(ctx, Scope.Kind.SEND, queue);
        Bodies.Send body = Bodies.read(ctx, mapper, Bodies.Send.class);
        SendResult result = Futures.join(postroom.send(queue, payload(body, ""), options(body, "", traceparent(ctx))));
        ctx.status(result.duplicate() || result.debounced() ? 200 : 201).json(Views.Sent.of(result));
    }

    private void sendBatch(Context ctx) throws IOException {
        String queue = ctx.pathParam("queue");
        Access.require(ctx, Scope.Kind.SEND, queue);
        Bodies.SendBatch body = Bodies.readBatch(ctx, mapper, postroom.limits().maxBatchSize());
        if (body.messages() == null || body.messages().isEmpty()) {
            throw new InvalidMessageException("messages", "must hold at least one message");
        }
        List<OutgoingMessage> batch = new ArrayList<>(body.messages().size());
        String traceparent = traceparent(ctx);
        for (int i = 0; i < body.messages().size(); i++) {
            Bodies.Send message = body.messages().get(i);
            if (message == null) {
                throw new InvalidMessageException("messages[" + i + "]", "must be an object");
            }
            String prefix = "messages[" + i + "].";
            batch.add(new OutgoingMessage(payload(message, prefix), options(message, prefix, traceparent)));
        }
        if (body.batch() != null) {
            BatchResult sent = BatchRoutes.send(ctx, postroom, queue, batch, body.batch());
            ctx.status(201).json(new Views.SentBatch(sent.messages().stream().map(Views.Sent::of).toList(),
                    sent.batchId()));
            return;
        }
        List<SendResult> results;
        try {
            results = Futures.join(postroom.sendBatch(queue, batch));
        } catch (InvalidMessageException e) {
            throw batch.size() == 1 ? firstEntry(e) : e;
        }
        ctx.status(201).json(new Views.SentBatch(results.stream().map(Views.Sent::of).toList()));
    }

    /** The engine names a lone message's fields without the {@code messages[0].} a batch of one still needs. */
    private static InvalidMessageException firstEntry(InvalidMessageException e) {
        if (e.field().startsWith("messages") || e.field().equals("queue")) {
            return e;
        }
        String field = "messages[0]." + e.field();
        String message = WireNames.problem(e);
        return e instanceof MessageTooLargeException tooLarge
                ? new MessageTooLargeException(field, tooLarge.size(), tooLarge.limit())
                : new InvalidMessageException(field, message, e);
    }

    static RawJson payload(Bodies.Send body, String prefix) {
        if (body.payload() == null) {
            throw new InvalidMessageException(prefix + "payload", "is required");
        }
        return new RawJson(body.payload().json());
    }

    /**
     * The request's W3C {@code traceparent}, when well-formed: the client's trace, which the message
     * carries to its handler. A malformed one is dropped rather than refused, as tracing must never
     * fail a send.
     */
    static String traceparent(Context ctx) {
        String value = ctx.header(TraceHeaders.TRACEPARENT);
        return TraceHeaders.traceId(value) == null ? null : value;
    }

    /**
     * @param traceparent the request's trace context, stored as the {@code traceparent} header unless
     *                    the body's headers carry one (or are full)
     */
    SendOptions options(Bodies.Send body, String prefix, String traceparent) {
        SendOptions.Builder options = SendOptions.builder();
        if (body.delaySeconds() != null) {
            options.delay(QueueRoutes.seconds(prefix + "delaySeconds", body.delaySeconds()));
        }
        if (body.ttlSeconds() != null) {
            options.ttl(QueueRoutes.seconds(prefix + "ttlSeconds", body.ttlSeconds()));
        }
        if (body.headers() != null) {
            body.headers().forEach((name, value) -> {
                if (value == null) {
                    throw new InvalidMessageException(prefix + "headers." + name, "must be a string, not null");
                }
            });
            options.headers(body.headers());
        }
        int given = body.headers() == null ? 0 : body.headers().size();
        if (traceparent != null && given < postroom.limits().maxHeaders()
                && (body.headers() == null || !body.headers().containsKey(TraceHeaders.TRACEPARENT))) {
            options.header(TraceHeaders.TRACEPARENT, traceparent);
        }
        if (body.notBefore() != null && (body.notBefore().isBefore(EARLIEST) || body.notBefore().isAfter(LATEST))) {
            throw new InvalidMessageException(prefix + "notBefore", "must be between years 0001 and 9999, was " + body.notBefore());
        }
        if (body.priority() != null) {
            options.priority(body.priority());
        }
        if (body.debounceKey() != null || body.debounceSeconds() != null || body.debounceMaxWaitSeconds() != null) {
            if (body.debounceKey() == null) {
                throw new InvalidMessageException(prefix + "debounceKey", "is required with debounceSeconds and debounceMaxWaitSeconds");
            }
            if (body.debounceSeconds() == null) {
                throw new InvalidMessageException(prefix + "debounceSeconds", "is required with debounceKey");
            }
            options.debounce(body.debounceKey(), QueueRoutes.seconds(prefix + "debounceSeconds", body.debounceSeconds()),
                    body.debounceMaxWaitSeconds() == null ? null
                            : QueueRoutes.seconds(prefix + "debounceMaxWaitSeconds", body.debounceMaxWaitSeconds()));
        }
        return options.notBefore(body.notBefore()).orderingKey(body.orderingKey()).idempotencyKey(body.idempotencyKey())
                .uniqueKey(body.uniqueKey()).build();
    }

    private void receive(Context ctx) throws IOException, InterruptedException {
        String queue = ctx.pathParam("queue");
        Access.require(ctx, Scope.Kind.RECEIVE, queue);
        Bodies.Receive body = Bodies.read(ctx, mapper, Bodies.Receive.class);
        int max = body.max() == null ? 1 : body.max();
        Duration wait = body.waitSeconds() == null ? Duration.ZERO : QueueRoutes.seconds("waitSeconds", body.waitSeconds());
        Duration lease = body.leaseSeconds() == null ? null : QueueRoutes.seconds("leaseSeconds", body.leaseSeconds());
        ReceiveOptions options = new ReceiveOptions(max, wait, lease);
        List<dev.postroom.ReceivedMessage> received;
        if (wait.isZero()) {
            received = postroom.receive(queue, options);
        } else {
            try (var slot = longPolls.enter(Access.token(ctx).id())) {
                received = postroom.receive(queue, options);
            }
        }
        ctx.json(new Views.ReceivedBatch(received.stream().map(m -> Views.Received.of(m, workflows.of(m.id(), m.headers()))).toList()));
    }

    /** The message's queue, after checking the token may receive from it (settling needs receive scope). */
    /**
     * The message a settle route names, for a token with {@code receive:} on its queue. A message
     * the token may not even see is a 404, as for {@code GET}, so that settling does not reveal
     * which queue an id belongs to; one it may see but not receive from is a 403.
     */
    private Message leased(Context ctx) {
        String id = ctx.pathParam("id");
        ApiToken token = Access.token(ctx);
        Message message = postroom.get(id).filter(m -> Access.maySee(token, m.queue())).orElseThrow(() -> new MessageNotFoundException(id));
        Access.require(ctx, Scope.Kind.RECEIVE, message.queue());
        return message;
    }

    private void ack(Context ctx) throws IOException {
        Message message = leased(ctx);
        Bodies.Ack body = Bodies.read(ctx, mapper, Bodies.Ack.class);
        RawJson result = body.result() == null || body.result().json().equals("null") ? null : new RawJson(body.result().json());
        postroom.ack(message.id(), requireLease(body.leaseId()), result);
        ctx.json(full(postroom.get(message.id()).orElseThrow(() -> new MessageNotFoundException(message.id()))));
    }

    private void nack(Context ctx) throws IOException {
        Message message = leased(ctx);
        Bodies.Nack body = Bodies.read(ctx, mapper, Bodies.Nack.class);
        if (body.error() == null || body.error().message() == null) {
            throw new InvalidMessageException("error.message", "is required");
        }
        body.error().requireWithinLimits("error");
        if (Boolean.TRUE.equals(body.deadLetter())) {
            if (body.retryAfterSeconds() != null) {
                throw new InvalidMessageException("retryAfterSeconds", "must be absent when deadLetter is true: a dead letter is not retried");
            }
            postroom.deadLetter(message.id(), requireLease(body.leaseId()), body.error().message(), body.error().detail());
        } else {
            Duration retryAfter = body.retryAfterSeconds() == null ? null : QueueRoutes.seconds("retryAfterSeconds", body.retryAfterSeconds());
            postroom.nack(message.id(), requireLease(body.leaseId()), body.error().message(), body.error().detail(), retryAfter);
        }
        ctx.json(full(postroom.get(message.id()).orElseThrow(() -> new MessageNotFoundException(message.id()))));
    }

    /** "Not yet": back to SCHEDULED for {@code seconds} without spending the attempt. */
    private void snooze(Context ctx) throws IOException {
        Message message = leased(ctx);
        Bodies.Snooze body = Bodies.read(ctx, mapper, Bodies.Snooze.class);
        if (body.seconds() == null) {
            throw new InvalidMessageException("seconds", "is required (0 for ready again at once)");
        }
        Duration delay = QueueRoutes.seconds("seconds", body.seconds());
        try {
            postroom.snooze(message.id(), requireLease(body.leaseId()), delay);
        } catch (InvalidMessageException e) {
            throw "delay".equals(e.field()) ? new InvalidMessageException("seconds", WireNames.problem(e), e) : e;
        }
        ctx.json(full(postroom.get(message.id()).orElseThrow(() -> new MessageNotFoundException(message.id()))));
    }

    private void extend(Context ctx) throws IOException {
        Message message = leased(ctx);
        Bodies.Extend body = Bodies.read(ctx, mapper, Bodies.Extend.class);
        if (body.leaseSeconds() == null) {
            throw new InvalidMessageException("leaseSeconds", "is required");
        }
        ctx.json(new Views.LeaseExpiry(postroom.extend(message.id(), requireLease(body.leaseId()),
                QueueRoutes.seconds("leaseSeconds", body.leaseSeconds()))));
    }

    private void progress(Context ctx) throws IOException {
        Message message = leased(ctx);
        Bodies.Progress body = Bodies.read(ctx, mapper, Bodies.Progress.class);
        postroom.progress(message.id(), requireLease(body.leaseId()), body.percent(), body.note());
        ctx.json(new Views.Progress(body.percent(), body.note()));
    }

    /**
     * A token with {@code read}, or with {@code send:} or {@code receive:} on the message's queue,
     * so that a producer can poll what it sent and a consumer what it handled. The scope depends on
     * the queue, so it is checked once the message is loaded; a message the token may not see is a
     * 404 like an unknown id, so that ids of other queues' messages do not leak.
     */
    private void get(Context ctx) throws InterruptedException {
        ApiToken token = Access.token(ctx);
        String id = ctx.pathParam("id");
        String waitParam = ctx.queryParam("waitSeconds");
        // checked whatever the message's state: a bad value is refused even when there is nothing to wait for
        Duration wait = waitParam == null ? null : waitSeconds(waitParam);
        Message message = postroom.get(id).filter(m -> Access.maySee(token, m.queue()))
                .orElseThrow(() -> new MessageNotFoundException(id));
        if (wait != null && !message.state().isFinal()) {
            try (var slot = longPolls.enter(token.id())) {
                message = finalStates.await(id, wait);
            }
        }
        ctx.json(full(redactions.message(token, message)));
    }

    /** A decimal number of seconds, 0–30 ({@code Double.parseDouble} would also take "NaN", "5d" and hex). */
    private static Duration waitSeconds(String text) {
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("waitSeconds", "must be a number of seconds");
        }
        if (seconds.signum() < 0 || seconds.compareTo(BigDecimal.valueOf(MAX_WAIT.toSeconds())) > 0) {
            throw new InvalidMessageException("waitSeconds", "must be 0–" + MAX_WAIT.toSeconds());
        }
        return Duration.ofMillis(seconds.movePointRight(3).longValue());
    }

    private void browse(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        dev.postroom.MessageQuery query = query(ctx);
        dev.postroom.MessagePage page = postroom.browse(query);
        ctx.json(new Views.Page(redactions.found(Access.token(ctx), page.messages(), query.text(), postroom::get).stream()
                .map(Views.Summary::of).toList(), page.next()));
    }

    /** The filters of {@code GET /api/v1/messages} (and of the archive) from the query string. */
    static dev.postroom.MessageQuery query(Context ctx) {
        dev.postroom.MessageQuery.Builder query = dev.postroom.MessageQuery.builder()
                .queue(ctx.queryParam("queue"))
                .orderingKey(ctx.queryParam("orderingKey"))
                .text(ctx.queryParam("q"))
                .after(ctx.queryParam("after"));
        if (ctx.queryParam("state") != null) {
            query.state(state("state", ctx.queryParam("state")));
        }
        if (ctx.queryParam("since") != null) {
            query.since(instant("since", ctx.queryParam("since")));
        }
        if (ctx.queryParam("until") != null) {
            query.until(instant("until", ctx.queryParam("until")));
        }
        if (ctx.queryParam("limit") != null) {
            try {
                query.limit(Integer.parseInt(ctx.queryParam("limit")));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("limit", "must be a whole number");
            }
        }
        return query.build();
    }

    static java.time.Instant instant(String field, String text) {
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.badRequest(field, "must be an RFC 3339 time, e.g. 2026-11-25T10:00:00Z");
        }
    }

    private void retry(Context ctx) {
        Access.require(ctx, Scope.Kind.OPERATE);
        String id = ctx.pathParam("id");
        postroom.retry(id);
        operated(ctx, "message.retry", id);
    }

    private void cancel(Context ctx) {
        Access.require(ctx, Scope.Kind.OPERATE);
        String id = ctx.pathParam("id");
        postroom.cancel(id);
        operated(ctx, "message.cancel", id);
    }

    private void delete(Context ctx) {
        Access.require(ctx, Scope.Kind.OPERATE);
        String id = ctx.pathParam("id");
        Optional<Message> deleted = postroom.get(id);
        if (!postroom.delete(id)) {
            throw new MessageNotFoundException(id);
        }
        audit.record(ctx, "message.delete", "message", id,
                deleted.map(m -> Map.of("queue", m.queue(), "state", m.state().name())).orElse(Map.of()));
        ctx.status(204);
    }

    /** Records an operator action on one message and answers the message as it is now. */
    private void operated(Context ctx, String action, String id) {
        Message message = postroom.get(id).orElseThrow(() -> new MessageNotFoundException(id));
        audit.record(ctx, action, "message", id, Map.of("queue", message.queue(), "state", message.state().name()));
        ctx.json(full(message));
    }

    private static String requireLease(String leaseId) {
        if (leaseId == null || leaseId.isBlank()) {
            throw new InvalidMessageException("leaseId", "is required");
        }
        return leaseId;
    }

    static MessageState state(String field, String text) {
        try {
            return MessageState.valueOf(text);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidMessageException(field, "unknown state \"" + text + "\"; use SCHEDULED, READY, IN_FLIGHT, SUCCEEDED, DEAD or CANCELLED");
        }
    }
}
