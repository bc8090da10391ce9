package dev.postroom.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@link PostroomListener} method's {@code String} parameter to one header of the
 * message; null when the message has no such header.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PostroomHeader {
    /** The header's name. */
    String value();
}
