package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.postroom.BatchNotFoundException;
import dev.postroom.BatchOptions;
import dev.postroom.BatchPage;
import dev.postroom.BatchResult;
import dev.postroom.BatchStatus;
import dev.postroom.InvalidMessageException;
import dev.postroom.MessagePage;
import dev.postroom.MessageTooLargeException;
import dev.postroom.OutgoingMessage;
import dev.postroom.Postroom;
import dev.postroom.RawJson;
import dev.postroom.Futures;
import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.Scope;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.List;

/**
 * Batches over HTTP. A batch is sent with {@code POST /api/v1/queues/{queue}/messages:batch} and a
 * {@code batch} object (see {@link #send}); {@code GET /api/v1/batches} lists them (scope
 * {@code read}); {@code GET /api/v1/batches/{id}} and its {@code /messages} show one to a token with
 * {@code read}, or with {@code send:} or {@code receive:} on the batch's queue — as a message is
 * shown — and answer 404 to any other token, so that ids do not leak.
 */
final class BatchRoutes {
    private final Postroom postroom;

    BatchRoutes(Postroom postroom) {
        this.postroom = postroom;
    }

    void register(RoutesConfig routes) {
        routes.get("/api/v1/batches", this::list);
        routes.get("/api/v1/batches/{id}", this::get);
        routes.get("/api/v1/batches/{id}/messages", this::members);
    }

    /**
     * Sends {@code messages} as a batch. The token already may send to {@code queue}; a completion
     * message needs {@code send:} on its queue too, checked before anything is stored. Field names
     * of the completion message are the body's ({@code batch.onComplete.*}).
     */
    static BatchResult send(Context ctx, Postroom postroom, String queue, List<OutgoingMessage> messages, Bodies.Batch batch) {
        BatchOptions options = BatchOptions.NONE;
        Bodies.OnComplete onComplete = batch.onComplete();
        if (onComplete != null) {
            if (onComplete.queue() == null) {
                throw new InvalidMessageException("batch.onComplete.queue", "is required");
            }
            Access.require(ctx, Scope.Kind.SEND, onComplete.queue());
            if (onComplete.headers() != null) {
                onComplete.headers().forEach((name, value) -> {
                    if (value == null) {
                        throw new InvalidMessageException("batch.onComplete.headers." + name, "must be a string, not null");
                    }
                });
            }
            options = BatchOptions.onComplete(onComplete.queue(),
                    new RawJson(onComplete.payload() == null ? "null" : onComplete.payload().json())).withCompletionHeaders(onComplete.headers());
        }
        try {
            return Futures.join(postroom.batches().send(queue, messages, options));
        } catch (MessageTooLargeException e) {
            throw e.field().startsWith("onComplete.") ? new MessageTooLargeException("batch." + e.field(), e.size(), e.limit()) : e;
        } catch (InvalidMessageException e) {
            if (!e.field().startsWith("onComplete.")) {
                throw e;
            }
            String message = WireNames.problem(e);
            throw new InvalidMessageException("batch." + e.field(), message, e);
        }
    }

    private void list(Context ctx) {
        Access.require(ctx, Scope.Kind.READ);
        BatchPage page = postroom.batches().list(ctx.queryParam("before"), Paging.limit(ctx));
        ctx.json(new BatchList(page.batches().stream().map(BatchView::of).toList(), page.next()));
    }

    private void get(Context ctx) {
        ctx.json(BatchView.of(visible(ctx)));
    }

    private void members(Context ctx) {
        BatchStatus batch = visible(ctx);
        MessagePage page = postroom.batches().members(batch.id(), ctx.queryParam("after"), Paging.limit(ctx));
        ctx.json(new Views.Page(new Redactions(postroom).summaries(Access.token(ctx), page.messages()).stream()
                .map(Views.Summary::of).toList(), page.next()));
    }

    /** The batch, when the token may see its queue; else 404 like an unknown id. */
    private BatchStatus visible(Context ctx) {
        ApiToken token = Access.token(ctx);
        String id = ctx.pathParam("id");
        BatchStatus batch = postroom.batches().get(id);
        if (!Access.maySee(token, batch.queue())) {
            throw new BatchNotFoundException(id);
        }
        return batch;
    }

    /**
     * One batch: its members counted by state now ({@code pending} = scheduled, ready or in flight;
     * {@code failed} = dead; {@code deleted} = no longer stored), and its completion.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record BatchView(String id, String queue, Instant createdAt, int total, long pending, long succeeded, long failed,
                     long cancelled, long deleted, boolean complete, Instant completedAt, String completionQueue,
                     String completionMessageId) {
        static BatchView of(BatchStatus b) {
            return new BatchView(b.id(), b.queue(), b.createdAt(), b.total(), b.pending(), b.succeeded(), b.failed(),
                    b.cancelled(), b.deleted(), b.isComplete(), b.completedAt(), b.completionQueue(), b.completionMessageId());
        }
    }

    /** A page of batches, newest first; {@code next} is the {@code before} of the next page, or null. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record BatchList(List<BatchView> batches, String next) {
    }
}
