package dev.postroom.server.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.server.auth.AuthDatabase;
import dev.postroom.store.StoreUnavailableException;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
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
     * gets a new secret; an existing one keeps its secret unless {@code rotateSecret}.
     */
    public Saved put(WebhookSpec spec, boolean rotateSecret, Instant now) {
        return transaction(connection -> {
            Optional<Webhook> existing = find(connection, spec.name());
            String secret = existing.isEmpty() || rotateSecret ? newSecret() : null;
            long at = now.toEpochMilli();
            if (existing.isEmpty()) {
                try (PreparedStatement insert = connection.prepareStatement("INSERT INTO alert_webhooks (" + COLUMNS
                        + ", secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    bind(insert, spec);
                    insert.setLong(8, at);
                    insert.setLong(9, at);
                    insert.setString(10, secret);
                    insert.executeUpdate();
                }
            } else {
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
                // New settings start afresh: a condition told under the old thresholds or URL may be told again.
                deleteEpisodes(connection, spec.name());
            }
            Webhook saved = find(connection, spec.name()).orElseThrow();
            return new Saved(saved, secret, existing.isEmpty());
        });
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
     * Marks {@code episode} as told, unless it already is: true for the one caller (of every node)
     * that made the mark and so must raise the alert.
     */
    public boolean startEpisode(Episode episode, Instant now) {
        return withConnection(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO alert_episodes (webhook, event, subject, started_at)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (webhook, event, subject) DO NOTHING")) {
                insert.setString(1, episode.webhook());
                insert.setString(2, episode.event().wireName());
                insert.setString(3, episode.subject());
                insert.setLong(4, now.toEpochMilli());
                return insert.executeUpdate() == 1;
            }
        });
    }

    /** Clears the mark of an episode that ended (or whose alert could not be queued), so that the next one is told. */
    public void endEpisode(Episode episode) {
        withConnection(connection -> {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM alert_episodes WHERE webhook = ? AND event = ? AND subject = ?")) {
                delete.setString(1, episode.webhook());
                delete.setString(2, episode.event().wireName());
                delete.setString(3, episode.subject());
                return delete.executeUpdate();
            }
        });
    }

    /** Every condition marked as told. */
    public Set<Episode> episodes() {
        return withConnection(connection -> {
            try (PreparedStatement select = connection.prepareStatement("SELECT webhook, event, subject FROM alert_episodes");
                 ResultSet rows = select.executeQuery()) {
                Set<Episode> episodes = new java.util.HashSet<>();
                while (rows.next()) {
                    episodes.add(new Episode(rows.getString(1), AlertEvent.parse(rows.getString(2)), rows.getString(3)));
                }
                return episodes;
            }
        });
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
