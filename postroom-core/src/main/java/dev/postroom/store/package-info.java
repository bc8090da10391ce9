/**
 * The storage SPI: {@link dev.postroom.store.MessageStore} and the records its operations take and
 * return. A store is the source of truth for every message and queue; the engine decides timing
 * (it passes {@code now} and retry delays in), the store applies transitions atomically. A store is
 * conformant when it passes the whole {@code postroom-store-tck} suite. Nothing here knows HTTP or
 * a SQL dialect: {@link dev.postroom.store.StoredJson}, {@link dev.postroom.store.TopicRows},
 * {@link dev.postroom.store.ScheduleRows} and {@link dev.postroom.store.BatchRows} hold what JDBC stores
 * do alike (column mapping, and the steps of a write around its SQL), so each store keeps only its SQL.
 */
package dev.postroom.store;
