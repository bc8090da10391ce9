/**
 * The store conformance suite (TCK): one abstract JUnit 5 contract per capability
 * ({@link dev.postroom.tck.SendContract}, {@link dev.postroom.tck.ReceiveContract},
 * {@link dev.postroom.tck.LeaseContract}, {@link dev.postroom.tck.RetryContract},
 * {@link dev.postroom.tck.OrderingContract}, {@link dev.postroom.tck.IdempotencyContract},
 * {@link dev.postroom.tck.LimitsContract}, {@link dev.postroom.tck.BatchContract},
 * {@link dev.postroom.tck.ScheduleContract}, {@link dev.postroom.tck.TopicContract},
 * {@link dev.postroom.tck.BrowseContract}, {@link dev.postroom.tck.LifecycleContract},
 * {@link dev.postroom.tck.RestartContract}, {@link dev.postroom.tck.HandlerContract},
 * {@link dev.postroom.tck.RequestReplyContract}, {@link dev.postroom.tck.ConcurrencyContract}) and the
 * fixtures they share ({@link dev.postroom.tck.StoreFixture}, {@link dev.postroom.tck.FakeClock},
 * {@link dev.postroom.tck.StoreInvariants}). A store module runs the suite by adding one thin
 * subclass per contract under its tests, e.g.
 * <pre>{@code
 * class SqliteLeaseContractTest extends LeaseContract {
 *     @TempDir Path dir;
 *     @Override protected StoreFixture fixture() { return new SqliteFixture(dir); }
 * }
 * }</pre>
 * Contracts end in {@code Contract}, so Surefire (which runs {@code *Test}) only runs them through a
 * store. A store is done when every contract has a subclass and all are green; each store has a
 * test that calls {@link dev.postroom.tck.ContractCoverage}, which fails while a contract has no
 * subclass there. No store code lives here, and store-specific checks (WAL mode, query plans) stay
 * in the store's own module.
 */
package dev.postroom.tck;
