package dev.postroom.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.postroom.AttemptError;
import dev.postroom.InvalidMessageException;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Request bodies of the API as records, read strictly: unknown fields, numbers in strings (and
 * numbers or booleans where a string belongs), fractions where a whole number belongs, times that
 * are not RFC 3339 strings and trailing garbage are all 400s naming the field.
 */
final class Bodies {
    private Bodies() {
    }

    /** The API's mapper: strict on input, RFC 3339 times on output. */
    static ObjectMapper mapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                // ALLOW_COERCION_OF_SCALARS leaves 5 → "5" for strings; a leaseId or header of 5 is a client bug
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                // Jackson reads "" (and "  ") as null for a number, a boolean or an object: a waitSeconds of "" is a client bug
                .withCoercionConfigDefaults(c -> c
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail)
                        .setAcceptBlankAsEmpty(false))
                .build();
    }

    /** Reads the body as {@code type}; an empty body reads as {@code {}}, a JSON {@code null} is a 400. */
    static <T> T read(Context ctx, ObjectMapper mapper, Class<T> type) throws IOException {
        return read(ctx, mapper.readerFor(type), type);
    }

    private static <T> T read(Context ctx, ObjectReader reader, Class<T> type) throws IOException {
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            return reader.readValue("{}");
        }
        String contentType = ctx.contentType();
        if (contentType != null && !isJson(contentType)) {
            throw new ApiException(415, "Unsupported media type", "send application/json", null);
        }
        T value;
        try {
            value = reader.readValue(body);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof ApiException refused) { // a limit checked while reading
                throw refused;
            }
            throw e;
        }
        if (value == null) {
            throw ApiException.badRequest("body", "must be a JSON object");
        }
        return value;
    }

    /**
     * Whether the media type is {@code application/json}, parameters such as {@code charset} aside:
     * a prefix match let {@code application/json-patch+json} and {@code application/jsonx} through.
     */
    static boolean isJson(String contentType) {
        int semicolon = contentType.indexOf(';');
        String media = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
        return media.equalsIgnoreCase("application/json");
    }

    /**
     * An RFC 3339 string only: the JavaTimeModule would also take a number as epoch seconds, which
     * API.md does not allow and which lets garbage like {@code 1e300} through as some instant.
     */
    static final class Rfc3339 extends StdDeserializer<Instant> {
        Rfc3339() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText();
            try { // not InstantDeserializer: it also reads a string of digits ("-0", "1700000000") as epoch time
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an RFC 3339 time, e.g. 2026-11-25T10:00:00Z");
            }
        }
    }

    // ---- bodies (field names are the API's) ----

    record Backoff(Double initialSeconds, Double maxSeconds, Double multiplier) {
    }

    record RateLimit(Integer count, Double perSeconds) {
    }

    /** Per-key limits: {@code header} names the key's header; absent, the key is the ordering key. */
    record PerKey(String header, Integer maxInFlight, RateLimit rateLimit) {
    }

    record QueuePolicy(Integer maxAttempts, Backoff backoff, Double leaseSeconds, Integer concurrency,
                       RateLimit rateLimit, PerKey perKey, Double retentionHours, Double deadRetentionHours,
                       Double maxRunSeconds, Integer maxSnoozes, List<String> sensitiveFields, Boolean encrypted,
                       Double archiveHours) {
    }

    /**
     * A payload's JSON text, copied token by token while the body is read: the same compact text
     * that reading it into a tree and writing the tree out again gives (numbers, escapes and all),
     * without building the tree or walking it a second time. A JSON {@code null} is the text
     * {@code null}, as it was when payloads were read as trees; an absent payload is Java null.
     */
    @JsonDeserialize(using = JsonTextReader.class)
    record JsonText(String json) {
    }

    static final class JsonTextReader extends StdDeserializer<JsonText> {
        private static final JsonText NULL = new JsonText("null");

        JsonTextReader() {
            super(JsonText.class);
        }

        @Override
        public JsonText deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            StringWriter text = new StringWriter(256);
            try (JsonGenerator out = p.getCodec().getFactory().createGenerator(text)) {
                out.copyCurrentStructure(p);
            }
            return new JsonText(text.toString());
        }

        @Override
        public JsonText getNullValue(DeserializationContext ctxt) {
            return NULL;
        }

        /** Jackson asks this, not {@link #getNullValue}, for a record component missing from the body. */
        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return null;
        }
    }

    record Send(JsonText payload, Map<String, String> headers, Double delaySeconds,
                @JsonDeserialize(using = Rfc3339.class) Instant notBefore,
                Integer priority, String orderingKey, String idempotencyKey, Double ttlSeconds,
                String uniqueKey, String debounceKey, Double debounceSeconds, Double debounceMaxWaitSeconds) {
    }

    /** {@code batch}, when present, makes the messages one batch ({@link BatchRoutes}). */
    record SendBatch(@JsonDeserialize(using = SendListReader.class) List<Send> messages, Batch batch) {
    }

    /** The reader attribute holding the most messages a batch may have: see {@link #readBatch}. */
    private static final String MAX_MESSAGES = "postroom.maxMessages";

    /** Reads a batch, refusing it (413) as soon as it holds more than {@code maxMessages}, before the rest is parsed. */
    static SendBatch readBatch(Context ctx, ObjectMapper mapper, int maxMessages) throws IOException {
        return read(ctx, mapper.readerFor(SendBatch.class).withAttribute(MAX_MESSAGES, maxMessages), SendBatch.class);
    }

    /** A batch's messages, one at a time, stopping at the first message past the limit. */
    static final class SendListReader extends StdDeserializer<List<Send>> {
        SendListReader() {
            super(List.class);
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Send> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.isExpectedStartArrayToken()) {
                return (List<Send>) ctxt.handleUnexpectedToken(List.class, p);
            }
            Object max = ctxt.getAttribute(MAX_MESSAGES);
            int limit = max instanceof Integer n ? n : Integer.MAX_VALUE;
            List<Send> messages = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (messages.size() == limit) {
                    String message = "is more than " + limit + " messages, over the limit of " + limit + " messages";
                    throw new ApiException(413, "Too large", "messages: " + message, List.of(new Problem.FieldError("messages", message)));
                }
                try {
                    messages.add(p.currentToken() == JsonToken.VALUE_NULL ? null : ctxt.readValue(p, Send.class));
                } catch (JsonMappingException e) { // so that the error names messages[i], as Jackson's own lists do
                    throw JsonMappingException.wrapWithPath(e, messages, messages.size());
                }
            }
            return messages;
        }
    }

    /** A batch's options: the completion message, or none. */
    record Batch(OnComplete onComplete) {
    }

    /** The message sent once every member of the batch has ended. */
    record OnComplete(String queue, JsonText payload, Map<String, String> headers) {
    }

    /** {@code PUT /webhooks/{name}}: see {@link dev.postroom.server.alert.WebhookSpec#of} for the rules and defaults. */
    record WebhookInput(String url, List<String> events, List<String> queues, String format, Long staleSeconds,
                        Long unconsumedSeconds, Boolean rotateSecret) {
    }

    record NewErasure(ErasureFilter filter, Boolean dryRun) {
    }

    record NewReplay(ReplayFilter filter, String toQueue, Boolean dryRun) {
    }

    /** Times as RFC 3339 text and the state by name, read as {@code GET /api/v1/messages} reads its parameters. */
    record ReplayFilter(String queue, String state, String since, String until, String q, String orderingKey) {
    }

    record ErasureFilter(String orderingKey, Map<String, String> headers, ErasurePayload payload) {
    }

    record ErasurePayload(String pointer, com.fasterxml.jackson.databind.JsonNode value) {
    }

    record NewWorkflow(String name, String idempotencyKey, List<Step> steps) {
    }

    record Step(String name, String queue, JsonText payload, Map<String, String> headers, List<String> after,
                Boolean runOnFailure, Integer priority) {
    }

    record Receive(Integer max, Double waitSeconds, Double leaseSeconds) {
    }

    record Ack(String leaseId, JsonText result) {
    }

    record Error(String message, String detail) {
        /** Refuses (422 naming {@code field}) an error longer than an attempt's error keeps. */
        void requireWithinLimits(String field) {
            if (message.length() > AttemptError.MAX_MESSAGE_CHARS || (detail != null && detail.length() > AttemptError.MAX_DETAIL_CHARS)) {
                throw new InvalidMessageException(field, "message at most 2,000 characters, detail at most 65,536");
            }
        }
    }

    /** One entry of {@code POST /messages:ack}. */
    record AckEntry(String id, String leaseId, JsonText result) {
    }

    record AckBatch(List<AckEntry> acks) {
    }

    /** One entry of {@code POST /messages:nack}. */
    record NackEntry(String id, String leaseId, Error error, Double retryAfterSeconds) {
    }

    record NackBatch(List<NackEntry> nacks) {
    }

    record Nack(String leaseId, Error error, Double retryAfterSeconds, Boolean deadLetter) {
    }

    record Snooze(String leaseId, Double seconds) {
    }

    record Extend(String leaseId, Double leaseSeconds) {
    }

    record Progress(String leaseId, Integer percent, String note) {
    }

    record Purge(List<String> states) {
    }

    record Redrive(RedriveFilter filter) {
    }

    /**
     * Which dead messages a redrive takes: those whose last error contains {@code error}, whose
     * payload or headers contain {@code text}, with {@code orderingKey}, enqueued in [since, until).
     * Every field is optional; an empty filter takes them all.
     */
    record RedriveFilter(String error, String text, String orderingKey,
                         @JsonDeserialize(using = Rfc3339.class) Instant since,
                         @JsonDeserialize(using = Rfc3339.class) Instant until) {
    }

    record NewToken(String name, List<String> scopes) {
    }

    record NewUser(String username, String password, String role) {
    }

    record Password(String password) {
    }
}
