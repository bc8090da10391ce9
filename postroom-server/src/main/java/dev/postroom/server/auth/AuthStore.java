package dev.postroom.server.auth;

import dev.postroom.store.jdbc.Dialect;
import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.postroom.InvalidMessageException;
import dev.postroom.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
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
 * Users and API tokens, in an {@link AuthDatabase}: {@code auth.db} in the data directory with the
 * embedded store, the shared PostgreSQL database with {@code --store postgres}, where every node
 * sees the same users and tokens. Passwords are bcrypt hashes (cost 12); tokens are 256 random bits
 * shown once, stored as SHA-256 hashes and compared in constant time.
 *
 * <p>Verified tokens are cached by hash so that an API call costs one hash, not a query, and
 * checked against the database again after {@link #RECHECK}: revoking through this store ends a
 * token here at once, revoking through another node ends it here within {@code RECHECK}. Last use
 * is written at most once per {@link #LAST_USED_RESOLUTION} per token and node.
 *
 * <p>Thread-safe: every call takes a pooled connection; changes that check a rule first (one admin
 * remains, the first admin is created once) run in one transaction that locks what they read, so
 * they hold across nodes too.
 */
public final class AuthStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AuthStore.class);
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");
    /** The shortest password accepted, in characters. */
    public static final int MIN_PASSWORD = 10;
    /**
     * The longest password accepted, in characters and in UTF-8 bytes: bcrypt takes at most 72
     * bytes, so a longer one is refused rather than cut (72 "é" are 144 bytes).
     */
    public static final int MAX_PASSWORD = 72;
    /** The shortest token secret an operator may choose (POSTROOM_ADMIN_TOKEN). */
    public static final int MIN_TOKEN = 24;
    /** The user that a first start creates. */
    public static final String FIRST_ADMIN = "admin";
    private static final int BCRYPT_COST = 12;
    /** Writing last-used on every call would turn reads into writes; once a minute is precise enough. */
    public static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);
    /**
     * How long a verified token is believed without asking the database: a token revoked through
     * another node still works here for at most this long. Ten seconds costs a busy client one
     * indexed read per node every ten seconds.
     */
    public static final Duration RECHECK = Duration.ofSeconds(10);

    private final AuthDatabase database;
    private final boolean ownsDatabase;
    private final Dialect dialect;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    /** A token as the database had it at {@code checkedAt}. */
    private record Verified(ApiToken token, Instant checkedAt) {
    }

    private AuthStore(AuthDatabase database, boolean ownsDatabase) {
        this.database = database;
        this.ownsDatabase = ownsDatabase;
        this.dialect = database.dialect();
    }

    /**
     * Opens (creating and migrating) {@code auth.db} in {@code dataDir}; closing the store closes it.
     *
     * @throws StoreUnavailableException when the file cannot be opened or migrated
     */
    public static AuthStore open(Path dataDir) {
        return new AuthStore(AuthDatabase.sqlite(dataDir), true);
    }

    /** Users and tokens in {@code database}, which stays open when the store is closed: the audit log may share it. */
    public static AuthStore open(AuthDatabase database) {
        return new AuthStore(database, false);
    }

    /** The database these users and tokens are kept in, with the audit log; for backups. */
    public AuthDatabase database() {
        return database;
    }

    // ---------------------------------------------------------------- tokens

    /** Creates a token; its secret is in the result and nowhere else. */
    public NewToken createToken(String name, List<Scope> scopes, Instant now) {
        requireTokenName(name, scopes);
        String secret = "pr_" + randomText(32);
        return new NewToken(withConnection(c -> insertToken(c, name, secret, scopes, now)), secret);
    }

    /** Stores a token with a secret chosen by the operator (POSTROOM_ADMIN_TOKEN), at least {@value #MIN_TOKEN} characters. */
    public NewToken importToken(String name, String secret, List<Scope> scopes, Instant now) {
        requireTokenName(name, scopes);
        requireTokenSecret(secret);
        return new NewToken(withConnection(c -> insertToken(c, name, secret, scopes, now)), secret);
    }

    private static void requireTokenName(String name, List<Scope> scopes) {
        if (name == null || name.isBlank() || name.length() > 100) {
            throw new InvalidMessageException("name", "must be 1–100 characters");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw new InvalidMessageException("scopes", "must name at least one scope");
        }
    }

    private static void requireTokenSecret(String secret) {
        if (secret == null || secret.length() < MIN_TOKEN) {
            throw new InvalidMessageException("token", "must be at least " + MIN_TOKEN + " characters");
        }
    }

    private ApiToken insertToken(Connection connection, String name, String secret, List<Scope> scopes, Instant now) throws SQLException {
        String id = randomText(6);
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO auth_tokens (id, name, token_hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, hash(secret));
            ps.setString(4, String.join(" ", scopes.stream().map(Scope::toString).toList()));
            ps.setLong(5, now.toEpochMilli());
            ps.executeUpdate();
            return new ApiToken(id, name, List.copyOf(scopes), now, null);
        }
    }

    /** The token with this secret, if it exists and is not revoked (as of at most {@link #RECHECK} ago). */
    public Optional<ApiToken> verify(String secret, Instant now) {
        if (secret == null || secret.length() < MIN_TOKEN || secret.length() > 200) {
            return Optional.empty();
        }
        String hash = hash(secret);
        Verified cached = verified.get(hash);
        if (cached != null && !now.isBefore(cached.checkedAt()) && now.isBefore(cached.checkedAt().plus(RECHECK))) {
            return Optional.of(touch(hash, cached, now));
        }
        Optional<ApiToken> stored = withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, scopes, created_at, last_used_at, token_hash FROM auth_tokens WHERE token_hash = ? AND revoked_at IS NULL")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next() || !MessageDigest.isEqual(hash.getBytes(StandardCharsets.US_ASCII),
                            rs.getString(6).getBytes(StandardCharsets.US_ASCII))) {
                        return Optional.empty();
                    }
                    return Optional.of(new ApiToken(rs.getString(1), rs.getString(2), parseScopes(rs.getString(3)),
                            Instant.ofEpochMilli(rs.getLong(4)), instant(rs, 5)));
                }
            }
        });
        if (stored.isEmpty()) {
            verified.remove(hash);
            return Optional.empty();
        }
        Verified fresh = new Verified(stored.get(), now);
        verified.put(hash, fresh);
        return Optional.of(touch(hash, fresh, now));
    }

    private ApiToken touch(String hash, Verified entry, Instant now) {
        ApiToken token = entry.token();
        if (token.lastUsedAt() != null && Duration.between(token.lastUsedAt(), now).compareTo(LAST_USED_RESOLUTION) < 0) {
            return token;
        }
        ApiToken used = new ApiToken(token.id(), token.name(), token.scopes(), token.createdAt(), now);
        verified.replace(hash, entry, new Verified(used, entry.checkedAt()));
        // Other nodes write it too; the condition keeps a node with a late clock from moving it back.
        try {
            withConnection(c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE auth_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")) {
                    ps.setLong(1, now.toEpochMilli());
                    ps.setString(2, token.id());
                    ps.setLong(3, now.toEpochMilli());
                    return ps.executeUpdate();
                }
            });
        } catch (StoreUnavailableException e) {
            // The token is valid; only the note of its use is lost. On a full disk this write fails,
            // and failing the request for it would stop receives and acks that need no space.
            log.warn("recording a token's last use failed tokenId={} error={}", token.id(), e.getMessage());
        }
        return used;
    }

    /** Every token that is not revoked, oldest first. */
    public List<ApiToken> tokens() {
        return withConnection(c -> {
            List<ApiToken> tokens = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, name, scopes, created_at, last_used_at FROM auth_tokens WHERE revoked_at IS NULL ORDER BY created_at, id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tokens.add(new ApiToken(rs.getString(1), rs.getString(2), parseScopes(rs.getString(3)),
                            Instant.ofEpochMilli(rs.getLong(4)), instant(rs, 5)));
                }
            }
            return tokens;
        });
    }

    /** Revokes a token; returns false when there was no such live token. Other nodes stop accepting it within {@link #RECHECK}. */
    public boolean revoke(String id, Instant now) {
        boolean revoked = withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE auth_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")) {
                ps.setLong(1, now.toEpochMilli());
                ps.setString(2, id);
                return ps.executeUpdate() > 0;
            }
        });
        verified.values().removeIf(v -> v.token().id().equals(id));
        return revoked;
    }

    // ---------------------------------------------------------------- users

    /** Whether any user exists. */
    public boolean hasUsers() {
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM auth_users LIMIT 1"); ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        });
    }

    /**
     * First start: creates user {@value #FIRST_ADMIN} with this password and an admin token, in one
     * transaction, when there is no user at all. Nodes of a cluster that start together may all
     * call it: exactly one creates the user and the token, the others find the user and create
     * nothing (the user's key decides; a loser waits for the winner's commit).
     *
     * @param tokenSecret the token's secret as the operator chose it (POSTROOM_ADMIN_TOKEN), or null for a new random one
     * @return the admin token, with its secret, when this call created them; empty when a user existed
     * @throws InvalidMessageException naming {@code password} or {@code token} when one is out of range; nothing is created
     */
    public Optional<NewToken> createFirstAdmin(String password, String tokenSecret, Instant now) {
        String passwordHash = passwordHash(password);
        if (tokenSecret != null) {
            requireTokenSecret(tokenSecret);
        }
        String secret = tokenSecret != null ? tokenSecret : "pr_" + randomText(32);
        List<Scope> scopes = List.of(Scope.parse("admin"));
        return transaction(c -> {
            // Both dialects parse this upsert; the WHERE keeps it from being read as a join's ON.
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO auth_users (username, password_hash, role, created_at) SELECT ?, ?, ?, ?"
                            + " WHERE NOT EXISTS (SELECT 1 FROM auth_users) ON CONFLICT (username) DO NOTHING")) {
                ps.setString(1, FIRST_ADMIN);
                ps.setString(2, passwordHash);
                ps.setString(3, Role.ADMIN.name());
                ps.setLong(4, now.toEpochMilli());
                if (ps.executeUpdate() == 0) {
                    return Optional.empty();
                }
            }
            return Optional.of(new NewToken(insertToken(c, FIRST_ADMIN, secret, scopes, now), secret));
        });
    }

    /** Adds a user; throws {@link InvalidMessageException} for a taken name, a bad name or a short password. */
    public void addUser(String username, String password, Role role, Instant now) {
        requireUsername(username);
        String hash = passwordHash(password);
        boolean added = withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO auth_users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING")) {
                ps.setString(1, username);
                ps.setString(2, hash);
                ps.setString(3, role.name());
                ps.setLong(4, now.toEpochMilli());
                return ps.executeUpdate() > 0;
            }
        });
        if (!added) {
            throw new InvalidMessageException("username", "\"" + username + "\" already exists");
        }
    }

    /** Sets a user's password; returns false when there is no such user. */
    public boolean setPassword(String username, String password) {
        String hash = passwordHash(password);
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE auth_users SET password_hash = ? WHERE username = ?")) {
                ps.setString(1, hash);
                ps.setString(2, username);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /**
     * Removes a user; returns false when there was none.
     *
     * @throws LastAdminException when the user is the only admin: nobody could manage users after
     */
    public boolean removeUser(String username) {
        return transaction(c -> {
            long admins = lockAdmins(c); // first: the role read next is then one no other node is changing
            if (roleOf(c, username).orElse(null) == Role.ADMIN && admins == 1) {
                throw new LastAdminException(username, "remove");
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM auth_users WHERE username = ?")) {
                ps.setString(1, username);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /**
     * Changes a user's role; returns false when there is no such user. Sessions opened with the old
     * role are the caller's to end.
     *
     * @throws LastAdminException when this would demote the only admin
     */
    public boolean setRole(String username, Role role) {
        return transaction(c -> {
            long admins = lockAdmins(c);
            Optional<Role> current = roleOf(c, username);
            if (current.isEmpty()) {
                return false;
            }
            if (current.get() == Role.ADMIN && role != Role.ADMIN && admins == 1) {
                throw new LastAdminException(username, "demote");
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE auth_users SET role = ? WHERE username = ?")) {
                ps.setString(1, role.name());
                ps.setString(2, username);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** Every user, by name; never their password hashes. */
    public List<User> users() {
        return withConnection(c -> {
            List<User> users = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT username, role, created_at FROM auth_users ORDER BY username");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    users.add(new User(rs.getString(1), Role.valueOf(rs.getString(2)), Instant.ofEpochMilli(rs.getLong(3))));
                }
            }
            return users;
        });
    }

    private Optional<Role> roleOf(Connection connection, String username) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT role FROM auth_users WHERE username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(Role.valueOf(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /**
     * Counts the admins and, on PostgreSQL, locks their rows until the transaction ends: two nodes
     * demoting the last two admins at once then take turns, and the second sees one admin left.
     */
    private long lockAdmins(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT username FROM auth_users WHERE role = ?" + dialect.forUpdate())) {
            ps.setString(1, Role.ADMIN.name());
            long admins = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    admins++;
                }
            }
            return admins;
        }
    }

    /**
     * A short fingerprint of the user's password hash and role: it changes when either changes (a
     * new bcrypt hash has a new salt, even for the same password) and is empty once the user is
     * removed. A console session keeps the one it signed in with, so that a node can notice a
     * change made through another node and end the session.
     */
    public Optional<String> credentialStamp(String username) {
        String[] stored = storedCredentials(username);
        return stored == null ? Optional.empty() : Optional.of(stamp(stored));
    }

    /** A successful sign-in: the role and the credential stamp, both read from the same row. */
    public record SignIn(Role role, String credentialStamp) {
    }

    /**
     * The user's role and credential stamp when the password matches; empty otherwise (same time
     * either way, roughly). Both come from one read, so a session cannot pair a role the user has
     * just lost with the stamp of the row that took it away.
     */
    public Optional<SignIn> signIn(String username, String password) {
        String[] stored = storedCredentials(username);
        // Verify against a dummy hash for unknown users so that timing does not reveal who exists.
        String against = stored != null ? stored[0] : DUMMY_HASH;
        // A password bcrypt cannot take matches nothing; it is checked as a wrong one would be, in the same time.
        boolean fits = password != null && fitsBcrypt(password);
        boolean ok = BCrypt.verifyer().verify((fits ? password : "not a password").toCharArray(), against.toCharArray()).verified;
        return fits && ok && stored != null ? Optional.of(new SignIn(Role.valueOf(stored[1]), stamp(stored))) : Optional.empty();
    }

    private static boolean fitsBcrypt(String password) {
        return password.length() <= MAX_PASSWORD && password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD;
    }

    /** The user's role when the password matches; empty otherwise. */
    public Optional<Role> login(String username, String password) {
        return signIn(username, password).map(SignIn::role);
    }

    /** {password_hash, role} of the user, or null. */
    private String[] storedCredentials(String username) {
        return withConnection(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT password_hash, role FROM auth_users WHERE username = ?")) {
                ps.setString(1, username);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new String[]{rs.getString(1), rs.getString(2)} : null;
                }
            }
        });
    }

    private static String stamp(String[] stored) {
        return hash(stored[0] + " " + stored[1]).substring(0, 32);
    }

    private static final String DUMMY_HASH = BCrypt.withDefaults().hashToString(BCRYPT_COST, "not-a-password".toCharArray());

    private static void requireUsername(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new InvalidMessageException("username", "must match [A-Za-z0-9._@-]{1,64}");
        }
    }

    private static String passwordHash(String password) {
        if (password == null || password.length() < MIN_PASSWORD || !fitsBcrypt(password)) {
            throw new InvalidMessageException("password", "must be " + MIN_PASSWORD + "–" + MAX_PASSWORD
                    + " characters and at most " + MAX_PASSWORD + " bytes in UTF-8");
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

    /** Runs {@code work} in autocommit mode: each statement is its own transaction. */
    private <T> T withConnection(AuthDatabase.Work<T> work) {
        try {
            return database.withConnection(work);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private <T> T transaction(AuthDatabase.Work<T> work) {
        try {
            return database.inTransaction(work);
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    private static StoreUnavailableException failure(SQLException e) {
        return new StoreUnavailableException("auth store: " + e.getMessage(), e);
    }

    /** Closes the database when this store opened it ({@link #open(Path)}); otherwise its opener closes it. */
    @Override
    public void close() {
        if (ownsDatabase) {
            database.close();
        }
    }
}
