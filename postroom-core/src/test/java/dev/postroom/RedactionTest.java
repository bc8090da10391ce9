package dev.postroom;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedactionTest {
    private static final String PAYLOAD = "{\"order\":\"o-7\",\"card\":{\"number\":\"4111111111111111\",\"expiry\":\"12/29\"},"
            + "\"emails\":[\"a@example.com\",\"b@example.com\"]}";

    @Test
    void theFieldsThePointersFindAreMaskedAndTheRestIsKept() {
        String masked = Redaction.mask(PAYLOAD, List.of("/card/number", "/emails/1", "/absent/field"));

        assertThat(masked).isEqualTo("{\"order\":\"o-7\",\"card\":{\"number\":\"***\",\"expiry\":\"12/29\"},"
                + "\"emails\":[\"a@example.com\",\"***\"]}");
    }

    @Test
    void aPayloadWithoutTheFieldsOrNotJsonComesBackAsItWas() {
        assertThat(Redaction.mask("{\"order\":1}", List.of("/card"))).isEqualTo("{\"order\":1}");
        assertThat(Redaction.mask("\"just text\"", List.of("/card"))).isEqualTo("\"just text\"");
        assertThat(Redaction.mask(PAYLOAD, List.of())).isSameAs(PAYLOAD);
    }

    @Test
    void aWholeObjectMayBeMasked() {
        assertThat(Redaction.mask(PAYLOAD, List.of("/card"))).contains("\"card\":\"***\"").doesNotContain("4111");
    }

    @Test
    void aCutPreviewIsHiddenAndAWholeOneIsMasked() {
        assertThat(Redaction.maskPreview(PAYLOAD.substring(0, 40), List.of("/card/number"))).isEqualTo(Redaction.HIDDEN_PREVIEW);
        assertThat(Redaction.maskPreview(PAYLOAD, List.of("/card/number"))).contains("\"number\":\"***\"");
        assertThat(Redaction.maskPreview(PAYLOAD.substring(0, 40), List.of())).isEqualTo(PAYLOAD.substring(0, 40));
    }

    @Test
    void pointersAreChecked() {
        assertThatThrownBy(() -> Redaction.validate(List.of("/ok", "card/number")))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("sensitiveFields[1]"));
        assertThatThrownBy(() -> Redaction.validate(java.util.Collections.nCopies(51, "/a")))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("sensitiveFields"));
        Redaction.validate(List.of("/a~1b/0", "/emails/3"));
    }
}
