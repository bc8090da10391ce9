package dev.postroom.chaos;

/** The faults a campaign injects, one per cycle. */
enum Fault {
    /** SIGKILL of a server's JVM, which is started again at once on the same data. */
    SERVER_KILL("server-kill", "SIGKILL of a server JVM, started again on the same data"),
    /**
     * SIGKILL of one PostgreSQL node while it holds leases; it stays down until another node has
     * delivered the held messages again (their lease expired), then starts again.
     */
    NODE_KILL("node-kill", "SIGKILL of one of two nodes holding leases; the other node must deliver them again"),
    /** SIGKILL of PostgreSQL's postmaster and every backend, then a start on the same data (crash recovery). */
    POSTGRES_KILL("postgres-kill", "SIGKILL of PostgreSQL (postmaster and backends), then started again"),
    /** {@code pg_terminate_backend} of every session of the nodes. */
    POSTGRES_TERMINATE("postgres-terminate", "pg_terminate_backend of every session of the nodes");

    private final String option;
    private final String description;

    Fault(String option, String description) {
        this.option = option;
        this.description = description;
    }

    /** The name given to {@code --faults}. */
    String option() {
        return option;
    }

    String description() {
        return description;
    }

    static Fault ofOption(String option) {
        for (Fault fault : values()) {
            if (fault.option.equals(option)) {
                return fault;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + option + "'; known: server-kill, node-kill, postgres-kill, postgres-terminate");
    }
}
