/**
 * Postroom's core: the API ({@code dev.postroom}) and the store SPI ({@code dev.postroom.store}).
 * The engine ({@code dev.postroom.engine}) is not exported: it may change in any release, and no
 * other module of Postroom uses it either.
 */
@SuppressWarnings("requires-automatic") // cron-utils and OpenTelemetry name their modules in their manifests
module dev.postroom.core {
    exports dev.postroom;
    exports dev.postroom.store;

    requires transitive com.fasterxml.jackson.databind;
    // A send may join the caller's JDBC transaction (the SPI takes a Connection).
    requires transitive java.sql;
    requires java.management;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires org.slf4j;
    requires com.cronutils;
    // Optional at run time: traces propagate only when the application has OpenTelemetry.
    requires static io.opentelemetry.api;
    requires static io.opentelemetry.context;

    // Policies, options and results are read and written as JSON by Jackson.
    opens dev.postroom to com.fasterxml.jackson.databind;
}
