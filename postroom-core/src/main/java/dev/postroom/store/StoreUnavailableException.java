package dev.postroom.store;

import dev.postroom.PostroomException;

/** The store cannot be reached or failed to commit; the operation's effect is unknown only if stated. */
public class StoreUnavailableException extends PostroomException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
