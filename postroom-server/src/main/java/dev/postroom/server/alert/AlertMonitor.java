package dev.postroom.server.alert;

import dev.postroom.AttemptError;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.NodeStatus;
import dev.postroom.Postroom;
import dev.postroom.QueueInfo;
import dev.postroom.QueueNotFoundException;
import dev.postroom.TimelineEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Looks for alert conditions, one pass at a time on the {@link Alerts} thread, and queues one
 * delivery per alert and webhook. It only reads what the engine already keeps (queue counts, the
 * age of the oldest READY message, node heartbeats, dead messages), so the paths that cause an
 * alert never wait for it.
 *
 * <p><b>Deaths</b> come from two sources: the ids this node's {@link DeadLetterFeed} heard, and, for
 * every queue whose DEAD count changed since the last pass, its newest {@value #DEAD_SCAN_MESSAGES}
 * dead messages that reached DEAD after the watermark (which catches deaths no listener hears:
 * expired TTLs, leases that ran out on the last attempt, deaths on other nodes). Each death is
 * queued with the idempotency key {@code dead:<webhook>:<id>:<when it died>}, so the two sources,
 * overlapping passes and several nodes all give one delivery.
 *
 * <p><b>Conditions</b> ({@code queue.stale}, {@code queue.unconsumed}, {@code node.down}) alert once
 * when they start: the node whose {@link WebhookStore#startEpisode} writes the mark raises it, with
 * the idempotency key {@code episode:<webhook>:<event>:<subject>:<started at>}. The mark and the
 * delivery are two commits, so while an episode holds (for its first {@value #REPAIR_MINUTES}
 * minutes) every pass queues its alert again under the same key: a delivery lost between the two
 * commits (a crash, the store away) is queued by the next pass, and one that was queued is not
 * repeated. The mark ends only when a pass sees the condition cleared (not merely "not yet
 * reached", which another node, started later, may see for a while; a node is back only once its
 * heartbeat is younger than half the dead threshold), and the condition alerts again only after a
 * cool-down of {@value #COOL_DOWN_MINUTES} minutes since then: coming back sooner, it reopens the
 * same episode, so nodes that judge a condition differently do not make it flap.
 *
 * <p>Not thread-safe: one pass at a time.
 */
final class AlertMonitor {
    private static final Logger log = LoggerFactory.getLogger(AlertMonitor.class);
    static final int DEAD_SCAN_MESSAGES = 1000;
    private static final int DEAD_SCAN_PAGE = 200;
    /** Deaths stamped by other nodes' clocks, or while a pass ran, are looked for again: duplicates are dropped by key. */
    private static final Duration MIN_OVERLAP = Duration.ofMinutes(1);
    static final int COOL_DOWN_MINUTES = 10;
    /** How long after an episode ended before the condition alerts again. */
    static final Duration COOL_DOWN = Duration.ofMinutes(COOL_DOWN_MINUTES);
    static final int REPAIR_MINUTES = 60;
    /** How long after it started an ongoing episode's delivery is queued again (idempotently) by every pass. */
    static final Duration REPAIR_WINDOW = Duration.ofMinutes(REPAIR_MINUTES);
    /** Ended marks older than this are deleted: long past their cool-down, they are as good as none. */
    private static final Duration FORGET_ENDED = Duration.ofDays(1);
    /** Half of the 15 s without a heartbeat that make a node DEAD ({@link Postroom#nodes()}): a node is back only within it. */
    static final Duration NODE_BACK_WITHIN = Duration.ofMillis(7_500);

    private final Postroom postroom;
    private final WebhookStore webhooks;
    private final WebhookDeliveries deliveries;
    private final DeadLetterFeed feed;
    private final Duration overlap;
    private final Supplier<List<NodeStatus>> nodeSource;
    private final Map<String, Long> deadCounts = new HashMap<>();
    private final Map<String, Consumption> consumption = new HashMap<>();
    private final List<DeadLetterFeed.Death> carried = new ArrayList<>();
    private Instant deadWatermark;

    AlertMonitor(Postroom postroom, WebhookStore webhooks, WebhookDeliveries deliveries, DeadLetterFeed feed,
                 Duration interval, Duration deadLookback, Supplier<List<NodeStatus>> nodeSource) {
        this.postroom = postroom;
        this.nodeSource = nodeSource;
        this.webhooks = webhooks;
        this.deliveries = deliveries;
        this.feed = feed;
        this.overlap = interval.multipliedBy(2).compareTo(MIN_OVERLAP) > 0 ? interval.multipliedBy(2) : MIN_OVERLAP;
        this.deadWatermark = postroom.clock().instant().minus(deadLookback);
    }

    /** One pass: every condition looked at, every new alert queued. Throws when the store or the auth database fails. */
    void pass() {
        Instant now = postroom.clock().instant();
        List<QueueInfo> queues = postroom.queues();
        observeConsumption(queues, now);
        List<Webhook> all = webhooks.list();
        // Drained only once the reads above passed: a pass that throws before here leaves them to the next one.
        List<DeadLetterFeed.Death> heard = new ArrayList<>(carried);
        carried.clear();
        if (feed != null) {
            heard.addAll(feed.drain());
            long overflowed = feed.overflowed();
            if (overflowed > 0) {
                log.warn("alert feed full deaths={} capacity={}: left to the scan of each queue's newest dead messages", overflowed, DeadLetterFeed.CAPACITY);
            }
        }
        if (all.isEmpty()) {
            queues.forEach(q -> deadCounts.put(q.name(), q.counts().dead()));
            deadWatermark = now.minus(overlap);
            return;
        }
        try {
            raiseDeaths(all, queues, heard, now);
        } catch (RuntimeException e) {
            carried.addAll(heard.subList(0, Math.min(heard.size(), DeadLetterFeed.CAPACITY)));
            throw e;
        }
        raiseConditions(all, queues, now);
    }

    // ---------------------------------------------------------------- message.dead

    private void raiseDeaths(List<Webhook> all, List<QueueInfo> queues, List<DeadLetterFeed.Death> heard, Instant now) {
        Set<String> ids = new LinkedHashSet<>();
        for (DeadLetterFeed.Death death : heard) {
            if (wantedByAny(all, AlertEvent.MESSAGE_DEAD, death.queue())) {
                ids.add(death.id());
            }
        }
        Map<String, Long> counts = new HashMap<>();
        for (QueueInfo queue : queues) {
            long dead = queue.counts().dead();
            counts.put(queue.name(), dead);
            if (dead > 0 && !Objects.equals(deadCounts.get(queue.name()), dead) && !WebhookDeliveries.QUEUE.equals(queue.name())
                    && wantedByAny(all, AlertEvent.MESSAGE_DEAD, queue.name())) {
                ids.addAll(recentlyDead(queue.name()));
            }
        }
        for (String id : ids) {
            Optional<Message> message = postroom.get(id);
            if (message.isEmpty() || message.get().state() != MessageState.DEAD) {
                continue; // deleted or redriven before this pass: an operator already acted
            }
            Message dead = message.get();
            Instant diedAt = diedAt(dead);
            Alert alert = deadAlert(dead, diedAt, now);
            for (Webhook webhook : all) {
                if (webhook.wants(AlertEvent.MESSAGE_DEAD, dead.queue())) {
                    deliveries.enqueue(webhook, alert, "dead:" + webhook.name() + ":" + id + ":" + diedAt.toEpochMilli()).join();
                }
            }
        }
        deadCounts.clear();
        deadCounts.putAll(counts);
        deadWatermark = now.minus(overlap);
    }

    /** Ids of the queue's newest dead messages that died after the watermark. */
    private List<String> recentlyDead(String queue) {
        List<String> ids = new ArrayList<>();
        MessageQuery query = MessageQuery.builder().queue(queue).state(MessageState.DEAD).limit(DEAD_SCAN_PAGE).build();
        try {
            MessagePage page = postroom.browse(query);
            int seen = 0;
            while (true) {
                for (MessageSummary summary : page.messages()) {
                    if (summary.updatedAt() != null && !summary.updatedAt().isBefore(deadWatermark)) {
                        ids.add(summary.id());
                    }
                }
                seen += page.messages().size();
                if (!page.hasNext() || seen >= DEAD_SCAN_MESSAGES) {
                    return ids;
                }
                page = postroom.browse(query.withAfter(page.next()));
            }
        } catch (QueueNotFoundException deleted) {
            return ids;
        }
    }

    private static Instant diedAt(Message message) {
        List<TimelineEntry> timeline = message.timeline();
        for (int i = timeline.size() - 1; i >= 0; i--) {
            if (timeline.get(i).state() == MessageState.DEAD) {
                return timeline.get(i).at();
            }
        }
        return message.enqueuedAt(); // a timeline is never without its DEAD entry; a stable fallback keeps the key stable
    }

    private static Alert deadAlert(Message message, Instant diedAt, Instant now) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("diedAt", diedAt.toString());
        detail.put("attempt", message.attempt());
        detail.put("maxAttempts", message.maxAttempts());
        String error = null;
        if (!message.errors().isEmpty()) {
            AttemptError last = message.errors().getLast();
            error = last.message();
            detail.put("lastError", error);
        }
        String summary = "message " + message.id() + " of queue " + message.queue() + " is DEAD after " + message.attempt()
                + (message.attempt() == 1 ? " attempt" : " attempts") + (error == null ? "" : ": " + oneLine(error));
        return new Alert(AlertEvent.MESSAGE_DEAD, now, message.queue(), message.id(), null, summary, detail);
    }

    // ---------------------------------------------------------------- episodes

    private void raiseConditions(List<Webhook> all, List<QueueInfo> queues, Instant now) {
        Map<String, QueueInfo> byName = new HashMap<>();
        queues.forEach(q -> byName.put(q.name(), q));
        boolean nodesWanted = all.stream().anyMatch(w -> w.events().contains(AlertEvent.NODE_DOWN));
        Map<String, NodeStatus> nodes = new HashMap<>();
        if (nodesWanted) {
            nodeSource.get().forEach(n -> nodes.put(n.name(), n));
        }
        Map<WebhookStore.Episode, Alert> holding = new LinkedHashMap<>();
        for (Webhook webhook : all) {
            for (QueueInfo queue : queues) {
                if (webhook.wants(AlertEvent.QUEUE_STALE, queue.name()) && isStale(queue, webhook, now)) {
                    holding.put(new WebhookStore.Episode(webhook.name(), AlertEvent.QUEUE_STALE, queue.name()), staleAlert(queue, webhook, now));
                }
                Consumption seen = consumption.get(queue.name());
                if (webhook.wants(AlertEvent.QUEUE_UNCONSUMED, queue.name()) && !queue.paused() && queue.counts().ready() > 0
                        && seen != null && seen.idleFor(now).compareTo(webhook.unconsumedAfter()) >= 0) {
                    holding.put(new WebhookStore.Episode(webhook.name(), AlertEvent.QUEUE_UNCONSUMED, queue.name()),
                            unconsumedAlert(queue, seen.idleFor(now), now));
                }
            }
            if (webhook.wants(AlertEvent.NODE_DOWN, null)) {
                for (NodeStatus node : nodes.values()) {
                    if (node.state() == NodeStatus.State.DEAD) {
                        holding.put(new WebhookStore.Episode(webhook.name(), AlertEvent.NODE_DOWN, node.name()), nodeAlert(node, now));
                    }
                }
            }
        }
        Map<WebhookStore.Episode, WebhookStore.Mark> marks = webhooks.marks();
        Map<String, Webhook> webhooksByName = new HashMap<>();
        all.forEach(w -> webhooksByName.put(w.name(), w));
        Duration repairWindow = repairWindow(byName.get(WebhookDeliveries.QUEUE));
        for (var entry : holding.entrySet()) {
            WebhookStore.Episode episode = entry.getKey();
            Webhook webhook = webhooksByName.get(episode.webhook());
            WebhookStore.Mark mark = marks.get(episode);
            if (mark != null && mark.ongoing()) {
                // Told already, unless the delivery was lost after the mark committed: the same key queues it at most once.
                if (mark.startedAt().isAfter(now.minus(repairWindow))) {
                    deliveries.enqueue(webhook, entry.getValue(), episodeKey(episode, mark.startedAt())).join();
                }
            } else if (webhooks.startEpisode(episode, now, COOL_DOWN)) {
                deliveries.enqueue(webhook, entry.getValue(), episodeKey(episode, now)).join();
            }
        }
        boolean forget = false;
        for (WebhookStore.Mark mark : marks.values()) {
            WebhookStore.Episode episode = mark.episode();
            if (mark.ongoing()) {
                if (!holding.containsKey(episode) && cleared(episode, webhooksByName.get(episode.webhook()), byName, nodes, now)) {
                    webhooks.endEpisode(episode, now);
                }
            } else if (mark.endedAt().isBefore(now.minus(FORGET_ENDED))) {
                forget = true;
            }
        }
        if (forget) {
            webhooks.forgetEpisodes(now.minus(FORGET_ENDED));
        }
    }

    /** The idempotency key of an episode's one delivery: the same for every node and pass that queues it. */
    static String episodeKey(WebhookStore.Episode episode, Instant startedAt) {
        // Hashed: a long webhook name and a long queue name would pass the 256-character key limit.
        String what = episode.webhook() + "\0" + episode.event().wireName() + "\0" + episode.subject();
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(what.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "episode:" + java.util.HexFormat.of().formatHex(digest) + ":" + startedAt.toEpochMilli();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * {@link #REPAIR_WINDOW}, or less when the deliveries queue keeps its finished messages for less
     * time (finished or dead): past their retention an idempotency key no longer holds, and a repair would repeat a delivery.
     */
    private static Duration repairWindow(QueueInfo deliveriesQueue) {
        Duration window = REPAIR_WINDOW;
        if (deliveriesQueue != null) {
            for (Duration kept : new Duration[]{deliveriesQueue.policy().retention(), deliveriesQueue.policy().deadRetention()}) {
                if (kept != null && kept.compareTo(window) < 0) {
                    window = kept;
                }
            }
        }
        return window;
    }

    /**
     * Whether a told condition is over. "Not holding" is not enough: a node that started later has
     * not watched a queue long enough to call it unconsumed, yet must not end another node's episode.
     */
    private boolean cleared(WebhookStore.Episode episode, Webhook webhook, Map<String, QueueInfo> queues,
                            Map<String, NodeStatus> nodes, Instant now) {
        if (webhook == null || !webhook.wants(episode.event(), episode.event().aboutQueue() ? episode.subject() : null)) {
            return true;
        }
        return switch (episode.event()) {
            case QUEUE_STALE -> {
                QueueInfo queue = queues.get(episode.subject());
                yield queue == null || !isStale(queue, webhook, now);
            }
            case QUEUE_UNCONSUMED -> {
                QueueInfo queue = queues.get(episode.subject());
                Consumption seen = consumption.get(episode.subject());
                yield queue == null || queue.paused() || queue.counts().ready() == 0 || (seen != null && seen.progressed);
            }
            case NODE_DOWN -> {
                // Back only with a heartbeat well within the threshold: a node beating at its edge, or
                // judged on clocks that disagree, does not end and start episodes by turns.
                NodeStatus node = nodes.get(episode.subject());
                yield node == null || (node.state() == NodeStatus.State.ALIVE && (node.heartbeatAt() == null
                        || Duration.between(node.heartbeatAt(), now).compareTo(NODE_BACK_WITHIN) < 0));
            }
            case MESSAGE_DEAD -> true;
        };
    }

    private static boolean isStale(QueueInfo queue, Webhook webhook, Instant now) {
        return queue.counts().ready() > 0 && queue.oldestReadyAge(now).compareTo(webhook.staleAfter()) >= 0;
    }

    private static Alert staleAlert(QueueInfo queue, Webhook webhook, Instant now) {
        Duration age = queue.oldestReadyAge(now);
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("oldestReadySeconds", age.toSeconds());
        detail.put("staleSeconds", webhook.staleSeconds());
        detail.put("ready", queue.counts().ready());
        detail.put("inFlight", queue.counts().inFlight());
        String summary = "queue " + queue.name() + " has " + queue.counts().ready() + " ready; the oldest has waited "
                + human(age) + " (threshold " + human(webhook.staleAfter()) + ")";
        return new Alert(AlertEvent.QUEUE_STALE, now, queue.name(), null, null, summary, detail);
    }

    private static Alert unconsumedAlert(QueueInfo queue, Duration idle, Instant now) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("ready", queue.counts().ready());
        detail.put("idleSeconds", idle.toSeconds());
        String summary = "queue " + queue.name() + " has " + queue.counts().ready() + " ready and no consumer for " + human(idle);
        return new Alert(AlertEvent.QUEUE_UNCONSUMED, now, queue.name(), null, null, summary, detail);
    }

    private static Alert nodeAlert(NodeStatus node, Instant now) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("host", node.host());
        detail.put("pid", node.pid());
        detail.put("heartbeatAt", node.heartbeatAt() == null ? null : node.heartbeatAt().toString());
        String summary = "node " + node.name() + " (" + node.host() + ", pid " + node.pid() + ") missed its heartbeats"
                + (node.heartbeatAt() == null ? "" : "; last one " + human(Duration.between(node.heartbeatAt(), now)) + " ago");
        return new Alert(AlertEvent.NODE_DOWN, now, null, null, node.name(), summary, detail);
    }

    // ---------------------------------------------------------------- consumption

    /**
     * Whether each queue is being consumed: a pass that sees a message of it in flight, more of them
     * finished (succeeded or dead) than the pass before, fewer READY, or its oldest READY message
     * younger than before, counts as progress (retention purges shrink the finished counts, so those
     * alone would miss consumption). A queue is unconsumed while it has READY messages and no
     * progress since {@link Consumption#idleSince}.
     */
    private void observeConsumption(List<QueueInfo> queues, Instant now) {
        Set<String> present = new HashSet<>();
        for (QueueInfo queue : queues) {
            present.add(queue.name());
            consumption.computeIfAbsent(queue.name(), name -> new Consumption(queue, now)).observe(queue, now);
        }
        consumption.keySet().retainAll(present);
    }

    private static final class Consumption {
        private long finished;
        private long ready;
        private Instant oldestReadyAt;
        private Instant idleSince;
        private boolean progressed;

        Consumption(QueueInfo first, Instant now) {
            this.finished = finishedOf(first);
            this.ready = first.counts().ready();
            this.oldestReadyAt = first.oldestReadyAt();
            this.idleSince = now; // nobody watched before: count from the first look
        }

        void observe(QueueInfo queue, Instant now) {
            long nowFinished = finishedOf(queue);
            long nowReady = queue.counts().ready();
            Instant nowOldest = queue.oldestReadyAt();
            progressed = queue.counts().inFlight() > 0 || nowFinished > finished || nowReady < ready
                    || (oldestReadyAt != null && nowOldest != null && nowOldest.isAfter(oldestReadyAt));
            finished = nowFinished;
            ready = nowReady;
            oldestReadyAt = nowOldest;
            if (progressed || queue.counts().ready() == 0) {
                idleSince = now;
            }
        }

        Duration idleFor(Instant now) {
            return idleSince.isBefore(now) ? Duration.between(idleSince, now) : Duration.ZERO;
        }

        private static long finishedOf(QueueInfo queue) {
            return queue.counts().succeeded() + queue.counts().dead();
        }
    }

    // ---------------------------------------------------------------- text

    private static boolean wantedByAny(List<Webhook> all, AlertEvent event, String queue) {
        return all.stream().anyMatch(w -> w.wants(event, queue));
    }

    static String human(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + "s");
        }
        return seconds / 3600 + "h" + (seconds % 3600 / 60 == 0 ? "" : " " + seconds % 3600 / 60 + "m");
    }

    /** An error's first line, at most 300 characters: a summary is one readable line. */
    private static String oneLine(String text) {
        int newline = text.indexOf('\n');
        String line = newline < 0 ? text : text.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }
}
