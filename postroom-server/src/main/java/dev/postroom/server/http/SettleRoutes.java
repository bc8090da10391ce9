package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.IllegalTransitionException;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.MessageTooLargeException;
import dev.postroom.Postroom;
import dev.postroom.PostroomException;
import dev.postroom.RawJson;
import dev.postroom.Settle;
import dev.postroom.SettleOutcome;
import dev.postroom.StaleLeaseException;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code POST /api/v1/messages:ack} and {@code :nack}: many leased messages settled in one call.
 * The request is checked whole first: a malformed body, an empty or too long batch, or an entry
 * that is invalid in itself (no id or lease, an error without a message, a result over the limit)
 * fails it, naming the entry's field, and nothing is settled. Then each entry settles on its own:
 * the answer is 200 with one result per entry, in order, {@code status} 200 and the message's new
 * {@code state}, or the status it would have had alone (403, 404, 409) with a {@code detail}.
 */
final class SettleRoutes {
    private static final Logger log = LoggerFactory.getLogger(SettleRoutes.class);
    private final Postroom postroom;
    private final ObjectMapper mapper;

    SettleRoutes(Postroom postroom, ObjectMapper mapper) {
        this.postroom = postroom;
        this.mapper = mapper;
    }

    void register(RoutesConfig routes) {
        routes.post("/api/v1/messages:ack", this::ack);
        routes.post("/api/v1/messages:nack", this::nack);
    }

    /** One entry's outcome on the wire; {@code state} when settled, {@code detail} when not. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Result(String id, int status, MessageState state, String detail) {
    }

    record Results(List<Result> results) {
    }

    private void ack(Context ctx) throws IOException {
        Bodies.AckBatch body = Bodies.read(ctx, mapper, Bodies.AckBatch.class);
        List<Bodies.AckEntry> entries = requireEntries("acks", body.acks());
        List<Settle.Ack> acks = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Bodies.AckEntry entry = entries.get(i);
            String at = "acks[" + i + "].";
            requireIdAndLease(at, entry.id(), entry.leaseId());
            RawJson result = entry.result() == null || entry.result().json().equals("null") ? null : new RawJson(entry.result().json());
            if (result != null) {
                postroom.limits().requireWithinPayload(at + "result", result.json());
            }
            acks.add(new Settle.Ack(entry.id(), entry.leaseId(), result));
        }
        ctx.json(settle(ctx, acks, postroom::ackAll));
    }

    private void nack(Context ctx) throws IOException {
        Bodies.NackBatch body = Bodies.read(ctx, mapper, Bodies.NackBatch.class);
        List<Bodies.NackEntry> entries = requireEntries("nacks", body.nacks());
        List<Settle.Nack> nacks = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Bodies.NackEntry entry = entries.get(i);
            String at = "nacks[" + i + "].";
            requireIdAndLease(at, entry.id(), entry.leaseId());
            if (entry.error() == null || entry.error().message() == null || entry.error().message().isBlank()) {
                throw new InvalidMessageException(at + "error.message", "is required");
            }
            entry.error().requireWithinLimits(at + "error");
            Duration retryAfter = null;
            if (entry.retryAfterSeconds() != null) {
                retryAfter = QueueRoutes.seconds(at + "retryAfterSeconds", entry.retryAfterSeconds());
                if (retryAfter.isNegative()) {
                    throw new InvalidMessageException(at + "retryAfterSeconds", "must not be negative");
                }
            }
            nacks.add(new Settle.Nack(entry.id(), entry.leaseId(), entry.error().message(), entry.error().detail(), retryAfter));
        }
        ctx.json(settle(ctx, nacks, postroom::nackAll));
    }

    private static void requireIdAndLease(String at, String id, String leaseId) {
        if (id == null || id.isEmpty()) {
            throw new InvalidMessageException(at + "id", "is required");
        }
        if (leaseId == null || leaseId.isBlank() || leaseId.length() > 64) {
            throw new InvalidMessageException(at + "leaseId", "is required, at most 64 characters");
        }
    }

    private <E> List<E> requireEntries(String field, List<E> entries) {
        if (entries == null || entries.isEmpty()) {
            throw new InvalidMessageException(field, "must hold at least one entry");
        }
        int max = postroom.limits().maxBatchSize();
        if (entries.size() > max) {
            throw new MessageTooLargeException(field, entries.size(), max, "entries");
        }
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i) == null) {
                throw new InvalidMessageException(field + "[" + i + "]", "must be an object");
            }
        }
        return entries;
    }

    /**
     * Checks each entry the way the single settle routes do (a message the token may not see is a
     * 404, one it may see but not receive from a 403), settles those that pass in one batch, and
     * answers every entry in its place. A token that may receive from every queue ({@code admin},
     * {@code receive:*}) passes both checks for any message, so its entries go to the store without
     * reading each message first: those reads were about half of the server's CPU in receive + batch
     * ack (HttpLoad, JFR). The store answers an unknown or malformed id with the same 404. (Webhook
     * deliveries are the one exception to "any message", and need no check here: settling takes the
     * lease, and only an admin may receive from their queue.)
     */
    private <S extends Settle> Results settle(Context ctx, List<S> entries, Function<List<S>, List<SettleOutcome>> settleAll) {
        ApiToken token = Access.token(ctx);
        Result[] results = new Result[entries.size()];
        List<S> allowed = new ArrayList<>(entries.size());
        List<Integer> allowedAt = new ArrayList<>(entries.size());
        boolean everyQueue = token.grantsOnEveryQueue(Scope.Kind.RECEIVE);
        for (int i = 0; i < entries.size(); i++) {
            String id = entries.get(i).id();
            if (everyQueue) {
                allowed.add(entries.get(i));
                allowedAt.add(i);
                continue;
            }
            Optional<Message> message = postroom.get(id).filter(m -> Access.maySee(token, m.queue()));
            if (message.isEmpty()) {
                results[i] = notFound(id);
            } else if (!Access.grants(token, Scope.Kind.RECEIVE, message.get().queue())) {
                results[i] = new Result(id, 403, null, "token \"" + token.name() + "\" lacks the scope receive:" + message.get().queue());
            } else {
                allowed.add(entries.get(i));
                allowedAt.add(i);
            }
        }
        if (!allowed.isEmpty()) {
            List<SettleOutcome> outcomes = settleAll.apply(allowed);
            for (int k = 0; k < outcomes.size(); k++) {
                SettleOutcome outcome = outcomes.get(k);
                results[allowedAt.get(k)] = outcome.settled()
                        ? new Result(outcome.id(), 200, outcome.state(), null) : failed(outcome.id(), outcome.failure());
            }
        }
        return new Results(List.of(results));
    }

    /** The same answer whether the route or the store found no message. */
    private static Result notFound(String id) {
        return new Result(id, 404, null, "no message " + id);
    }

    /** The status and detail an entry would have had as a request of its own. */
    private static Result failed(String id, PostroomException e) {
        if (e instanceof MessageNotFoundException) {
            return notFound(id);
        }
        int status = switch (e) {
            case StaleLeaseException stale -> 409;
            case IllegalTransitionException illegal -> 409;
            case MessageTooLargeException tooLarge -> 413;
            case InvalidMessageException invalid -> 422;
            default -> 500;
        };
        if (status == 500) { // an engine failure's text is for the log, not for the client
            log.error("settling an entry failed id={}", id, e);
            return new Result(id, status, null, "unexpected error; see the server log");
        }
        String detail = e instanceof InvalidMessageException invalid ? WireNames.message(invalid) : e.getMessage();
        return new Result(id, status, null, detail);
    }
}
