package dev.postroom.server.console;

import dev.postroom.server.audit.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Console actions into the audit log: the signed-in user is the actor ({@code anonymous} before
 * sign-in, e.g. a failed sign-in), the connection's address the address. As for the API, an
 * entry that cannot be written does not undo an action already done; it goes to the error log.
 */
record AuditTrailAdapter(AuditLog log) implements Audit {
    private static final Logger errors = LoggerFactory.getLogger(AuditTrailAdapter.class);

    @Override
    public void recordOutcome(String address, Session session, String action, String targetType, String target, Map<String, Object> detail) {
        String actor = session == null ? "anonymous" : AuditLog.user(session.username());
        try {
            log.record(actor, action, targetType, target, detail, address);
        } catch (RuntimeException e) {
            errors.error("audit entry not recorded actor={} action={} targetType={} target={} detail={} address={}",
                    actor, action, targetType, target, detail, address, e);
        }
    }
}
