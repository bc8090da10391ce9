package dev.postroom.server.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.InvalidMessageException;
import dev.postroom.server.auth.AuthDatabase;
import dev.postroom.store.StoreUnavailableException;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Webhook registrations and the "already told" marks of ongoing conditions, in the {@link
 * AuthDatabase} ({@code auth.db}, or the cluster's PostgreSQL schema, shared by every node).
 *
 * <p>The secret is stored as issued: it is the key deliveries are signed with, so it cannot be a
 * hash. It leaves this class only through {@link #put} (once, to show the admin) and {@link #target}
 * (to sign); {@link Webhook} does not carry it.
 *
 * <p>Thread-safe: every call takes a pooled connection. Database failures are
 * {@link StoreUnavailableException}s.
 */
public final class WebhookStore {
    /** Registrations are bounded like every input: each one is matched against every queue on every pass. */
    public static final int MAX_WEBHOOKS = 100;
    private static final String COLUMNS = "name, url, events, queues, format, stale_seconds, unconsumed_seconds, created_at, updated_at";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private final AuthDatabase database;
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();

    public WebhookStore(AuthDatabase database) {
        this.database = database;
    }

    /**
     * The outcome of {@link #put}.
     *
     * @param secret  the signing secret when this put issued one (a new webhook, or {@code rotateSecret}), else null
     * @param created whether the webhook is new
     */
    public record Saved(Webhook webhook, String secret, boolean created) {
    }

    /** One condition alerting now: {@code subject} is the queue or node name. */
    public record Episode(String webhook, AlertEvent event, String subject) {
    }

    /**
     * Registers {@code spec}, or replaces the settings of the webhook of that name. A new webhook
     * gets a new secret; an existing one keeps its secret unless {@code rotateSecret}. The episodes
     * of an existing one start afresh only when what they depend on changed (URL, events, queues,
     * thresholds): repeating a PUT does not alert again. The insert is an upsert, so two PUTs of a
     * new name at once make one webhook (the second one's settings win) rather than a conflict.
     *
     * @throws InvalidMessageException naming {@code name} when {@value #MAX_WEBHOOKS} webhooks exist already
     */
    public Saved put(WebhookSpec spec, boolean rotateSecret, Instant now) {
        return transaction(connection -> {
            long at = now.toEpochMilli();
            String issued = newSecret();
            boolean created;
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO alert_webhooks (" + COLUMNS
                    + ", secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                bind(insert, spec);
                insert.setLong(8, at);
                insert.setLong(9, at);
                insert.setString(10, issued);
                created = insert.executeUpdate() == 1;
            }
            if (created) {
                if (count(connection) > MAX_WEBHOOKS) {
                    throw new InvalidMessageException("name", "at most " + MAX_WEBHOOKS + " webhooks; delete one before registering another");
                }
                return new Saved(find(connection, spec.name()).orElseThrow(), issued, true);
            }
            Webhook before = find(connection, spec.name()).orElseThrow(() -> new StoreUnavailableException("webhooks: "
                    + spec.name() + " was deleted while it was replaced; try again", null));
            String secret = rotateSecret ? issued : null;
            try (PreparedStatement update = connection.prepareStatement("UPDATE alert_webhooks SET url = ?, events = ?, queues = ?,"
                    + " format = ?, stale_seconds = ?, unconsumed_seconds = ?, updated_at = ?, secret = COALESCE(?, secret) WHERE name = ?")) {
                update.setString(1, spec.url());
                update.setString(2, write(spec.events().stream().sorted().map(AlertEvent::wireName).toList()));
                update.setString(3, spec.queues().isEmpty() ? null : write(spec.queues()));
                update.setString(4, spec.format().wireName());
                update.setLong(5, spec.staleSeconds());
                update.setLong(6, spec.unconsumedSeconds());
                update.setLong(7, at);
                update.setString(8, secret);
                update.setString(9, spec.name());
                update.executeUpdate();
            }
            if (conditionsChanged(before, spec)) {
                // New settings start afresh: a condition told under the old thresholds or URL may be told again.
                deleteEpisodes(connection, spec.name());
            }
            return new Saved(find(connection, spec.name()).orElseThrow(), secret, false);
        });
    }

    /** Whether what a webhook's episodes depend on differs between {@code before} and {@code spec}. */
    private static boolean conditionsChanged(Webhook before, WebhookSpec spec) {
        return !before.url().equals(spec.url())
                || !before.events().equals(Set.copyOf(spec.events()))
                || !new HashSet<>(before.queues()).equals(new HashSet<>(spec.queues()))
                || before.staleSeconds() != spec.staleSeconds()
                || before.unconsumedSeconds() != spec.unconsumedSeconds();
    }

    private static long count(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT COUNT(*) FROM alert_webhooks");
             ResultSet rows = select.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** Every webhook, by name. */
    public List<Webhook> list() {
        return withConnection(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM alert_webhooks ORDER BY name");
                 ResultSet rows = select.executeQuery()) {
                List<Webhook> webhooks = new ArrayList<>();
                while (rows.next()) {
                    webhooks.add(read(rows));
                }
                return webhooks;
            }
        });
    }

    public Optional<Webhook> find(String name) {
        return withConnection(connection -> find(connection, name));
    }

    /** Where and with which secret to deliver now. */
    public record Target(String url, String secret) {
    }

    /** The URL and secret of the webhook named {@code name}, read at delivery time; empty once it is deleted. */
    public Optional<Target> target(String name) {
        return withConnection(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT url, secret FROM alert_webhooks WHERE name = ?")) {
                select.setString(1, name);
                try (ResultSet rows = select.executeQuery()) {
                    return rows.next() ? Optional.of(new Target(rows.getString(1), rows.getString(2))) : Optional.empty();
                }
            }
        });
    }

    /** Deletes the webhook and its marks; its deliveries still queued are dropped when they come up. */
    public boolean delete(String name) {
        return transaction(connection -> {
            deleteEpisodes(connection, name);
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM alert_webhooks WHERE name = ?")) {
                delete.setString(1, name);
                return delete.executeUpdate() == 1;
            }
        });
    }

    /**
     * The mark of an episode: when it started (was told), and when a pass last saw it cleared, or
     * null while it holds. An ended mark is kept for the cool-down, so that a condition that comes
     * back soon (or that nodes judge differently) continues the episode instead of alerting again.
     */
    public record Mark(Episode episode, Instant startedAt, Instant endedAt) {
        public boolean ongoing() {
            return endedAt == null;
        }
    }

    /**
     * Starts {@code episode} when it has no mark, or one that ended at least {@code coolDown} before
     * {@code now}: true for the one caller (of every node) whose write took, which must raise the
     * alert. A mark that ended more recently is reopened instead (false: the episode goes on, untold
     * again); an ongoing one is left as it is (false).
     */
    public boolean startEpisode(Episode episode, Instant now, Duration coolDown) {
        return transaction(connection -> {
            try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO alert_episodes (webhook, event, subject, started_at, ended_at)"
                    + " VALUES (?, ?, ?, ?, NULL) ON CONFLICT (webhook, event, subject) DO UPDATE SET started_at = excluded.started_at,"
                    + " ended_at = NULL WHERE alert_episodes.ended_at IS NOT NULL AND alert_episodes.ended_at <= ?")) {
                bindEpisode(upsert, episode);
                upsert.setLong(4, now.toEpochMilli());
                upsert.setLong(5, now.minus(coolDown).toEpochMilli());
                if (upsert.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement reopen = connection.prepareStatement("UPDATE alert_episodes SET ended_at = NULL"
                    + " WHERE webhook = ? AND event = ? AND subject = ? AND ended_at IS NOT NULL")) {
                bindEpisode(reopen, episode);
                reopen.executeUpdate();
            }
            return false;
        });
    }

    /** Records that an ongoing episode was seen cleared at {@code now}; its mark stays for the cool-down. */
    public void endEpisode(Episode episode, Instant now) {
        withConnection(connection -> {
            try (PreparedStatement end = connection.prepareStatement(
                    "UPDATE alert_episodes SET ended_at = ? WHERE webhook = ? AND event = ? AND subject = ? AND ended_at IS NULL")) {
                end.setLong(1, now.toEpochMilli());
                end.setString(2, episode.webhook());
                end.setString(3, episode.event().wireName());
                end.setString(4, episode.subject());
                return end.executeUpdate();
            }
        });
    }

    /** Deletes the marks of episodes that ended before {@code before}: past their cool-down, they are as good as none. */
    public int forgetEpisodes(Instant before) {
        return withConnection(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM alert_episodes WHERE ended_at IS NOT NULL AND ended_at < ?")) {
                delete.setLong(1, before.toEpochMilli());
                return delete.executeUpdate();
            }
        });
    }

    /** Every mark, ongoing or ended. */
    public Map<Episode, Mark> marks() {
        return withConnection(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT webhook, event, subject, started_at, ended_at FROM alert_episodes");
                 ResultSet rows = select.executeQuery()) {
                Map<Episode, Mark> marks = new HashMap<>();
                while (rows.next()) {
                    Episode episode = new Episode(rows.getString(1), AlertEvent.parse(rows.getString(2)), rows.getString(3));
                    Instant started = Instant.ofEpochMilli(rows.getLong(4));
                    long ended = rows.getLong(5);
                    marks.put(episode, new Mark(episode, started, rows.wasNull() ? null : Instant.ofEpochMilli(ended)));
                }
                return marks;
            }
        });
    }

    /** The conditions alerting now: the episodes whose mark is ongoing. */
    public Set<Episode> episodes() {
        Set<Episode> ongoing = new HashSet<>();
        marks().values().stream().filter(Mark::ongoing).forEach(mark -> ongoing.add(mark.episode()));
        return ongoing;
    }

    private static void bindEpisode(PreparedStatement statement, Episode episode) throws SQLException {
        statement.setString(1, episode.webhook());
        statement.setString(2, episode.event().wireName());
        statement.setString(3, episode.subject());
    }

    private Optional<Webhook> find(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS + " FROM alert_webhooks WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(read(rows)) : Optional.empty();
            }
        }
    }

    private static void deleteEpisodes(Connection connection, String webhook) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM alert_episodes WHERE webhook = ?")) {
            delete.setString(1, webhook);
            delete.executeUpdate();
        }
    }

    private void bind(PreparedStatement statement, WebhookSpec spec) throws SQLException {
        statement.setString(1, spec.name());
        statement.setString(2, spec.url());
        statement.setString(3, write(spec.events().stream().sorted().map(AlertEvent::wireName).toList()));
        statement.setString(4, spec.queues().isEmpty() ? null : write(spec.queues()));
        statement.setString(5, spec.format().wireName());
        statement.setLong(6, spec.staleSeconds());
        statement.setLong(7, spec.unconsumedSeconds());
    }

    private Webhook read(ResultSet rows) throws SQLException {
        Set<AlertEvent> events = EnumSet.noneOf(AlertEvent.class);
        read(rows.getString(3)).forEach(e -> events.add(AlertEvent.parse(e)));
        String queues = rows.getString(4);
        return new Webhook(rows.getString(1), rows.getString(2), events, queues == null ? List.of() : read(queues),
                Webhook.Format.valueOf(rows.getString(5).toUpperCase(java.util.Locale.ROOT)), rows.getLong(6), rows.getLong(7),
                Instant.ofEpochMilli(rows.getLong(8)), Instant.ofEpochMilli(rows.getLong(9)));
    }

    private String write(List<String> values) {
        try {
            return json.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a list of strings always writes", e);
        }
    }

    private List<String> read(String text) {
        try {
            return json.readValue(text, STRINGS);
        } catch (JsonProcessingException e) {
            throw new StoreUnavailableException("webhooks: damaged list " + text, e);
        }
    }

    /** 256 random bits, URL-safe, prefixed so that a leaked one is recognisable in a scan. */
    private String newSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private <T> T withConnection(AuthDatabase.Work<T> work) {
        try {
            return database.withConnection(work);
        } catch (SQLException e) {
            throw new StoreUnavailableException("webhooks: " + e.getMessage(), e);
        }
    }

    private <T> T transaction(AuthDatabase.Work<T> work) {
        try {
            return database.inTransaction(work);
        } catch (SQLException e) {
            throw new StoreUnavailableException("webhooks: " + e.getMessage(), e);
        }
    }
}
