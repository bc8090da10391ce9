package dev.postroom.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.postroom.InvalidMessageException;

import java.lang.reflect.Type;

/** Turns payloads and results into JSON text and back, with one shared Jackson mapper. */
public final class PayloadCodec {
    private final ObjectMapper mapper;

    public PayloadCodec(ObjectMapper mapper) {
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

    /** Encodes {@code value} as JSON text; failures name {@code field}. */
    public String encode(String field, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new InvalidMessageException(field, "cannot be serialised as JSON: "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    /** Decodes JSON text into {@code type}. */
    public <T> T decode(String json, Type type) throws JsonProcessingException {
        JavaType javaType = mapper.getTypeFactory().constructType(type);
        return mapper.readValue(json, javaType);
    }
}
