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

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code POST /api/v1/messages:ack} and {@code :nack}: many leased messages settled in one call,
 * each entry on its own. The answer is 200 with one result per entry, in order: {@code status}
 * 200 and the message's new {@code state}, or the status the entry would have had alone (403,
 * 404, 409, 413, 422) with a {@code detail}. Only a malformed body, or a batch that is empty or
 * too long, fails the whole request.
 */
final class SettleRoutes {
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
        ctx.json(settle(ctx, entries, Bodies.AckEntry::id, entry -> new Settle.Ack(entry.id(), entry.leaseId(),
                entry.result() == null || entry.result().json().equals("null") ? null : new RawJson(entry.result().json())),
                postroom::ackAll));
    }

    private void nack(Context ctx) throws IOException {
        Bodies.NackBatch body = Bodies.read(ctx, mapper, Bodies.NackBatch.class);
        List<Bodies.NackEntry> entries = requireEntries("nacks", body.nacks());
        ctx.json(settle(ctx, entries, Bodies.NackEntry::id, entry -> new Settle.Nack(entry.id(), entry.leaseId(),
                entry.error() == null ? null : entry.error().message(), entry.error() == null ? null : entry.error().detail(),
                entry.retryAfterSeconds() == null ? null : QueueRoutes.seconds("retryAfterSeconds", entry.retryAfterSeconds())),
                postroom::nackAll));
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
     * answers every entry in its place.
     */
    private <E, S extends Settle> Results settle(Context ctx, List<E> entries, Function<E, String> idOf, Function<E, S> toSettle,
                                                 Function<List<S>, List<SettleOutcome>> settleAll) {
        ApiToken token = Access.token(ctx);
        Result[] results = new Result[entries.size()];
        List<S> allowed = new ArrayList<>(entries.size());
        List<Integer> allowedAt = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String id = idOf.apply(entries.get(i));
            Optional<Message> message = id == null ? Optional.empty() : postroom.get(id).filter(m -> Access.maySee(token, m.queue()));
            if (message.isEmpty()) {
                results[i] = new Result(id, 404, null, "no message " + id);
            } else if (!token.grants(Scope.Kind.RECEIVE, message.get().queue())) {
                results[i] = new Result(id, 403, null, "token \"" + token.name() + "\" lacks the scope receive:" + message.get().queue());
            } else {
                try {
                    allowed.add(toSettle.apply(entries.get(i)));
                    allowedAt.add(i);
                } catch (InvalidMessageException invalid) {
                    results[i] = failed(id, invalid);
                }
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

    /** The status and detail an entry would have had as a request of its own. */
    private static Result failed(String id, PostroomException e) {
        int status = switch (e) {
            case MessageNotFoundException notFound -> 404;
            case StaleLeaseException stale -> 409;
            case IllegalTransitionException illegal -> 409;
            case MessageTooLargeException tooLarge -> 413;
            case InvalidMessageException invalid -> 422;
            default -> 500;
        };
        String detail = e instanceof InvalidMessageException invalid ? WireNames.message(invalid) : e.getMessage();
        return new Result(id, status, null, detail);
    }
}
