package dev.postroom.tck;

import dev.postroom.store.MessageStore;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.function.Consumer;

/**
 * A real store with a hook run before each of its calls, for tests that count what the engine asks
 * of a store, or make one call fail as an unavailable database would, without mocking the store:
 * <pre>{@code
 * MessageStore away = InterceptedStore.of(SqliteMessageStore.open(dir), method -> {
 *     if (method.equals("claim")) throw new StoreUnavailableException("database away", null);
 * });
 * }</pre>
 */
public final class InterceptedStore {
    private InterceptedStore() {
    }

    /**
     * {@code store}, with {@code beforeCall} given the name of each method called on it first; what
     * {@code beforeCall} throws, the call throws, and the store is not called.
     */
    public static MessageStore of(MessageStore store, Consumer<String> beforeCall) {
        return (MessageStore) Proxy.newProxyInstance(MessageStore.class.getClassLoader(), new Class<?>[]{MessageStore.class},
                (proxy, method, args) -> {
                    beforeCall.accept(method.getName());
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
