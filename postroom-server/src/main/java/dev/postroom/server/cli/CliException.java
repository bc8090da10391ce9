package dev.postroom.server.cli;

/**
 * A failure the command line reports to the user as one line on stderr with exit code 1: an error
 * answer from the server ("404 queue not found: emails"), an unreachable server, or input the
 * server never got to see (a payload that is not JSON). The message is that line, without a prefix.
 */
public final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message is the one-line reason shown to the user. */
    public CliException(String reason) {
        super(reason);
    }
}
