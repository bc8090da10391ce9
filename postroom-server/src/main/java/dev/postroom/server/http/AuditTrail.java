package dev.postroom.server.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.server.audit.AuditLog;
import dev.postroom.server.auth.ApiToken;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records the operator actions done over the API in the {@link AuditLog}: the request's token is
 * the actor, the connection's remote address ({@code ctx.ip()}) the address. A route calls
 * {@link #record} only after its action succeeded, so refused and failed requests leave no entry.
 * The address is the peer's; {@code X-Forwarded-For} is not trusted, since any client can send it.
 */
final class AuditTrail {
    private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
    private final AuditLog audit;

    AuditTrail(AuditLog audit) {
        this.audit = audit;
    }

    /**
     * Records {@code action} by the request's token. When the entry cannot be written the action has
     * already happened, so the request still succeeds: answering 503 would tell the client that
     * nothing changed and invite a retry. The entry goes into the error log instead, whole.
     */
    void record(Context ctx, String action, String targetType, String target, Map<String, ?> detail) {
        ApiToken token = Access.token(ctx);
        String actor = AuditLog.token(token.name(), token.id());
        try {
            audit.record(actor, action, targetType, target, detail, ctx.ip());
        } catch (RuntimeException e) {
            log.error("audit entry not recorded actor={} action={} targetType={} target={} detail={} address={}",
                    actor, action, targetType, target, detail, ctx.ip(), e);
        }
    }

    /**
     * Records later, for work that ends after its request (a background erasure): who asked and
     * from where are read now, while the request is still there.
     */
    Later later(Context ctx) {
        ApiToken token = Access.token(ctx);
        String actor = AuditLog.token(token.name(), token.id());
        String address = ctx.ip();
        return (action, targetType, target, detail) -> {
            try {
                audit.record(actor, action, targetType, target, detail, address);
            } catch (RuntimeException e) {
                log.error("audit entry not recorded actor={} action={} targetType={} target={} detail={} address={}",
                        actor, action, targetType, target, detail, address, e);
            }
        };
    }

    /** An entry to record after the request that started it. */
    @FunctionalInterface
    interface Later {
        void record(String action, String targetType, String target, Map<String, ?> detail);
    }

    /** The fields a request body set, without the ones it left out (null), as a detail. */
    static Map<String, Object> fieldsSet(ObjectMapper mapper, Object body) {
        return withoutNulls(mapper.convertValue(body, new TypeReference<LinkedHashMap<String, Object>>() {
        }));
    }

    private static Map<String, Object> withoutNulls(Map<?, ?> map) {
        Map<String, Object> clean = new LinkedHashMap<>();
        map.forEach((key, value) -> {
            if (value instanceof Map<?, ?> nested) {
                clean.put(key.toString(), withoutNulls(nested));
            } else if (value != null) {
                clean.put(key.toString(), value);
            }
        });
        return clean;
    }
}
