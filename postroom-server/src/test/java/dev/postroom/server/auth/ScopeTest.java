package dev.postroom.server.auth;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Queue globs of token scopes. The matcher used to compile a regex on every call; it now walks the
 * strings, and must answer exactly as that regex did.
 */
class ScopeTest {

    @Test
    void starMatchesAnyRunOfCharactersIncludingNone() {
        assertThat(Scope.globMatches("emails.*", "emails.")).isTrue();
        assertThat(Scope.globMatches("emails.*", "emails.welcome")).isTrue();
        assertThat(Scope.globMatches("*", "billing")).isTrue();
        assertThat(Scope.globMatches("*.eu", "billing.eu")).isTrue();
        assertThat(Scope.globMatches("b*g*.e*", "billing.eu")).isTrue();
        assertThat(Scope.globMatches("**", "x")).isTrue();
    }

    @Test
    void everyOtherCharacterMatchesOnlyItselfAndTheWholeNameMustMatch() {
        assertThat(Scope.globMatches("emails.*", "emailsX")).isFalse();
        assertThat(Scope.globMatches("emails", "emails.welcome")).isFalse();
        assertThat(Scope.globMatches("emails.welcome", "emails")).isFalse();
        assertThat(Scope.globMatches("Billing", "billing")).isFalse();
        assertThat(Scope.globMatches("*.eu", "billing.us")).isFalse();
        assertThat(Scope.globMatches("a*b", "ab-")).isFalse();
    }

    @Test
    void answersAsTheRegexItReplacedOnRandomGlobsAndNames() {
        long seed = Long.getLong("postroom.seed", System.nanoTime()); // -Dpostroom.seed=N replays a failure
        Random random = new Random(seed);
        for (int i = 0; i < 20_000; i++) {
            String glob = random(random, "ab.*-", 1 + random.nextInt(8));
            String name = random(random, "ab.-", 1 + random.nextInt(10));
            assertThat(Scope.globMatches(glob, name))
                    .as("glob %s, name %s (seed %d)", glob, name, seed)
                    .isEqualTo(regex(glob).matcher(name).matches());
        }
    }

    @Test
    void aGlobOfManyStarsAgainstALongNameThatFailsAtTheEndStillAnswers() {
        String glob = "*a".repeat(60) + "b";
        String name = "a".repeat(128);
        assertThat(Scope.globMatches(glob, name)).isFalse();
    }

    @Test
    void scopesGrantOnMatchingQueuesOnly() {
        Scope receive = Scope.parse("receive:billing.*");
        assertThat(receive.grants(Scope.Kind.RECEIVE, "billing.eu")).isTrue();
        assertThat(receive.grants(Scope.Kind.RECEIVE, "emails")).isFalse();
        assertThat(receive.grants(Scope.Kind.SEND, "billing.eu")).isFalse();
        assertThat(receive.grants(Scope.Kind.RECEIVE, null)).isFalse();
        assertThat(Scope.parse("admin").grants(Scope.Kind.RECEIVE, "anything")).isTrue();
    }

    @Test
    void onlyAdminAndAllStarGlobsGrantOnEveryQueue() {
        assertThat(Scope.parse("admin").grantsOnEveryQueue(Scope.Kind.RECEIVE)).isTrue();
        assertThat(Scope.parse("receive:*").grantsOnEveryQueue(Scope.Kind.RECEIVE)).isTrue();
        assertThat(Scope.parse("receive:**").grantsOnEveryQueue(Scope.Kind.RECEIVE)).isTrue();
        assertThat(Scope.parse("receive:*.*").grantsOnEveryQueue(Scope.Kind.RECEIVE)).as("misses names without a dot").isFalse();
        assertThat(Scope.parse("receive:billing*").grantsOnEveryQueue(Scope.Kind.RECEIVE)).isFalse();
        assertThat(Scope.parse("send:*").grantsOnEveryQueue(Scope.Kind.RECEIVE)).isFalse();
        assertThat(Scope.parse("operate").grantsOnEveryQueue(Scope.Kind.RECEIVE)).isFalse();
    }

    /** The matcher as it was: the glob quoted, each {@code *} turned into {@code .*}. */
    private static Pattern regex(String glob) {
        return Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q"));
    }

    private static String random(Random random, String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }
}
