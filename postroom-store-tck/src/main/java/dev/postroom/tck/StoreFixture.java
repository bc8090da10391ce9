package dev.postroom.tck;

import dev.postroom.store.MessageStore;

/**
 * How the suite gets at a store under test. One fixture instance serves one test: every
 * {@link #open()} opens the <em>same</em> underlying file or database, so that a contract can close
 * or crash a store and open it again to check what survived.
 */
public interface StoreFixture {

    /**
     * Opens (or reopens) a store on this fixture's file or database. The first call of a test sees an
     * empty store; later calls see whatever the earlier stores made durable.
     */
    MessageStore open();

    /**
     * Abandons {@code store} as a crash would: no clean close, nothing pending flushed, resources
     * released only as far as needed to open the same file or database again. Work acknowledged
     * before the call must survive; work still pending may or may not. For an embedded store this is
     * typically "close the connection without draining the group committer"; a stronger fixture may
     * kill a child JVM.
     */
    void crash(MessageStore store);

    /**
     * Whether several stores may be open on this fixture's database at once, as the nodes of a
     * cluster are ({@link #open()} while another is open). False for an embedded store, whose file
     * one process owns; contracts then run their "two nodes" cases as two engines on one store.
     */
    default boolean sharedByNodes() {
        return false;
    }

    /** Removes what the fixture created (files, schemas); called once after each test. */
    default void cleanup() {
    }
}
