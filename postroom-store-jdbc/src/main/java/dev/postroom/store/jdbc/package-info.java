/**
 * What the two JDBC stores, SQLite and PostgreSQL, share: the JSON shapes kept in columns
 * ({@link dev.postroom.store.jdbc.StoredJson}), row mapping and the steps of a write around its SQL
 * for topics, schedules and batches ({@link dev.postroom.store.jdbc.TopicRows},
 * {@link dev.postroom.store.jdbc.ScheduleRows}, {@link dev.postroom.store.jdbc.BatchRows}), and
 * message states in SQL by name ({@link dev.postroom.store.jdbc.StateSql}). Each store keeps only
 * its concurrency model and the SQL that differs.
 */
package dev.postroom.store.jdbc;
