package dev.postroom.server.auth;

/**
 * What differs between the two databases that hold users, tokens and the audit log: table names,
 * where the migrations are, and row locking. Everything else is SQL both accept, written once in
 * {@link AuthStore} and {@code AuditLog} with the placeholders {@code {users}}, {@code {tokens}}
 * and {@code {audit}} for the tables.
 */
public enum AuthDialect {
    /**
     * {@code auth.db} in a node's data directory: the tables keep the names they have always had, so
     * existing files need no migration. Writers take turns through {@code BEGIN IMMEDIATE}, so
     * nothing needs a row lock.
     */
    SQLITE("users", "tokens", "audit", "classpath:db/auth", "flyway_schema_history", ""),
    /**
     * The message store's database and schema, shared by every node. The tables are prefixed because
     * they sit beside the message store's (and perhaps an application's own {@code users}), and the
     * migrations keep a history table of their own so that they never meet the message store's.
     */
    POSTGRES("auth_users", "auth_tokens", "audit_log", "classpath:db/auth-postgres", "auth_schema_history", " FOR UPDATE");

    private final String users;
    private final String tokens;
    private final String audit;
    private final String migrations;
    private final String historyTable;
    private final String forUpdate;

    AuthDialect(String users, String tokens, String audit, String migrations, String historyTable, String forUpdate) {
        this.users = users;
        this.tokens = tokens;
        this.audit = audit;
        this.migrations = migrations;
        this.historyTable = historyTable;
        this.forUpdate = forUpdate;
    }

    /** {@code template} with {@code {users}}, {@code {tokens}} and {@code {audit}} replaced by this dialect's table names. */
    public String sql(String template) {
        return template.replace("{users}", users).replace("{tokens}", tokens).replace("{audit}", audit);
    }

    /**
     * The clause that locks the rows a {@code SELECT} in a transaction read, until it commits:
     * {@code FOR UPDATE} on PostgreSQL, nothing on SQLite, whose transactions already hold the
     * database's write lock from their start.
     */
    public String forUpdate() {
        return forUpdate;
    }

    /** The Flyway location of this dialect's migrations. */
    String migrations() {
        return migrations;
    }

    /** Flyway's history table for these migrations. */
    String historyTable() {
        return historyTable;
    }
}
