package dev.postroom.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.postroom.InvalidMessageException;
import dev.postroom.PayloadCodec;

import java.lang.reflect.Type;

/**
 * The engine's side of the {@link PayloadCodec}: errors name the field at fault, and read as one
 * line without the codec's own location noise.
 */
public final class JsonCodec {
    private final PayloadCodec codec;
    private final ObjectMapper mapper;

    /**
     * @param codec  the payload codec
     * @param mapper the Jackson 2 mapper behind {@code Postroom.json()}
     */
    public JsonCodec(PayloadCodec codec, ObjectMapper mapper) {
        this.codec = codec;
        this.mapper = mapper;
    }

    /** The mapper Postroom uses unless the builder is given one. */
    public static ObjectMapper defaultMapper() {
        return new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    public ObjectMapper mapper() {
        return mapper;
    }

    public PayloadCodec codec() {
        return codec;
    }

    /** Encodes {@code value} as JSON text; failures name {@code field}. */
    public String encode(String field, Object value) {
        try {
            return codec.encode(value);
        } catch (Exception e) {
            throw new InvalidMessageException(field, "cannot be serialised as JSON: " + describe(e), e);
        }
    }

    /** Decodes JSON text into {@code type}; see {@link #describe} for a readable error. */
    @SuppressWarnings("unchecked")
    public <T> T decode(String json, Type type) throws Exception {
        return (T) codec.decode(json, type);
    }

    /** A codec failure as one line: Jackson's message without the source location it appends. */
    public static String describe(Exception e) {
        if (e instanceof JsonProcessingException j) {
            return j.getOriginalMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
