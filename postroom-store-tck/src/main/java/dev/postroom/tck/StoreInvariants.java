package dev.postroom.tck;

import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.StateCounts;
import dev.postroom.TimelineEntry;
import dev.postroom.store.MessageStore;
import dev.postroom.store.StoredQueue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Structural checks every store must pass at rest, whatever a test did before. Every contract runs
 * them after each test (once its {@code Postroom} is closed, so nothing moves underneath).
 *
 * <p>Checked, for the given ids:
 * <ul>
 *   <li>{@code get(id)} returns the message with exactly that id;</li>
 *   <li>a message is IN_FLIGHT if and only if it has a {@code leaseExpiresAt};</li>
 *   <li>its timeline is non-empty, in time order, and ends in the message's current state (every
 *       transition was recorded, including ones a store makes on its own, such as releasing leases
 *       after a restart);</li>
 *   <li>{@code counts()} has an entry for every queue of {@code queues()} and no other, and the
 *       per-state counts of each queue equal the states {@code get} reports (a message is in exactly
 *       one state, and no message is counted that {@code get} cannot find);</li>
 *   <li>{@code counts(states)} agrees with {@code counts()} on those states and reads 0 for the others;</li>
 *   <li>{@code oldestReady} of each queue is the earliest {@code notBefore} of its messages
 *       {@code get} reports READY, and empty when there are none;</li>
 *   <li>{@code browse} lists exactly the messages {@code get} finds, newest first, once each, in the
 *       queue, state, attempt and batch {@code get} reports; and browsing by each state lists exactly the
 *       messages {@code get} reports in it.</li>
 * </ul>
 * The count check is exact, so {@code ids} must hold every message id the store may hold (ids that
 * no longer exist are fine: deleted and purged messages are simply not counted).
 */
public final class StoreInvariants {
    private StoreInvariants() {
    }

    /**
     * Checks {@code store} against the messages {@code ids}; reports every violation at once.
     *
     * @throws AssertionError listing each violation
     */
    public static void check(MessageStore store, Collection<String> ids) {
        List<String> problems = new ArrayList<>();
        Map<String, long[]> tally = new TreeMap<>();
        Map<String, Message> messages = new TreeMap<>();
        for (String id : new TreeSet<>(ids)) {
            Optional<Message> found = store.get(id);
            if (found.isEmpty()) {
                continue;
            }
            Message message = found.get();
            messages.put(id, message);
            if (!id.equals(message.id())) {
                problems.add("get(" + id + ") returned message " + message.id());
            }
            if (message.state() == MessageState.IN_FLIGHT && message.leaseExpiresAt() == null) {
                problems.add(id + " is IN_FLIGHT without leaseExpiresAt");
            }
            if (message.state() != MessageState.IN_FLIGHT && message.leaseExpiresAt() != null) {
                problems.add(id + " is " + message.state() + " but has leaseExpiresAt " + message.leaseExpiresAt());
            }
            List<TimelineEntry> timeline = message.timeline();
            if (timeline == null || timeline.isEmpty()) {
                problems.add(id + " has an empty timeline");
            } else {
                if (timeline.getLast().state() != message.state()) {
                    problems.add(id + " is " + message.state() + " but its timeline ends in "
                            + timeline.getLast().state() + ": " + timeline);
                }
                for (int i = 1; i < timeline.size(); i++) {
                    if (timeline.get(i).at().isBefore(timeline.get(i - 1).at())) {
                        problems.add(id + " timeline entry " + i + " is earlier than entry " + (i - 1) + ": " + timeline);
                        break;
                    }
                }
            }
            tally.computeIfAbsent(message.queue(), q -> new long[MessageState.values().length])[message.state().ordinal()]++;
        }

        Map<String, StateCounts> counts = store.counts();
        Set<String> queues = store.queues().stream().map(StoredQueue::name).collect(Collectors.toCollection(TreeSet::new));
        if (!new TreeSet<>(counts.keySet()).equals(queues)) {
            problems.add("counts() names queues " + new TreeSet<>(counts.keySet()) + " but queues() are " + queues);
        }

        Set<String> every = new TreeSet<>(counts.keySet());
        every.addAll(tally.keySet());
        for (String queue : every) {
            long[] seen = tally.getOrDefault(queue, new long[MessageState.values().length]);
            StateCounts expected = new StateCounts(seen[MessageState.SCHEDULED.ordinal()], seen[MessageState.READY.ordinal()],
                    seen[MessageState.IN_FLIGHT.ordinal()], seen[MessageState.SUCCEEDED.ordinal()],
                    seen[MessageState.DEAD.ordinal()], seen[MessageState.CANCELLED.ordinal()]);
            StateCounts reported = counts.getOrDefault(queue, StateCounts.EMPTY);
            if (!Objects.equals(reported, expected)) {
                problems.add("counts() of queue " + queue + " is " + reported + " but get() reports " + expected);
            }
        }
        checkPartialCounts(store, counts, problems);
        checkOldestReady(store, every, messages, problems);
        checkBrowse(store, messages, problems);
        if (!problems.isEmpty()) {
            throw new AssertionError("store invariants violated (" + problems.size() + "):\n  - " + String.join("\n  - ", problems));
        }
    }

    /** {@code counts(states)} agrees with {@code counts()} on those states and reads 0 for the others. */
    private static void checkPartialCounts(MessageStore store, Map<String, StateCounts> all, List<String> problems) {
        for (Set<MessageState> states : List.of(
                EnumSet.of(MessageState.SCHEDULED, MessageState.READY, MessageState.IN_FLIGHT, MessageState.DEAD),
                EnumSet.of(MessageState.SUCCEEDED), EnumSet.of(MessageState.CANCELLED), EnumSet.allOf(MessageState.class))) {
            Map<String, StateCounts> expected = new TreeMap<>();
            all.forEach((queue, n) -> expected.put(queue, new StateCounts(
                    states.contains(MessageState.SCHEDULED) ? n.scheduled() : 0, states.contains(MessageState.READY) ? n.ready() : 0,
                    states.contains(MessageState.IN_FLIGHT) ? n.inFlight() : 0, states.contains(MessageState.SUCCEEDED) ? n.succeeded() : 0,
                    states.contains(MessageState.DEAD) ? n.dead() : 0, states.contains(MessageState.CANCELLED) ? n.cancelled() : 0)));
            Map<String, StateCounts> reported = new TreeMap<>(store.counts(states));
            if (!reported.equals(expected)) {
                problems.add("counts(" + states + ") is " + reported + " but counts() says " + expected);
            }
        }
    }

    private static void checkOldestReady(MessageStore store, Set<String> queues, Map<String, Message> messages,
                                         List<String> problems) {
        for (String queue : queues) {
            Optional<Instant> expected = messages.values().stream()
                    .filter(m -> m.queue().equals(queue) && m.state() == MessageState.READY)
                    .map(Message::notBefore).min(Comparator.naturalOrder());
            Optional<Instant> reported = store.oldestReady(queue);
            if (!reported.equals(expected)) {
                problems.add("oldestReady(" + queue + ") is " + reported + " but the READY messages get() reports say " + expected);
            }
        }
    }

    private static void checkBrowse(MessageStore store, Map<String, Message> messages, List<String> problems) {
        List<MessageSummary> listed = browseAll(store, null, messages.size(), problems);
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < listed.size(); i++) {
            MessageSummary summary = listed.get(i);
            if (!seen.add(summary.id())) {
                problems.add("browse lists " + summary.id() + " twice");
            }
            if (i > 0 && listed.get(i - 1).id().compareTo(summary.id()) <= 0) {
                problems.add("browse lists " + summary.id() + " after " + listed.get(i - 1).id() + ": not newest first");
            }
            Message message = messages.get(summary.id());
            if (message == null) {
                problems.add("browse lists " + summary.id() + ", which get does not find");
            } else if (message.state() != summary.state() || message.attempt() != summary.attempt()
                    || !message.queue().equals(summary.queue())) {
                problems.add("browse lists " + summary.id() + " as " + summary.queue() + "/" + summary.state() + "/attempt "
                        + summary.attempt() + " but get reports " + message.queue() + "/" + message.state() + "/attempt "
                        + message.attempt());
            } else if (!Objects.equals(message.batchId(), summary.batchId())) {
                problems.add("browse lists " + summary.id() + " in batch " + summary.batchId() + " but get reports batch "
                        + message.batchId());
            }
        }
        Set<String> missing = new TreeSet<>(messages.keySet());
        missing.removeAll(seen);
        if (!missing.isEmpty()) {
            problems.add("browse does not list " + missing + ", which get finds");
        }
        for (MessageState state : MessageState.values()) {
            Set<String> expected = messages.values().stream().filter(m -> m.state() == state).map(Message::id)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<String> byState = browseAll(store, state, messages.size(), problems).stream().map(MessageSummary::id)
                    .collect(Collectors.toCollection(TreeSet::new));
            if (!byState.equals(expected)) {
                problems.add("browse by state " + state + " lists " + byState + " but get reports " + expected);
            }
        }
    }

    private static List<MessageSummary> browseAll(MessageStore store, MessageState state, int expected, List<String> problems) {
        MessageQuery query = MessageQuery.builder().state(state).limit(MessageQuery.MAX_LIMIT).build();
        List<MessageSummary> listed = new ArrayList<>();
        MessagePage page = store.browse(query);
        // A store may cut pages short, but never to nothing forever: at least 1,000 rows a page.
        for (int pages = 1; ; pages++) {
            listed.addAll(page.messages());
            if (page.next() == null) {
                return listed;
            }
            if (pages > expected / 1000 + expected / MessageQuery.MAX_LIMIT + 10) {
                problems.add("browse by state " + state + " did not end after " + pages + " pages");
                return listed;
            }
            page = store.browse(query.withAfter(page.next()));
        }
    }
}
