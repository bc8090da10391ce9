package dev.postroom.store.postgres;

import java.sql.SQLException;
import java.util.Set;

/**
 * Tells a lost session from a failed statement. PostgreSQL ends every session when it restarts
 * (SQLSTATE 57P01 on a fast shutdown, 57P02 after a crash, 57P03 while it starts up), and the
 * driver reports a cut connection as class 08 (connection exception); HikariCP reports a connection
 * it already closed as 08003. After such a loss the pool's other connections are most likely dead
 * too.
 */
final class ConnectionLoss {
    private static final Set<String> SERVER_ENDED_SESSION = Set.of("57P01", "57P02", "57P03");

    private ConnectionLoss() {
    }

    /** Whether {@code e}, its causes or (for a batch) its next exceptions say the session is gone. */
    static boolean is(SQLException e) {
        for (SQLException next = e; next != null; next = next.getNextException()) {
            for (Throwable cause = next; cause != null; cause = cause.getCause()) {
                if (cause instanceof SQLException sql && lost(sql.getSQLState())) {
                    return true;
                }
                if (cause.getCause() == cause) {
                    break;
                }
            }
        }
        return false;
    }

    private static boolean lost(String state) {
        // 08P01 (protocol violation) is in class 08 but repeats however often it is retried.
        return state != null && ((state.startsWith("08") && !"08P01".equals(state)) || SERVER_ENDED_SESSION.contains(state));
    }
}
