package dev.postroom.store.postgres;

import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * An application's {@code DataSource} as the store sees it: every connection it lends has the
 * store's schema as its search path, and gets its own search path back when the store closes it,
 * before it returns to the application's pool.
 *
 * <p>Why: most of the store's SQL names its tables without a schema, and a pool of its own sets
 * the schema once per connection ({@code currentSchema}); an application's connections are shared
 * with the application, whose search path is its own. The price is two statements per borrowed
 * connection (one reads the old path and sets the new one, one puts the old one back); a store
 * opened without a schema uses the connections as they come and pays nothing.
 *
 * <p>A connection whose search path cannot be put back (its session died, say) is aborted rather
 * than returned as it is, so that the pool drops it.
 */
final class SearchPathDataSource implements DataSource {
    /**
     * Reads the old path and sets the new one in one round trip: {@code OFFSET 0} keeps the
     * subquery (the read) from being merged into the outer query, so it runs before the set.
     */
    private static final String SWAP = "SELECT old, set_config('search_path', ?, false) "
            + "FROM (SELECT current_setting('search_path') AS old OFFSET 0) previous";
    private static final String RESTORE = "SELECT set_config('search_path', ?, false)";

    private static final org.slf4j.Logger log = LoggerFactory.getLogger(SearchPathDataSource.class);
    private final DataSource target;
    private final String schema;

    /** @param schema a lower-case SQL identifier ({@link PostgresOptions#checkSchema}) */
    SearchPathDataSource(DataSource target, String schema) {
        this.target = target;
        this.schema = schema;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return bind(target.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return bind(target.getConnection(username, password));
    }

    private Connection bind(Connection c) throws SQLException {
        boolean autoCommit;
        String previous;
        try {
            autoCommit = c.getAutoCommit();
            try (PreparedStatement ps = c.prepareStatement(SWAP)) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    previous = rs.getString(1);
                }
            }
            if (!autoCommit) {
                c.commit(); // a pool lending connections outside autocommit: the store's rollbacks must not undo the set
            }
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException close) {
                e.addSuppressed(close);
            }
            throw e;
        }
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        giveBack(c, previous, autoCommit);
                        return null;
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Puts the connection's own search path back and closes it (which returns it to the pool). The
     * store has committed or rolled back its work by now; what is left open is a read's.
     */
    private static void giveBack(Connection c, String previous, boolean autoCommit) throws SQLException {
        if (c.isClosed()) {
            return;
        }
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
            try (PreparedStatement ps = c.prepareStatement(RESTORE)) {
                ps.setString(1, previous);
                ps.executeQuery().close();
            }
            c.setAutoCommit(autoCommit);
        } catch (SQLException | RuntimeException e) {
            // Handled here, not thrown: the store's work on this connection is done (committed or
            // not), and a failure to tidy up must not turn a committed write into a failed one.
            log.warn("could not put back the search path of a borrowed connection; aborting it error={}", e.toString());
            try {
                c.abort(Runnable::run); // not back to the pool with the store's search path
            } catch (SQLException | RuntimeException abort) {
                log.debug("aborting the connection failed", abort);
            }
        } finally {
            c.close();
        }
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : target.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || target.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return target + " with search_path " + schema;
    }
}
