package dev.postroom;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code postroom-bom} pins every module an application may depend on (all but the benchmarks, the
 * BOM itself and the modules that are never published, {@code maven.deploy.skip}: the examples,
 * the distribution's tests), and nothing else: a module added to the build and forgotten in the BOM would
 * leave applications to guess its version.
 */
class BomListsEveryLibraryTest {
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

    @Test
    void theBomPinsEveryLibraryModuleAndOnlyThose() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> libraries = new ArrayList<>();
        Matcher modules = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        while (modules.find()) {
            String module = modules.group(1);
            boolean published = !Files.readString(root.resolve(module).resolve("pom.xml")).contains("<maven.deploy.skip>true</maven.deploy.skip>");
            if (!module.equals("postroom-bom") && !module.equals("postroom-bench") && published) {
                libraries.add(module);
            }
        }
        String bom = Files.readString(root.resolve("postroom-bom/pom.xml"));
        String managed = bom.substring(bom.indexOf("<dependencyManagement>"));
        List<String> pinned = new ArrayList<>();
        Matcher artifacts = ARTIFACT.matcher(managed);
        while (artifacts.find()) {
            pinned.add(artifacts.group(1));
        }

        assertThat(libraries).as("library modules of the build").contains("postroom-core", "postroom-server");
        assertThat(pinned).containsExactlyInAnyOrderElementsOf(libraries);
        assertThat(bom).as("the BOM has no parent, so it brings no other versions").doesNotContain("<parent>");
    }
}
