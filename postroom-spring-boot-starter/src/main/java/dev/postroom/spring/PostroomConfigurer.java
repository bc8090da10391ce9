package dev.postroom.spring;

import dev.postroom.Postroom;

/**
 * Work to do on the running {@code Postroom} once every bean of the application exists: register
 * handlers, mostly. {@link PostroomLifecycle} calls each {@code PostroomConfigurer} bean, in their
 * {@code @Order}, when the application context starts; handlers registered then start taking
 * messages at once.
 * <pre>{@code
 * @Bean
 * PostroomConfigurer refunds(Payments payments) {
 *     return postroom -> postroom.handle("billing.refund", Refund.class, delivery -> payments.refund(delivery.payload()));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface PostroomConfigurer {
    void configure(Postroom postroom);
}
