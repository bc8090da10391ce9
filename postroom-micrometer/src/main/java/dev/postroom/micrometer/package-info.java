/**
 * Postroom's meters for Micrometer: {@link dev.postroom.micrometer.PostroomMeters} defines every
 * per-queue counter, timer and gauge once, for whichever registry an application uses (the
 * server's Prometheus registry, a Spring Boot application's). Registries, JVM meters and HTTP
 * timers belong to the application, not here.
 */
package dev.postroom.micrometer;
