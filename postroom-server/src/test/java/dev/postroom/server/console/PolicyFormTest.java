package dev.postroom.server.console;

import dev.postroom.Backoff;
import dev.postroom.KeyLimit;
import dev.postroom.QueuePolicy;
import dev.postroom.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PolicyFormTest {
    @Test
    void aPolicyReadsBackAsItself() {
        QueuePolicy odd = new QueuePolicy(7, new Backoff(Duration.ofMillis(250), Duration.ofMillis(90_500), 1.25),
                Duration.ofMillis(1500), 11, Duration.ofMinutes(90), Duration.ZERO);
        assertThat(PolicyForm.of(QueuePolicy.DEFAULT).toPolicy()).isEqualTo(QueuePolicy.DEFAULT);
        assertThat(PolicyForm.of(odd).toPolicy()).isEqualTo(odd);
    }

    @Test
    void limitsReadBackAsThemselves() {
        QueuePolicy limited = QueuePolicy.DEFAULT.withRateLimit(new RateLimit(7, Duration.ofMillis(1500)))
                .withPerKey(KeyLimit.byOrderingKey().withRateLimit(RateLimit.perSecond(3)));
        QueuePolicy capped = QueuePolicy.DEFAULT.withPerKey(KeyLimit.byHeader("tenant").withMaxInFlight(4));

        assertThat(PolicyForm.of(limited).toPolicy()).isEqualTo(limited);
        assertThat(PolicyForm.of(capped).toPolicy()).isEqualTo(capped);
        assertThat(PolicyForm.of(limited).limits().ratePerSeconds()).isEqualTo("1.5");
        assertThat(PolicyForm.of(QueuePolicy.DEFAULT).limits().rateCount()).isEmpty();
    }

    @Test
    void valuesAreWrittenWithoutTrailingZeros() {
        PolicyForm form = PolicyForm.of(QueuePolicy.DEFAULT);
        assertThat(form.backoffInitialSeconds()).isEqualTo("1");
        assertThat(form.backoffMaxSeconds()).isEqualTo("600");
        assertThat(form.backoffMultiplier()).isEqualTo("2");
        assertThat(form.retentionHours()).isEqualTo("24");
        assertThat(form.deadRetentionHours()).isEqualTo("168");
    }
}
