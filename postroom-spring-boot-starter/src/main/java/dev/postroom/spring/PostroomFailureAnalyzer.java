package dev.postroom.spring;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns a start-up that failed on a {@code postroom.*} setting into Spring Boot's failure report:
 * the description names the property, its value and where it was set, and why it cannot be used;
 * the action says what to do. It covers values that do not bind ({@code postroom.store=mongo}),
 * values the starter's checks refuse ({@code postroom.health.stale-after=0s}), queue policies that
 * Postroom refuses ({@code postroom.queues.refunds.max-attempts=0}), and a store that cannot open
 * ({@code postroom.store=postgres} without a {@code DataSource}). Other failures are left to Spring
 * Boot's own analyzers, which come after this one.
 */
final class PostroomFailureAnalyzer implements FailureAnalyzer, Ordered {
    private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("postroom");
    private static final Pattern CAPITAL = Pattern.compile("([A-Z])");
    private final Environment environment;

    /** @param environment where the values at fault are looked up, with their origin; may be null */
    PostroomFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        PostroomPropertyException refused = find(failure, PostroomPropertyException.class);
        if (refused != null) {
            return analysis(refused.property(), refused.value(), refused.reason(), refused.action(), failure);
        }
        BindException bind = find(failure, BindException.class);
        if (bind != null && (PREFIX.equals(bind.getName()) || PREFIX.isAncestorOf(bind.getName()))) {
            BindValidationException invalid = find(bind, BindValidationException.class);
            return invalid != null ? validation(invalid, failure) : unbound(bind, failure);
        }
        return null;
    }

    /** A value that could not be converted to its property's type. */
    private FailureAnalysis unbound(BindException bind, Throwable failure) {
        String property = bind.getName().toString();
        Class<?> type = bind.getTarget().getType().resolve(Object.class);
        String value = bind.getProperty() == null ? null : String.valueOf(bind.getProperty().getValue());
        if (type.isEnum()) {
            String allowed = Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", "));
            return analysis(property, value, "it must be one of " + allowed,
                    "Set " + property + " to one of: " + allowed + ".", failure);
        }
        String example = Duration.class.equals(type) ? " (a duration such as 30s, 5m or 2h)" : "";
        return analysis(property, value, "it is not a valid " + type.getSimpleName() + ": " + rootMessage(bind),
                "Set " + property + " to a valid " + type.getSimpleName() + example + ".", failure);
    }

    /** A value that bound but that the starter's own checks refuse ({@link PostroomProperties#validate}). */
    private FailureAnalysis validation(BindValidationException invalid, Throwable failure) {
        ConfigurationPropertyName name = invalid.getValidationErrors().getName();
        for (ObjectError error : invalid.getValidationErrors()) {
            if (error instanceof FieldError field) {
                String property = name + "." + CAPITAL.matcher(field.getField()).replaceAll("-$1").toLowerCase(Locale.ROOT);
                return analysis(property, String.valueOf(field.getRejectedValue()), "it " + field.getDefaultMessage(),
                        "Change " + property + " so that it " + field.getDefaultMessage() + ".", failure);
            }
        }
        return analysis(name.toString(), null, invalid.getMessage(), "Correct the postroom.* settings named above.", failure);
    }

    private FailureAnalysis analysis(String property, String value, String reason, String action, Throwable failure) {
        StringBuilder description = new StringBuilder("Postroom cannot start with ").append(property);
        ConfigurationProperty bound = lookup(property);
        if (bound != null) {
            description.append('=').append(bound.getValue());
            if (bound.getOrigin() != null) {
                description.append(" (from ").append(bound.getOrigin()).append(')');
            }
        } else if (value != null) {
            description.append('=').append(value);
        }
        description.append(": ").append(reason);
        return new FailureAnalysis(description.toString(), action, failure);
    }

    /** The property as the application set it, with its origin (file and line), when it is set. */
    private ConfigurationProperty lookup(String property) {
        if (environment == null || !ConfigurationPropertyName.isValid(property)) {
            return null;
        }
        ConfigurationPropertyName name = ConfigurationPropertyName.of(property);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            ConfigurationProperty found = source.getConfigurationProperty(name);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
