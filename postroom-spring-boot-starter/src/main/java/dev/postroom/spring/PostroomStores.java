package dev.postroom.spring;

import dev.postroom.store.MessageStore;
import dev.postroom.store.StoreUnavailableException;
import dev.postroom.store.sqlite.SqliteMessageStore;
import dev.postroom.store.sqlite.SqliteOptions;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;

/** Opens the store that {@code postroom.store} names. */
final class PostroomStores {
    private static final String POSTGRES_STORE = "dev.postroom.store.postgres.PostgresMessageStore";
    private static final String OR_SQLITE = " Or set postroom.store=sqlite for the embedded store.";

    private PostroomStores() {
    }

    static MessageStore open(PostroomProperties properties, ObjectProvider<DataSource> dataSources, ClassLoader classLoader) {
        return switch (properties.getStore()) {
            case SQLITE -> SqliteMessageStore.open(SqliteOptions.of(properties.getSqlite().getDataDir())
                    .withDurability(properties.getSqlite().getDurability()));
            case POSTGRES -> openPostgres(properties.getPostgres().getSchema(), dataSources, classLoader);
        };
    }

    private static MessageStore openPostgres(String schema, ObjectProvider<DataSource> dataSources, ClassLoader classLoader) {
        if (!ClassUtils.isPresent(POSTGRES_STORE, classLoader)) {
            throw new PostroomPropertyException("postroom.store", "postgres", "the PostgreSQL store is not on the class path",
                    "Add the dependency dev.postroom:postroom-store-postgres (its version from postroom-bom)." + OR_SQLITE, null);
        }
        DataSource dataSource = dataSources.getIfUnique();
        if (dataSource == null) {
            long count = dataSources.stream().count();
            throw new PostroomPropertyException("postroom.store", "postgres",
                    count == 0 ? "the PostgreSQL store works on the application's DataSource, and there is no DataSource bean"
                            : "the PostgreSQL store works on the application's DataSource, and there are " + count
                            + " DataSource beans, none of them @Primary",
                    count == 0 ? "Add spring-boot-starter-jdbc and set spring.datasource.url (and its username and password) to"
                            + " your PostgreSQL database, or define a DataSource bean." + OR_SQLITE
                            : "Mark the DataSource that Postroom should use @Primary.", null);
        }
        try {
            return PostgresStoreOpening.open(dataSource, schema);
        } catch (IllegalArgumentException e) {
            throw new PostroomPropertyException("postroom.postgres.schema", schema, e.getMessage(),
                    "Name a lower-case SQL identifier (letters, digits and _), or leave postroom.postgres.schema unset"
                            + " for the first schema of the connections' search path.", e);
        } catch (StoreUnavailableException e) {
            throw new PostroomPropertyException("postroom.store", "postgres", e.getMessage(),
                    "Point the application's DataSource (spring.datasource.url) at a PostgreSQL 15 or newer that it can"
                            + " reach, with a user that may create tables in the schema." + OR_SQLITE, e);
        }
    }
}
