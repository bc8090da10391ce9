package dev.postroom.server.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.postroom.InvalidMessageException;
import dev.postroom.store.StoreUnavailableException;
import org.flywaydb.core.Flyway;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Users and API tokens, in {@code auth.db} in the data directory. Passwords are bcrypt hashes
 * (cost 12); tokens are 256 random bits shown once, stored as SHA-256 hashes and compared in
 * constant time. Verified tokens are cached by hash so that an API call costs one hash, not a
 * query; revoking clears the cache. Thread-safe; the traffic is low, so one connection serves.
 */
public final class AuthStore implements AutoCloseable {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    /** The shortest password accepted, in characters. */
    public static final int MIN_PASSWORD = 10;
    /** The longest password accepted: bcrypt ignores input past 72 bytes, so a longer one is refused rather than cut. */
    public static final int MAX_PASSWORD = 72;
    private static final int BCRYPT_COST = 12;
    /** Writing last-used on every call would turn reads into writes; once a minute is precise enough. */
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private final Connection connection;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, ApiToken> verified = new ConcurrentHashMap<>();

    private AuthStore(Connection connection) {
        this.connection = connection;
    }

    /** Opens (creating and migrating) {@code auth.db} in {@code dataDir}. */
    public static AuthStore open(Path dataDir) {
        String url = "jdbc:sqlite:" + dataDir.resolve("auth.db").toAbsolutePath();
        try {
            Flyway.configure().loggers("slf4j").dataSource(url, null, null).locations("classpath:db/auth").load().migrate();
            return new AuthStore(DriverManager.getConnection(url));
        } catch (SQLException | RuntimeException e) {
            throw new StoreUnavailableException("cannot open auth.db in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- tokens

    /** Creates a token; its secret is in the result and nowhere else. */
    public synchronized NewToken createToken(String name, List<Scope> scopes, Instant now) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new InvalidMessageException("name", "must be 1–100 characters");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw new InvalidMessageException("scopes", "must name at least one scope");
        }
        String id = randomText(6);
        String secret = "pr_" + randomText(32);
        return new NewToken(insertToken(id, name, secret, scopes, now), secret);
    }

    /** Stores a token with a secret chosen by the operator (POSTROOM_ADMIN_TOKEN), at least 24 characters. */
    public synchronized NewToken importToken(String name, String secret, List<Scope> scopes, Instant now) {
        if (secret == null || secret.length() < 24) {
            throw new InvalidMessageException("token", "must be at least 24 characters");
        }
        return new NewToken(insertToken(randomText(6), name, secret, scopes, now), secret);
    }

    private ApiToken insertToken(String id, String name, String secret, List<Scope> scopes, Instant now) {
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO tokens (id, name, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, hash(secret));
            ps.setString(4, String.join(" ", scopes.stream().map(Scope::toString).toList()));
            ps.setLong(5, now.toEpochMilli());
            ps.executeUpdate();
            return new ApiToken(id, name, List.copyOf(scopes), now, null);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** The token with this secret, if it exists and is not revoked. */
    public Optional<ApiToken> verify(String secret, Instant now) {
        if (secret == null || secret.length() < 24 || secret.length() > 200) {
            return Optional.empty();
        }
        String hash = hash(secret);
        ApiToken cached = verified.get(hash);
        if (cached != null) {
            return Optional.of(touch(hash, cached, now));
        }
        synchronized (this) {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT id, name, scopes, created_at, last_used_at, token_hash FROM tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                            rs.getString(6).getBytes(StandardCharsets.US_ASCII))) {
                        return Optional.empty();
                    }
                    ApiToken token = new ApiToken(rs.getString(1), rs.getString(2), parseScopes(rs.getString(3)),
                            Instant.ofEpochMilli(rs.getLong(4)), instant(rs, 5));
                    verified.put(hash, token);
                    return Optional.of(touch(hash, token, now));
                }
            } catch (SQLException e) {
                throw failure(e);
            }
        }
    }

    private ApiToken touch(String hash, ApiToken token, Instant now) {
        if (token.lastUsedAt() != null && Duration.between(token.lastUsedAt(), now).compareTo(LAST_USED_RESOLUTION) < 0) {
            return token;
        }
        ApiToken used = new ApiToken(token.id(), token.name(), token.scopes(), token.createdAt(), now);
        verified.put(hash, used);
        synchronized (this) {
            try (PreparedStatement ps = connection.prepareStatement("UPDATE tokens SET last_used_at = ? WHERE id = ?")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, token.id());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw failure(e);
            }
        }
        return used;
    }

    /** Every token that is not revoked, oldest first. */
    public synchronized List<ApiToken> tokens() {
        List<ApiToken> tokens = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT id, name, scopes, created_at, last_used_at FROM tokens WHERE revoked_at IS NULL ORDER BY created_at, id");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                tokens.add(new ApiToken(rs.getString(1), rs.getString(2), parseScopes(rs.getString(3)),
                        Instant.ofEpochMilli(rs.getLong(4)), instant(rs, 5)));
            }
            return tokens;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Revokes a token; returns false when there was no such live token. */
    public synchronized boolean revoke(String id, Instant now) {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
            ps.setLong(1, now.toEpochMilli());
            ps.setString(2, id);
            boolean revoked = ps.executeUpdate() > 0;
            verified.values().removeIf(t -> t.id().equals(id));
            return revoked;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    // ---------------------------------------------------------------- users

    public synchronized boolean hasUsers() {
        try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM users"); ResultSet rs = ps.executeQuery()) {
            return rs.next() && rs.getLong(1) > 0;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Adds a user; throws {@link InvalidMessageException} for a taken name, a bad name or a short password. */
    public synchronized void addUser(String username, String password, Role role, Instant now) {
        requireUsername(username);
        String hash = passwordHash(password);
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING")) {
            ps.setString(1, username);
            ps.setString(2, hash);
            ps.setString(3, role.name());
            ps.setLong(4, now.toEpochMilli());
            if (ps.executeUpdate() == 0) {
                throw new InvalidMessageException("username", "\"" + username + "\" already exists");
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Sets a user's password; returns false when there is no such user. */
    public synchronized boolean setPassword(String username, String password) {
        String hash = passwordHash(password);
        try (PreparedStatement ps = connection.prepareStatement("UPDATE users SET password_hash = ? WHERE username = ?")) {
            ps.setString(1, hash);
            ps.setString(2, username);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Removes a user; returns false when there was none.
     *
     * @throws LastAdminException when the user is the only admin: nobody could manage users after
     */
    public synchronized boolean removeUser(String username) {
        if (roleOf(username).orElse(null) == Role.ADMIN && adminCount() == 1) {
            throw new LastAdminException(username, "remove");
        }
        try (PreparedStatement ps = connection.prepareStatement("DELETE FROM users WHERE username = ?")) {
            ps.setString(1, username);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Changes a user's role; returns false when there is no such user. Sessions opened with the old
     * role are the caller's to end.
     *
     * @throws LastAdminException when this would demote the only admin
     */
    public synchronized boolean setRole(String username, Role role) {
        Optional<Role> current = roleOf(username);
        if (current.isEmpty()) {
            return false;
        }
        if (current.get() == Role.ADMIN && role != Role.ADMIN && adminCount() == 1) {
            throw new LastAdminException(username, "demote");
        }
        try (PreparedStatement ps = connection.prepareStatement("UPDATE users SET role = ? WHERE username = ?")) {
            ps.setString(1, role.name());
            ps.setString(2, username);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Every user, by name; never their password hashes. */
    public synchronized List<User> users() {
        List<User> users = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement("SELECT username, role, created_at FROM users ORDER BY username");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                users.add(new User(rs.getString(1), Role.valueOf(rs.getString(2)), Instant.ofEpochMilli(rs.getLong(3))));
            }
            return users;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private Optional<Role> roleOf(String username) {
        try (PreparedStatement ps = connection.prepareStatement("SELECT role FROM users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Role.valueOf(rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private long adminCount() {
        try (PreparedStatement ps = connection.prepareStatement("SELECT count(*) FROM users WHERE role = ?")) {
            ps.setString(1, Role.ADMIN.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** The user's role when the password matches; empty otherwise (same time either way, roughly). */
    public Optional<Role> login(String username, String password) {
        String stored;
        String role;
        synchronized (this) {
            try (PreparedStatement ps = connection.prepareStatement("SELECT password_hash, role FROM users WHERE username = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    stored = rs.next() ? rs.getString(1) : null;
                    role = stored == null ? null : rs.getString(2);
                }
            } catch (SQLException e) {
                throw failure(e);
            }
        }
        // Verify against a dummy hash for unknown users so that timing does not reveal who exists.
        String against = stored != null ? stored : DUMMY_HASH;
        boolean ok = BCrypt.verifyer().verify(password.toCharArray(), against.toCharArray()).verified;
        return ok && stored != null ? Optional.of(Role.valueOf(role)) : Optional.empty();
    }

    private static final String DUMMY_HASH = BCrypt.withDefaults().hashToString(BCRYPT_COST, "not-a-password".toCharArray());

    private static void requireUsername(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new InvalidMessageException("username", "must match [A-Za-z0-9._@-]{1,64}");
        }
    }

    private static String passwordHash(String password) {
        if (password == null || password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
            throw new InvalidMessageException("password", "must be " + MIN_PASSWORD + "–" + MAX_PASSWORD + " characters");
        }
        return BCrypt.withDefaults().hashToString(BCRYPT_COST, password.toCharArray());
    }

    // ---------------------------------------------------------------- helpers

    private static List<Scope> parseScopes(String text) {
        return Arrays.stream(text.split(" ")).filter(s -> !s.isEmpty()).map(Scope::parse).toList();
    }

    private String randomText(int bytes) {
        byte[] buffer = new byte[bytes];
        random.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(value);
    }

    private static StoreUnavailableException failure(SQLException e) {
        return new StoreUnavailableException("auth store: " + e.getMessage(), e);
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // closing; nothing to save
        }
    }
}
