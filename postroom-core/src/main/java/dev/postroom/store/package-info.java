/**
 * The storage SPI: {@link dev.postroom.store.MessageStore} and the records its operations take and
 * return. A store is the source of truth for every message and queue; the engine decides timing
 * (it passes {@code now} and retry delays in), the store applies transitions atomically. Message ids
 * and their order come from {@link dev.postroom.store.MessageIds}. A store is conformant when it
 * passes the whole {@code postroom-store-tck} suite. Nothing here knows HTTP or a SQL dialect:
 * what the JDBC stores share lives in {@code postroom-store-jdbc}.
 */
package dev.postroom.store;
