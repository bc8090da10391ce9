package dev.postroom.server.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows password guessing: at most {@link #MAX_FAILURES} failed sign-ins per user name and per
 * client address within {@link #WINDOW}; beyond that, sign-in is refused until the oldest failure
 * leaves the window. Counting by address too means one client cannot spray many user names.
 * An attempt is counted before its password is checked ({@link #attempt}), in one step with the
 * look at the count, so that guesses sent in parallel cannot all pass the look together; a sign-in
 * that succeeds takes its count back.
 */
final class LoginThrottle {
    static final int MAX_FAILURES = 5;
    static final int MAX_FAILURES_PER_ADDRESS = 20;
    static final Duration WINDOW = Duration.ofMinutes(15);
    private static final int MAX_TRACKED = 100_000;

    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

    /**
     * Counts a sign-in attempt before its password is checked: zero when it may go ahead (and now
     * counts as a failure until {@link #succeeded}), otherwise how long until it may.
     */
    synchronized Duration attempt(String username, String address, Instant now) {
        Duration wait = retryAfter(username, address, now);
        if (wait.isZero()) {
            failed(username, address, now);
        }
        return wait;
    }

    /** How long until this user/address may try again; zero when it may now. */
    synchronized Duration retryAfter(String username, String address, Instant now) {
        Duration byUser = wait(userKey(username), MAX_FAILURES, now);
        Duration byAddress = wait(addressKey(address), MAX_FAILURES_PER_ADDRESS, now);
        return byUser.compareTo(byAddress) >= 0 ? byUser : byAddress;
    }

    synchronized void failed(String username, String address, Instant now) {
        if (failures.size() > MAX_TRACKED) {
            failures.clear(); // bounded memory beats perfect memory under a flood of random names
        }
        add(userKey(username), now);
        add(addressKey(address), now);
    }

    /** The attempt {@link #attempt} counted succeeded: the user's failures are forgotten, and the address's count loses it. */
    synchronized void succeeded(String username, String address) {
        failures.remove(userKey(username));
        Deque<Instant> times = failures.get(addressKey(address));
        if (times != null) {
            synchronized (times) {
                times.pollLast();
            }
        }
    }

    private void add(String key, Instant now) {
        Deque<Instant> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            while (times.size() > MAX_FAILURES_PER_ADDRESS) {
                times.removeFirst();
            }
        }
    }

    private Duration wait(String key, int limit, Instant now) {
        Deque<Instant> times = failures.get(key);
        if (times == null) {
            return Duration.ZERO;
        }
        synchronized (times) {
            Instant horizon = now.minus(WINDOW);
            while (!times.isEmpty() && times.peekFirst().isBefore(horizon)) {
                times.removeFirst();
            }
            if (times.size() < limit) {
                return Duration.ZERO;
            }
            // the failure that must leave the window before one more try is allowed
            Instant blocking = times.stream().skip(times.size() - limit).findFirst().orElseThrow();
            return Duration.between(now, blocking.plus(WINDOW));
        }
    }

    private static String userKey(String username) {
        return "u:" + (username == null ? "" : username.toLowerCase(Locale.ROOT));
    }

    private static String addressKey(String address) {
        return "a:" + address;
    }
}
