package dev.postroom.server;

import dev.postroom.server.backup.RestoreCommand;
import dev.postroom.server.cli.CliCommands;
import dev.postroom.server.demo.DemoCommand;
import dev.postroom.server.logging.LogSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Optional;

/** The {@code postroom} command line. */
@Command(name = "postroom", mixinStandardHelpOptions = true, version = "postroom " + Main.VERSION,
        description = "Durable asynchronous messaging for admin tools.",
        subcommands = {ServerCommand.class, DemoCommand.class, RestoreCommand.class})
public final class Main implements Runnable {
    /** This Postroom's version, as {@code --version} prints it and backups record it. */
    public static final String VERSION = "0.1.0";

    /**
     * The command line's logging configuration, a class-path resource. Not {@code /logback.xml}: an
     * application that embeds the server's jar (its console, say) keeps its own logging.
     */
    public static final String LOG_CONFIGURATION = "dev/postroom/server/logback.xml";

    public static void main(String[] args) {
        // Before the first logger; an operator's -Dlogback.configurationFile, or a test's logback-test.xml, wins.
        if (System.getProperty("logback.configurationFile") == null && Main.class.getResource("/logback-test.xml") == null) {
            // Logback would take a misspelt format for a missing file and print nothing: refuse it here.
            Optional<String> logProblem = LogSettings.problem(System.getenv());
            if (logProblem.isPresent()) {
                System.err.println("postroom: " + logProblem.get());
                System.exit(2);
            }
            System.setProperty("logback.configurationFile", LOG_CONFIGURATION);
        }
        System.exit(CliCommands.addTo(new CommandLine(new Main())).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
