package dev.postroom.server.console;

import dev.postroom.server.auth.Role;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions of users whose password, role or existence changed through another node (which this
 * node hears of only through the shared users) end at the next check of the credential stamp.
 */
class SessionsTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    private final Map<String, String> stamps = new ConcurrentHashMap<>(Map.of("ann", "stamp-1"));
    private final AtomicInteger reads = new AtomicInteger();
    private final Sessions sessions = new Sessions(username -> {
        reads.incrementAndGet();
        return Optional.ofNullable(stamps.get(username));
    });

    @Test
    void aSessionWhoseUserIsUnchangedLastsAndIsCheckedOncePerRecheck() {
        Session session = sessions.create("ann", Role.OPERATOR, NOW);
        reads.set(0);

        assertThat(sessions.find(session.id(), NOW.plus(Sessions.RECHECK).minusMillis(1))).contains(session);
        assertThat(reads).as("reads before the check is due").hasValue(0);
        assertThat(sessions.find(session.id(), NOW.plus(Sessions.RECHECK))).contains(session);
        assertThat(sessions.find(session.id(), NOW.plus(Sessions.RECHECK).plusSeconds(1))).contains(session);
        assertThat(reads).as("reads once due").hasValue(1);
    }

    @Test
    void aSessionEndsAtTheNextCheckAfterItsUsersPasswordOrRoleChangedElsewhere() {
        Session session = sessions.create("ann", Role.OPERATOR, NOW);
        stamps.put("ann", "stamp-2");

        assertThat(sessions.find(session.id(), NOW.plusSeconds(1))).as("before the check").contains(session);
        assertThat(sessions.find(session.id(), NOW.plus(Sessions.RECHECK))).isEmpty();
        stamps.put("ann", "stamp-1");
        assertThat(sessions.find(session.id(), NOW.plus(Sessions.RECHECK).plusSeconds(1))).as("ended for good").isEmpty();
    }

    @Test
    void aSessionEndsAtTheNextCheckAfterItsUserWasRemovedElsewhere() {
        Session session = sessions.create("ann", Role.OPERATOR, NOW);
        stamps.remove("ann");

        assertThat(sessions.find(session.id(), NOW.plus(Sessions.RECHECK))).isEmpty();
    }
}
