package dev.postroom.store.postgres;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how {@link PostgresMessageStore} connects.
 * <pre>{@code
 * PostgresOptions options = PostgresOptions.of("jdbc:postgresql://db:5432/postroom", "postroom", secret)
 *         .withPoolSize(20)
 *         .withSchema("postroom");
 * }</pre>
 *
 * @param jdbcUrl  a {@code jdbc:postgresql:} URL
 * @param user     the database user, or null to take it from the URL
 * @param password the password, or null
 * @param poolSize connections in the pool (1–500; default {@value #DEFAULT_POOL_SIZE}); the
 *                 listener for wake-ups holds one more
 * @param schema   the schema holding Postroom's tables, created if missing; null for the user's
 *                 default ({@code search_path}, normally {@code public}). Nodes of one cluster must
 *                 name the same one
 */
public record PostgresOptions(String jdbcUrl, String user, String password, int poolSize, String schema) {
    /** Pool size when none is given: enough for a node's dispatchers and its console. */
    public static final int DEFAULT_POOL_SIZE = 10;
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&]password=)[^&]*");
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * @throws IllegalArgumentException naming the property when a value is out of range
     */
    public PostgresOptions {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("jdbcUrl must start with jdbc:postgresql:, was " + jdbcUrl);
        }
        if (poolSize < 1 || poolSize > 500) {
            throw new IllegalArgumentException("poolSize must be 1-500, was " + poolSize);
        }
        checkSchema(schema);
    }

    /** Refuses a schema name that is not a lower-case SQL identifier; null (the default schema) passes. */
    static void checkSchema(String schema) {
        if (schema != null && !SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63), was " + schema);
        }
    }

    /** The default pool size and schema. */
    public static PostgresOptions of(String jdbcUrl, String user, String password) {
        return new PostgresOptions(jdbcUrl, user, password, DEFAULT_POOL_SIZE, null);
    }

    public PostgresOptions withPoolSize(int value) {
        return new PostgresOptions(jdbcUrl, user, password, value, schema);
    }

    public PostgresOptions withSchema(String value) {
        return new PostgresOptions(jdbcUrl, user, password, poolSize, value);
    }

    /** The URL for messages and logs: a {@code password} parameter in it is replaced by {@code ***}. */
    public String redactedUrl() {
        return PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1***");
    }

    /** For logs: the URL and schema, never the password. */
    @Override
    public String toString() {
        return "PostgresOptions[jdbcUrl=" + redactedUrl() + ", user=" + user + ", poolSize=" + poolSize + ", schema=" + schema + "]";
    }
}
