/**
 * Postroom in a Spring Boot application: {@link dev.postroom.spring.PostroomAutoConfiguration}
 * opens the store named by {@code postroom.store} (the embedded SQLite store, or PostgreSQL on the
 * application's {@code DataSource}), builds the {@code Postroom} with the queues of
 * {@link dev.postroom.spring.PostroomProperties}, and {@link dev.postroom.spring.PostroomLifecycle}
 * starts its handlers with the context and stops it gracefully. With Spring Boot's health module,
 * a {@code postroom} health indicator; with a Micrometer registry, Postroom's meters. Extension
 * points: {@link dev.postroom.spring.PostroomConfigurer} (handlers at start),
 * {@link dev.postroom.spring.PostroomBuilderCustomizer}, {@link dev.postroom.spring.PostroomQueue}
 * and {@code MessageListener} beans.
 */
package dev.postroom.spring;
