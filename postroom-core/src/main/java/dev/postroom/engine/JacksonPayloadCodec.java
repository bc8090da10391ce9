package dev.postroom.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.PayloadCodec;

import java.lang.reflect.Type;
import java.util.Objects;

/** The default {@link PayloadCodec}: Jackson 2. */
public final class JacksonPayloadCodec implements PayloadCodec {
    private final ObjectMapper mapper;

    public JacksonPayloadCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
    }

    @Override
    public String encode(Object value) throws Exception {
        return mapper.writeValueAsString(value);
    }

    @Override
    public Object decode(String json, Type type) throws Exception {
        return mapper.readValue(json, mapper.getTypeFactory().constructType(type));
    }

    @Override
    public String toString() {
        return "jackson2";
    }
}
