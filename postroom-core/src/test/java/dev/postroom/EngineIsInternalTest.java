package dev.postroom;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Core's public surface is the API ({@code dev.postroom}) and the store SPI
 * ({@code dev.postroom.store}); the engine may change in any release. So no other module's code,
 * main or test, Java or template, names an engine type: what they need is given by the API.
 */
class EngineIsInternalTest {
    private static final Pattern ENGINE = Pattern.compile("dev\\.postroom\\.engine\\b");

    @Test
    void noOtherModuleNamesTheEngine() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<Path> modules;
        try (Stream<Path> dirs = Files.list(root)) {
            modules = dirs.filter(d -> d.getFileName().toString().startsWith("postroom-") && Files.isDirectory(d.resolve("src")))
                    .filter(d -> !d.getFileName().toString().equals("postroom-core")).toList();
        }
        assertThat(modules).as("modules beside core under %s", root).hasSizeGreaterThanOrEqualTo(5);
        List<String> offenders = new ArrayList<>();
        for (Path module : modules) {
            try (Stream<Path> files = Files.walk(module.resolve("src"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".jte")).toList()) {
                    if (ENGINE.matcher(Files.readString(file)).find()) {
                        offenders.add(root.relativize(file).toString());
                    }
                }
            }
        }
        assertThat(offenders).as("files outside core naming dev.postroom.engine").isEmpty();
    }
}
