/**
 * The PostgreSQL store: {@link dev.postroom.store.postgres.PostgresMessageStore}, for one node or
 * many pointing at the same database. Leases live in the rows, claims use {@code FOR UPDATE SKIP
 * LOCKED}, sends wake the idle consumers of every node through {@code LISTEN/NOTIFY}, and the
 * nodes register and report in to the {@code nodes} table ({@code NodeRegistry}). The
 * schema is managed by Flyway ({@code db/postgres}). Engine logic (timing, retries, validation)
 * stays in {@code postroom-core}.
 */
package dev.postroom.store.postgres;
