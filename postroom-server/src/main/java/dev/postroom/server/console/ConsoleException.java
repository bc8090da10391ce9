package dev.postroom.server.console;

/** A console request that cannot be served; rendered as an HTML error page with this status. */
final class ConsoleException extends RuntimeException {
    private final int status;

    ConsoleException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ConsoleException forbidden(String message) {
        return new ConsoleException(403, message);
    }

    static ConsoleException notFound(String message) {
        return new ConsoleException(404, message);
    }

    static ConsoleException badRequest(String message) {
        return new ConsoleException(400, message);
    }

    /** A form the engine refused: 422 with its message, which names the field. */
    static ConsoleException invalid(dev.postroom.InvalidMessageException e) {
        return new ConsoleException(422, e.getMessage());
    }
}
