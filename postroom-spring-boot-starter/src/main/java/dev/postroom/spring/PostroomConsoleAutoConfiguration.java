package dev.postroom.spring;

import dev.postroom.MessageListener;
import dev.postroom.server.auth.AuthDatabase;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Postroom's HTTP API and console on {@code postroom.console.port}, when {@code postroom-server} is
 * on the class path: operators get the standalone server's console for the application's messages.
 */
@AutoConfiguration(after = PostroomAutoConfiguration.class)
@ConditionalOnClass(name = "dev.postroom.server.http.ApiServer")
@ConditionalOnBooleanProperty(name = "postroom.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "postroom.console.enabled", matchIfMissing = true)
@ConditionalOnProperty(prefix = "postroom.console", name = "port")
public class PostroomConsoleAutoConfiguration {

    /** Users, tokens and the audit log beside the messages, and the server, not serving yet. */
    @Bean
    PostroomConsole postroomConsole(PostroomProperties properties, ObjectProvider<DataSource> dataSources) {
        PostroomProperties.Console console = properties.getConsole();
        AuthDatabase database = switch (properties.getStore()) {
            case SQLITE -> AuthDatabase.sqlite(createDirectories(properties.getSqlite().getDataDir()));
            case POSTGRES -> AuthDatabase.postgres(dataSources.getObject());
        };
        return PostroomConsole.open(database, console.getHost(), console.getPort(),
                firstNonBlank(console.getAdminPassword(), System.getenv("POSTROOM_ADMIN_PASSWORD")),
                firstNonBlank(console.getAdminToken(), System.getenv("POSTROOM_ADMIN_TOKEN")), System.out);
    }

    /** The console's live views hear Postroom's changes. */
    @Bean
    MessageListener postroomConsoleListener(PostroomConsole console) {
        return console.listener();
    }

    /** Serves once the application starts. */
    @Bean
    PostroomConfigurer postroomConsoleStart(PostroomConsole console) {
        return console::start;
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create postroom.sqlite.data-dir " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String firstNonBlank(String configured, String environment) {
        return configured != null && !configured.isBlank() ? configured : environment;
    }
}
