package dev.postroom.server;

import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Default values of server options: the environment ({@code --demo-rate} ↔ {@code POSTROOM_DEMO_RATE}),
 * then the properties file named by {@code --config} / {@code POSTROOM_CONFIG} ({@code demo-rate=50}),
 * then built-in defaults. Flags given on the command line override all of these.
 */
public final class Settings implements IDefaultValueProvider {
    private static final Map<String, String> BUILT_IN = Map.of(
            "host", "127.0.0.1",
            "port", "8080",
            "data", "postroom-data",
            "store", "sqlite",
            "db-pool-size", "10",
            "durability", "FULL",
            "demo", "false",
            "demo-rate", "20",
            "shutdown-seconds", "30");

    private final Map<String, String> environment;
    private Properties file;

    public Settings() {
        this(System.getenv());
    }

    Settings(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option)) {
            return null;
        }
        String name = option.longestName().replaceFirst("^--", "");
        if (name.equals("help") || name.equals("version") || name.equals("config")) {
            return name.equals("config") ? environment.get("POSTROOM_CONFIG") : null;
        }
        String fromEnv = environment.get("POSTROOM_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null) {
            return fromEnv;
        }
        String fromFile = file(option).getProperty(name);
        return fromFile != null ? fromFile : BUILT_IN.get(name);
    }

    private Properties file(OptionSpec option) {
        if (file == null) {
            file = new Properties();
            String path = configPath(option);
            if (path != null) {
                try (Reader reader = Files.newBufferedReader(Path.of(path))) {
                    file.load(reader);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read config file " + path, e);
                }
            }
        }
        return file;
    }

    /** The --config flag if given, else POSTROOM_CONFIG. */
    private String configPath(OptionSpec option) {
        OptionSpec config = option.command().findOption("config");
        Object given = config == null ? null : config.getValue();
        if (given != null) {
            return given.toString();
        }
        return environment.get("POSTROOM_CONFIG");
    }
}
