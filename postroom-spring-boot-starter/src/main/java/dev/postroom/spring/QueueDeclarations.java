package dev.postroom.spring;

import dev.postroom.Backoff;
import dev.postroom.InvalidMessageException;
import dev.postroom.KeyLimit;
import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.RateLimit;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Creates the queues of {@link PostroomQueue} beans and of {@code postroom.queues}, or updates
 * their policies, when the Postroom bean is built. Postroom validates each policy; a policy it
 * refuses stops the start naming the property at fault ({@link PostroomPropertyException}).
 */
final class QueueDeclarations {
    /** Map keys that a properties file can spell without brackets. */
    private static final Pattern PLAIN_KEY = Pattern.compile("[a-z0-9-]+");
    private static final Pattern CAPITAL = Pattern.compile("([A-Z])");

    private QueueDeclarations() {
    }

    /** Declares every queue: the beans' first, then the properties', whose policy wins for a queue named in both. */
    static void declare(Postroom postroom, List<PostroomQueue> beans, Map<String, PostroomProperties.Queue> configured) {
        Map<String, QueuePolicy> policies = new LinkedHashMap<>();
        for (PostroomQueue queue : beans) {
            policies.put(queue.name(), queue.policy());
        }
        configured.forEach((name, queue) -> policies.put(name, policyOf(name, queue)));
        policies.forEach((name, policy) -> {
            try {
                postroom.createQueue(name, policy);
            } catch (InvalidMessageException e) {
                PostroomProperties.Queue queue = configured.get(name);
                if (queue == null) {
                    throw new IllegalStateException("Postroom refused the PostroomQueue bean of queue " + name + ": " + e.getMessage(), e);
                }
                throw refused(name, queue, e);
            }
        });
    }

    /** The policy that a queue's properties describe: Postroom's default where they say nothing. */
    static QueuePolicy policyOf(String name, PostroomProperties.Queue queue) {
        QueuePolicy policy = QueuePolicy.DEFAULT;
        if (queue.getMaxAttempts() != null) {
            policy = policy.withMaxAttempts(queue.getMaxAttempts());
        }
        if (queue.getLease() != null) {
            policy = policy.withLease(queue.getLease());
        }
        if (queue.getConcurrency() != null) {
            policy = policy.withConcurrency(queue.getConcurrency());
        }
        if (queue.getRetention() != null) {
            policy = policy.withRetention(queue.getRetention());
        }
        if (queue.getDeadRetention() != null) {
            policy = policy.withDeadRetention(queue.getDeadRetention());
        }
        if (queue.getMaxRun() != null) {
            policy = policy.withMaxRun(queue.getMaxRun());
        }
        PostroomProperties.Backoff backoff = queue.getBackoff();
        Backoff defaults = policy.backoff();
        policy = policy.withBackoff(new Backoff(
                backoff.getInitial() != null ? backoff.getInitial() : defaults.initial(),
                backoff.getMax() != null ? backoff.getMax() : defaults.max(),
                backoff.getMultiplier() != null ? backoff.getMultiplier() : defaults.multiplier()));
        policy = policy.withRateLimit(rate(name, "rateLimit", queue.getRateLimit()));
        PostroomProperties.PerKey perKey = queue.getPerKey();
        RateLimit keyRate = rate(name, "perKey.rateLimit", perKey.getRateLimit());
        if (perKey.getMaxInFlight() != null || keyRate != null || perKey.getHeader() != null) {
            policy = policy.withPerKey(new KeyLimit(perKey.getHeader(), perKey.getMaxInFlight(), keyRate));
        }
        return policy;
    }

    private static RateLimit rate(String queue, String field, PostroomProperties.Rate rate) {
        if (rate.getCount() == null) {
            if (rate.getPer() != null) {
                throw new PostroomPropertyException(property(queue, field + ".count"), null,
                        "a rate limit needs a count; " + property(queue, field + ".per") + " is set without one",
                        "Set " + property(queue, field + ".count") + " to the messages allowed per interval, or remove "
                                + property(queue, field + ".per") + ".", null);
            }
            return null;
        }
        return new RateLimit(rate.getCount(), rate.getPer() != null ? rate.getPer() : Duration.ofSeconds(1));
    }

    /** Postroom's refusal of a configured queue, as the property at fault and its value. */
    private static PostroomPropertyException refused(String name, PostroomProperties.Queue queue, InvalidMessageException e) {
        if (e.field().equals("queue")) {
            return new PostroomPropertyException(queueProperty(name), null, "the queue name " + name + " is invalid: "
                    + e.getMessage(), "Rename the queue: letters, digits, '.', '_' and '-'.", e);
        }
        String property = property(name, e.field());
        return new PostroomPropertyException(property, valueOf(queue, e.field()),
                "the policy of queue " + name + " is invalid: " + e.getMessage(),
                "Change " + property + " to a value in the range given above, or remove it for Postroom's default.", e);
    }

    /** The bound value of a policy field, as text, when the properties set it as one value. */
    private static String valueOf(PostroomProperties.Queue queue, String field) {
        BeanWrapper wrapper = PropertyAccessorFactory.forBeanPropertyAccess(queue);
        if (!wrapper.isReadableProperty(field)) {
            return null;
        }
        Object value = wrapper.getPropertyValue(field);
        return value instanceof Number || value instanceof Duration || value instanceof CharSequence ? value.toString() : null;
    }

    /** {@code postroom.queues.<name>}, with brackets around a name that a properties key cannot spell plainly. */
    static String queueProperty(String name) {
        return PLAIN_KEY.matcher(name).matches() ? "postroom.queues." + name : "postroom.queues[" + name + "]";
    }

    /** The property of a policy field ({@code perKey.maxInFlight}) of a queue, in kebab case. */
    static String property(String queue, String field) {
        return queueProperty(queue) + "." + CAPITAL.matcher(field).replaceAll("-$1").toLowerCase();
    }
}
