package dev.postroom.server.auth;

import dev.postroom.server.TestDatabase;
import dev.postroom.store.postgres.PostgresOptions;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The two homes of users, tokens and the audit log, for tests that run the same behaviour on both:
 * {@code auth.db} in a temp dir, or a schema of its own in the test PostgreSQL
 * ({@code POSTROOM_TEST_PG_URL}; without it the PostgreSQL runs are skipped, or fail with
 * {@code POSTROOM_CI=1}).
 */
public enum AuthBackend {
    SQLITE,
    POSTGRES;

    /** One place: every {@link Place#open()} is a new pool on it, as another node (or the same one restarted) would open. */
    public Place place(Path dir) {
        return new Place(this, dir, this == POSTGRES ? TestDatabase.newSchemaName() : null,
                this == POSTGRES ? TestDatabase.url() : null);
    }

    /** Where one test's data lives; closing it closes what it opened and drops the schema. */
    public static final class Place implements AutoCloseable {
        private final AuthBackend backend;
        private final Path dir;
        private final String schema;
        private final String url;
        private final List<AuthDatabase> opened = new CopyOnWriteArrayList<>();

        private Place(AuthBackend backend, Path dir, String schema, String url) {
            this.backend = backend;
            this.dir = dir;
            this.schema = schema;
            this.url = url;
        }

        /** A new database on this place, migrated. */
        public AuthDatabase open() {
            AuthDatabase database = backend == SQLITE ? AuthDatabase.sqlite(dir)
                    : AuthDatabase.postgres(PostgresOptions.of(url, null, null).withSchema(schema));
            opened.add(database);
            return database;
        }

        public AuthBackend backend() {
            return backend;
        }

        /** The PostgreSQL schema, null on SQLite. */
        public String schema() {
            return schema;
        }

        @Override
        public void close() throws SQLException {
            opened.forEach(AuthDatabase::close);
            if (schema != null) {
                TestDatabase.dropSchema(schema);
            }
        }
    }
}
