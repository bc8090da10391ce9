package dev.postroom.chaos;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the load saw: which sends were acknowledged (201 with an id), which went unanswered
 * or were refused, every delivery and how it was settled, and what went wrong while recovering
 * from a fault. {@link #verdict} turns it into the campaign's result. Safe for many threads.
 */
final class Ledger {
    private final FaultWindow window;
    private final AtomicLong sequence = new AtomicLong();
    /** Payload key → id, for sends answered 201. */
    private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
    /** Payload keys of sends not answered 201: may or may not have been stored. */
    private final Set<String> unacknowledged = ConcurrentHashMap.newKeySet();
    private final Map<String, List<Delivery>> deliveries = new ConcurrentHashMap<>();
    /**
     * Messages whose ack went unanswered (the node died) yet which the server shows SUCCEEDED: the
     * ack was committed before the kill, so the message is done and rightly never comes back.
     */
    private final Set<String> succeededOnServer = ConcurrentHashMap.newKeySet();
    /** Recovery that did not happen by itself, leases that did not come back, kills that were no SIGKILL. */
    private final List<String> failures = new CopyOnWriteArrayList<>();

    Ledger(FaultWindow window) {
        this.window = window;
    }

    FaultWindow window() {
        return window;
    }

    void acknowledged(String key, String id) {
        acknowledged.put(key, id);
    }

    void unacknowledged(String key) {
        unacknowledged.add(key);
    }

    /** A message a receive returned; {@code receivedAt} is the moment the receive was made. */
    Delivery delivered(String id, String key, String node, FaultWindow.Mark receivedAt) {
        Delivery delivery = new Delivery(sequence.incrementAndGet(), id, key, node, receivedAt);
        deliveries.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(delivery);
        return delivery;
    }

    void failure(String what) {
        failures.add(what);
    }

    int acknowledgedSends() {
        return acknowledged.size();
    }

    int deliveryCount() {
        return deliveries.values().stream().mapToInt(List::size).sum();
    }

    /** True once every acknowledged send has been delivered and acked with a 200. */
    boolean everyAcknowledgedSendAcked() {
        return acknowledged.values().stream().allMatch(this::acked);
    }

    private boolean acked(String id) {
        List<Delivery> of = deliveries.get(id);
        return of != null && (succeededOnServer.contains(id) || of.stream().anyMatch(d -> d.outcome() == Delivery.Outcome.ACKED));
    }

    /** Unfinished messages whose last delivery's ack failed: the ack may have been committed all the same. */
    List<String> ackedMaybe() {
        return unfinished().entrySet().stream()
                .filter(e -> e.getValue().getLast().outcome() == Delivery.Outcome.ACK_FAILED).map(Map.Entry::getKey).toList();
    }

    /** The server shows {@code id} SUCCEEDED, though its ack went unanswered. */
    void succeededOnServer(String id) {
        succeededOnServer.add(id);
    }

    /** True once each of {@code held} was delivered again, after being held, through a node other than {@code except}. */
    boolean cameBack(Collection<Delivery> held, String except) {
        return held.stream().allMatch(h -> deliveries.get(h.id).stream()
                .anyMatch(d -> d.sequence > h.sequence && !d.node.equals(except)));
    }

    private int held() {
        return (int) deliveries.values().stream().flatMap(List::stream).filter(d -> d.outcome() == Delivery.Outcome.HELD).count();
    }

    /** Acknowledged sends never delivered (ids), for the report's detail. */
    List<String> lostIds() {
        return acknowledged.values().stream().filter(id -> !deliveries.containsKey(id)).sorted().toList();
    }

    /** Acknowledged sends delivered but never acked with a 200, each with its deliveries, for the report's detail. */
    Map<String, List<Delivery>> unfinished() {
        Map<String, List<Delivery>> unfinished = new java.util.TreeMap<>();
        for (String id : acknowledged.values()) {
            List<Delivery> of = deliveries.get(id);
            if (of != null && !acked(id)) {
                unfinished.put(id, of);
            }
        }
        return unfinished;
    }

    /**
     * The result. A message delivered more than once is explained when every delivery but its last
     * ended without a confirmed ack: nacked (a retry), held on purpose across a fault, or an ack or
     * nack that failed while a fault began or was in progress. A delivery after an ack answered 200,
     * or after an ack that failed with no fault about, is unexplained and fails the campaign.
     */
    Verdict verdict(int faults, int sigkills) {
        int lost = lostIds().size();
        int unfinished = 0;
        int redeliveredAfterNack = 0;
        int duplicatesFromFaults = 0;
        int deliveredUnacknowledged = 0;
        List<String> unexplained = new ArrayList<>();
        Map<String, String> idOfKey = Map.copyOf(acknowledged);
        for (Map.Entry<String, List<Delivery>> entry : deliveries.entrySet()) {
            String id = entry.getKey();
            List<Delivery> of = entry.getValue().stream().sorted(Comparator.comparingLong(d -> d.sequence)).toList();
            String key = of.getFirst().key;
            if (key != null && id.equals(idOfKey.get(key))) {
                if (!acked(id)) {
                    unfinished++;
                }
            } else if (key != null && unacknowledged.contains(key) && !idOfKey.containsKey(key)) {
                deliveredUnacknowledged++;
            } else {
                unexplained.add(id + ": a message no send accounts for (payload key " + key + ")");
            }
            for (int i = 0; i + 1 < of.size(); i++) {
                Delivery before = of.get(i);
                switch (before.outcome()) {
                    case NACKED -> redeliveredAfterNack++;
                    case HELD -> duplicatesFromFaults++;
                    case ACK_FAILED, NACK_FAILED -> {
                        if (before.duringFault()) {
                            duplicatesFromFaults++;
                        } else {
                            unexplained.add(id + ": delivered again after " + before + ", which failed with no fault about");
                        }
                    }
                    case ACKED -> unexplained.add(id + ": delivered again after an ack answered 200 (" + before + ")");
                    case PENDING -> unexplained.add(id + ": delivered again while " + before + " was still being settled");
                }
            }
        }
        return new Verdict(acknowledged.size(), succeededOnServer.size(), unacknowledged.size(), deliveries.size(), deliveryCount(),
                redeliveredAfterNack, held(), duplicatesFromFaults, deliveredUnacknowledged, lost, unfinished,
                List.copyOf(unexplained), List.copyOf(failures), faults, sigkills);
    }
}
