package dev.postroom.spring;

import dev.postroom.Postroom;

/**
 * Changes the {@link Postroom.Builder} of the auto-configured {@code Postroom} before it is built,
 * after the starter has applied the properties: limits, clock, payload mapping. Beans of this type
 * are applied in their {@code @Order}. Listeners are not set here: declare {@code MessageListener}
 * beans instead, which the starter combines into the builder's one listener.
 */
@FunctionalInterface
public interface PostroomBuilderCustomizer {
    void customize(Postroom.Builder builder);
}
