package dev.postroom.spring;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import java.nio.file.Path;

/** Application contexts with the starter's auto-configuration, as an application would get them. */
final class Contexts {
    private Contexts() {
    }

    /** The starter's auto-configurations, on the embedded store in {@code dataDir}. */
    static ApplicationContextRunner sqlite(Path dataDir) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PostroomAutoConfiguration.class, PostroomHealthAutoConfiguration.class,
                        PostroomMetricsAutoConfiguration.class, PostroomConsoleAutoConfiguration.class))
                .withPropertyValues("postroom.sqlite.data-dir=" + dataDir);
    }
}
