package dev.postroom.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.IllegalTransitionException;
import dev.postroom.InvalidMessageException;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageTooLargeException;
import dev.postroom.QueueNotEmptyException;
import dev.postroom.QueueNotFoundException;
import dev.postroom.ScheduleNotFoundException;
import dev.postroom.StaleLeaseException;
import dev.postroom.SubscriptionNotFoundException;
import dev.postroom.TopicNotFoundException;
import dev.postroom.server.auth.LastAdminException;
import dev.postroom.store.StoreUnavailableException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/** The one place where exceptions become problem+json responses. Routes only throw. */
final class Problems {
    /** A request attribute: this request failed because the store was unavailable (for the store-errors counter). */
    static final String STORE_FAILED = "postroom.storeFailed";
    private static final Logger log = LoggerFactory.getLogger(Problems.class);
    /** During an outage every request fails the same way: one line (with the cause) every 10 s, and a count. */
    private static final LogThrottle STORE_UNAVAILABLE_LOG = new LogThrottle(java.time.Duration.ofSeconds(10), System::nanoTime);
    /** The store checks once a second whether space was freed; a few seconds spares it a crowd of retries. */
    static final long STORE_FULL_RETRY_AFTER_SECONDS = 5;

    private Problems() {
    }

    static void register(RoutesConfig routes, ObjectMapper mapper) {
        routes.exception(ApiException.class, (e, ctx) -> {
            if (e instanceof TooBusyException busy) {
                ctx.header("Retry-After", Integer.toString(busy.retryAfterSeconds()));
            }
            write(ctx, mapper, e.status(), e.title(), e.getMessage(), e.errors());
        });
        routes.exception(MessageTooLargeException.class, (e, ctx) ->
                write(ctx, mapper, 413, "Too large", WireNames.message(e), List.of(new Problem.FieldError(WireNames.field(e), WireNames.message(e)))));
        routes.exception(InvalidMessageException.class, (e, ctx) ->
                write(ctx, mapper, 422, "Invalid request", WireNames.message(e), List.of(new Problem.FieldError(WireNames.field(e), WireNames.problem(e)))));
        routes.exception(QueueNotFoundException.class, (e, ctx) -> write(ctx, mapper, 404, "Queue not found", e.getMessage(), null));
        routes.exception(TopicNotFoundException.class, (e, ctx) -> write(ctx, mapper, 404, "Topic not found", e.getMessage(), null));
        routes.exception(SubscriptionNotFoundException.class, (e, ctx) -> write(ctx, mapper, 404, "Subscription not found", e.getMessage(), null));
        routes.exception(MessageNotFoundException.class, (e, ctx) -> write(ctx, mapper, 404, "Message not found", e.getMessage(), null));
        routes.exception(ScheduleNotFoundException.class, (e, ctx) -> write(ctx, mapper, 404, "Schedule not found", e.getMessage(), null));
        routes.exception(dev.postroom.BatchNotFoundException.class, (e, ctx) -> write(ctx, mapper, 404, "Batch not found", e.getMessage(), null));
        routes.exception(dev.postroom.WorkflowNotFoundException.class, (e, ctx) -> write(ctx, mapper, 404, "Workflow not found", e.getMessage(), null));
        routes.exception(dev.postroom.UniqueKeyConflictException.class, (e, ctx) -> {
            if (ctx.attribute(ErrorPage.ATTRIBUTE) instanceof ErrorPage page) {
                page.render(ctx, 409, e.getMessage());
                return;
            }
            try {
                ctx.status(409).contentType("application/problem+json; charset=utf-8").result(mapper.writeValueAsBytes(
                        new Problem(Problem.typeFor(409), "Unique key held", 409, e.getMessage(),
                                List.of(new Problem.FieldError("uniqueKey", "is held by unfinished message " + e.existingId())), e.existingId())));
            } catch (JsonProcessingException failed) {
                ctx.status(500).result("{}");
            }
        });
        routes.exception(StaleLeaseException.class, (e, ctx) -> write(ctx, mapper, 409, "Stale lease", e.getMessage(),
                List.of(new Problem.FieldError("leaseId", "is not the message's current lease"))));
        routes.exception(IllegalTransitionException.class, (e, ctx) -> write(ctx, mapper, 409, "Not allowed in this state", e.getMessage(), null));
        routes.exception(LastAdminException.class, (e, ctx) -> write(ctx, mapper, 409, "Last admin", e.getMessage(), null));
        routes.exception(dev.postroom.BackupUnsupportedException.class, (e, ctx) -> write(ctx, mapper, 422, "Backup unsupported", e.getMessage(), null));
        // The server's keys cannot open a stored message: its configuration, not the request, is at fault; say which key.
        routes.exception(dev.postroom.EncryptionKeyException.class, (e, ctx) -> write(ctx, mapper, 500, "Cannot decrypt", e.getMessage(), null));
        routes.exception(QueueNotEmptyException.class, (e, ctx) -> write(ctx, mapper, 409, "Queue not empty", e.getMessage(), null));
        routes.exception(JsonProcessingException.class, (e, ctx) -> {
            String field = e instanceof JsonMappingException m ? path(m) : "body";
            String message = describe(e);
            write(ctx, mapper, 400, "Malformed request", field + ": " + message, List.of(new Problem.FieldError(field, message)));
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 413) { // Javalin's request size limit: name it, as for every other limit
                String message = "is over the limit of " + ApiServer.MAX_BODY_BYTES + " bytes";
                write(ctx, mapper, 413, "Too large", "body: " + message, List.of(new Problem.FieldError("body", message)));
            } else { // RFC 9457: the title is the same for every occurrence; Javalin's message goes in detail
                write(ctx, mapper, e.getStatus(), HttpStatus.forStatus(e.getStatus()).getMessage(), e.getMessage(), null);
            }
        });
        routes.exception(dev.postroom.StoreFullException.class, (e, ctx) -> {
            // Not logged per request: the store logs once when the disk fills and once when it has room again.
            ctx.attribute(STORE_FAILED, Boolean.TRUE);
            ctx.header("Retry-After", Long.toString(STORE_FULL_RETRY_AFTER_SECONDS));
            write(ctx, mapper, 507, "Storage full", "the disk of the message store is full; nothing was written; "
                    + "retry after space is freed", null);
        });
        routes.exception(StoreUnavailableException.class, (e, ctx) -> {
            long heldBack = STORE_UNAVAILABLE_LOG.admit();
            if (heldBack >= 0) {
                log.error("store unavailable path={} alsoRefusedSinceLastLine={}", ctx.path(), heldBack, e);
            }
            ctx.attribute(STORE_FAILED, Boolean.TRUE);
            write(ctx, mapper, 503, "Store unavailable", "the message store is unavailable; retry later", null);
        });
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("unexpected error method={} path={}", ctx.method(), ctx.path(), e);
            write(ctx, mapper, 500, "Internal error", "unexpected error; see the server log", null);
        });
        routes.error(404, ctx -> {
            if (ctx.result() == null || ctx.result().isEmpty()) {
                write(ctx, mapper, 404, "Not found", "no route " + ctx.method() + " " + ctx.path(), null);
            }
        });
        routes.error(405, ctx -> write(ctx, mapper, 405, "Method not allowed", ctx.method() + " is not allowed on " + ctx.path(), null));
    }

    static void write(Context ctx, ObjectMapper mapper, int status, String title, String detail, List<Problem.FieldError> errors) {
        if (ctx.attribute(ErrorPage.ATTRIBUTE) instanceof ErrorPage page) {
            page.render(ctx, status, detail);
            return;
        }
        try {
            ctx.status(status).contentType("application/problem+json; charset=utf-8")
                    .result(mapper.writeValueAsBytes(new Problem(Problem.typeFor(status), title, status, detail, errors)));
        } catch (JsonProcessingException e) {
            ctx.status(500).result("{}");
        }
    }

    /** Jackson's messages name Java types and internals; clients get the gist in API terms. */
    private static String describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException) {
            return "unknown field";
        }
        if (e instanceof MismatchedInputException m) {
            Class<?> target = m.getTargetType();
            String expected = target == null ? "another type"
                    : Number.class.isAssignableFrom(target) || target.isPrimitive() && target != boolean.class ? "a number"
                    : target == String.class ? "a string"
                    : target == Boolean.class || target == boolean.class ? "true or false"
                    : java.util.Collection.class.isAssignableFrom(target) ? "an array"
                    : target == java.time.Instant.class ? "an RFC 3339 time"
                    : "an object";
            return "has the wrong type; expected " + expected;
        }
        if (e instanceof JsonParseException) {
            return "malformed JSON";
        }
        return "cannot be read";
    }

    private static String path(JsonMappingException e) {
        String path = e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
        return path.isEmpty() ? "body" : path;
    }
}
