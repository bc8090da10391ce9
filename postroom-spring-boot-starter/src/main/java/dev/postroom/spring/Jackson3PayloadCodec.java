package dev.postroom.spring;

import dev.postroom.PayloadCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

import java.lang.reflect.Type;
import java.util.Objects;

/**
 * Payloads and results through Jackson 3, the application's own mapper under Spring Boot 4: records,
 * {@code java.time} values and the application's modules and naming settings apply to messages
 * exactly as they do to its web API.
 */
public final class Jackson3PayloadCodec implements PayloadCodec {
    private final ObjectMapper mapper;

    public Jackson3PayloadCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public String encode(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    @Override
    public Object decode(String json, Type type) {
        try {
            return mapper.readValue(json, mapper.getTypeFactory().constructType(type));
        } catch (JacksonException e) {
            // Jackson's own message ends with the source location, which says nothing here.
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "jackson3";
    }
}
