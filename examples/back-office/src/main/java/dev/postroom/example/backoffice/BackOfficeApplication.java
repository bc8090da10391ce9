package dev.postroom.example.backoffice;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * A small admin application whose slow actions go through Postroom: refunding a customer's open
 * orders, exporting orders as CSV, and announcing a change to every customer.
 */
@SpringBootApplication
public class BackOfficeApplication {
    public static void main(String[] args) {
        SpringApplication.run(BackOfficeApplication.class, args);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** SQLite creates files but not directories: the data directory exists before the DataSource opens its file. */
    @Bean
    static BeanFactoryPostProcessor dataDirectory(Environment environment) {
        Path dir = Path.of(environment.getProperty("back-office.data-dir", "./back-office-data"));
        return beanFactory -> {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create back-office.data-dir " + dir.toAbsolutePath(), e);
            }
        };
    }
}
