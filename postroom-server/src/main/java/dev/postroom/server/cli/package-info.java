/**
 * The operator's command line ({@code postroom send}, {@code receive}, {@code tail}, {@code stats},
 * {@code queues}, {@code messages}, {@code tokens}, {@code users}, {@code audit}): each command is a thin picocli
 * class that calls a running server through {@link dev.postroom.server.cli.ApiClient} and prints a
 * table, or the server's JSON with {@code --json}. Nothing here touches a store or the engine; the
 * HTTP API is the only way in, so the CLI works against any node. {@link
 * dev.postroom.server.cli.CliCommands} lists the commands for {@code Main} to register.
 */
package dev.postroom.server.cli;
