package dev.postroom.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Payloads are copied token by token from the request body instead of being read into a tree and
 * written out again; what is stored must be the text the tree gave.
 */
class BodiesTest {
    private final ObjectMapper mapper = Bodies.mapper();

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"order\": 42, \"lines\": [ {\"sku\": \"A-1\", \"qty\": 2} ], \"gift\": false, \"note\": null}",
            "[1, -0, 2.50, 1.0E2, 1e-7, 12345678901234567890123, -9223372036854775808, 3.141592653589793238462643]",
            "\"caf\\u00e9 \\\"quoted\\\" \\\\ \\n tab\\t \\u2028 \\ud83d\\ude00 é\"",
            "  {  }  ", "[]", "0", "true", "null", "{\"a\":{\"b\":{\"c\":[[],[{}]]}}}"})
    void aPayloadIsStoredAsTheTextItsTreeWouldGive(String payload) throws Exception {
        Bodies.Send send = mapper.readValue("{\"payload\":" + payload + ",\"priority\":1}", Bodies.Send.class);

        assertThat(send.payload().json()).isEqualTo(mapper.writeValueAsString(mapper.readTree(payload)));
        assertThat(send.priority()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"headers\":{}}"})
    void aMissingPayloadIsNull(String body) throws Exception {
        assertThat(mapper.readValue(body, Bodies.Send.class).payload()).isNull();
    }
}
