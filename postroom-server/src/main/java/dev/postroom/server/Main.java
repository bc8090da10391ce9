package dev.postroom.server;

import dev.postroom.server.cli.CliCommands;
import dev.postroom.server.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code postroom} command line. */
@Command(name = "postroom", mixinStandardHelpOptions = true, version = "postroom 0.1.0",
        description = "Durable asynchronous messaging for admin tools.",
        subcommands = {ServerCommand.class, DemoCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(CliCommands.addTo(new CommandLine(new Main())).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
