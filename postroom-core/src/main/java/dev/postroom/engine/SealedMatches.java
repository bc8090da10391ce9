package dev.postroom.engine;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.postroom.ErasureFilter;
import dev.postroom.Message;
import dev.postroom.MessagePage;
import dev.postroom.MessageQuery;
import dev.postroom.MessageSummary;
import dev.postroom.store.StoredQueue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The messages with encrypted payloads, live or archived, that an erasure's payload condition
 * matches: the store's SQL cannot see inside a sealed payload, so these are opened and matched
 * here, a page at a time. The other conditions (ordering key, headers) are plain and compared as
 * the stores compare them; a payload value as text.
 */
public final class SealedMatches {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE = 500;

    private SealedMatches() {
    }

    /** Up to {@code limit} ids, oldest queue pages last; none when the filter has no payload condition or no key is configured. */
    public static List<String> ids(EngineContext engine, ErasureFilter filter, int limit) {
        List<String> ids = new ArrayList<>();
        if (filter.payloadPointer() == null || !engine.sealing().hasKeys()) {
            return ids;
        }
        JsonPointer pointer = JsonPointer.compile(filter.payloadPointer());
        // Every queue, not only those encrypted now: one may have been encrypted before.
        for (StoredQueue queue : engine.catalog().all()) {
            MessageQuery first = MessageQuery.builder().queue(queue.name()).orderingKey(filter.orderingKey()).limit(PAGE).build();
            scan(first, engine.store()::browse, engine.store()::get, engine, filter, pointer, ids, limit);
            scan(first, engine.store().archive()::browse, engine.store().archive()::get, engine, filter, pointer, ids, limit);
            if (ids.size() >= limit) {
                break;
            }
        }
        return ids;
    }

    private static void scan(MessageQuery first, Function<MessageQuery, MessagePage> browse, Function<String, Optional<Message>> get,
                             EngineContext engine, ErasureFilter filter, JsonPointer pointer, List<String> ids, int limit) {
        MessageQuery query = first;
        while (query != null && ids.size() < limit) {
            MessagePage page = browse.apply(query);
            for (MessageSummary summary : page.messages()) {
                if (Sealing.isSealed(summary.payloadPreview())
                        && get.apply(summary.id()).filter(m -> matches(engine, m, filter, pointer)).isPresent()) {
                    ids.add(summary.id());
                    if (ids.size() >= limit) {
                        return;
                    }
                }
            }
            query = page.next() == null ? null : query.withAfter(page.next());
        }
    }

    private static boolean matches(EngineContext engine, Message message, ErasureFilter filter, JsonPointer pointer) {
        for (Map.Entry<String, String> header : filter.headers().entrySet()) {
            if (!header.getValue().equals(message.headers().get(header.getKey()))) {
                return false;
            }
        }
        try {
            JsonNode found = JSON.readTree(engine.sealing().open(message.payloadJson())).at(pointer);
            return found.isValueNode() && found.asText().equals(filter.payloadValue());
        } catch (IOException e) {
            return false;
        }
    }
}
