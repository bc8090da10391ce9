package dev.postroom;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.engine.JacksonPayloadCodec;

import java.lang.reflect.Type;

/**
 * Turns payloads and results into JSON text and back. Postroom uses Jackson 2 by default (the
 * mapper of {@link Postroom.Builder#objectMapper}); give {@link Postroom.Builder#payloadCodec} another
 * implementation to use the application's own mapper, such as Spring Boot's Jackson 3
 * {@code JsonMapper}, so that payloads follow the application's JSON settings. Implementations must
 * be thread-safe. A payload that is {@link RawJson} never reaches the codec.
 */
public interface PayloadCodec {
    /**
     * JSON text for {@code value}.
     *
     * @throws Exception when the value cannot be written; the send fails naming the field
     */
    String encode(Object value) throws Exception;

    /**
     * Reads JSON text into {@code type}, a class or a parameterized type.
     *
     * @throws Exception when the text does not fit the type; a handler's message then goes DEAD at
     *                   once with this error (no retry can fix its payload)
     */
    Object decode(String json, Type type) throws Exception;

    /** The codec for a Jackson 2 mapper. */
    static PayloadCodec jackson(ObjectMapper mapper) {
        return new JacksonPayloadCodec(mapper);
    }
}
