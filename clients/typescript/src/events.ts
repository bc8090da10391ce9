import { PostroomProblem } from "./problem.js";
import { EventStreamParser, type ServerSentEvent } from "./sse.js";
import type { Counts, MessageState } from "./types.js";
import { sleep } from "./sleep.js";

/** A message changed state on the node the stream is connected to. */
export type PostroomMessageEvent = {
    type: "message";
    id: string;
    queue: string;
    state: MessageState;
};

/** A queue's counts, rates and age, sent once a second per queue while they change. */
export type PostroomQueueEvent = {
    type: "queue";
    queue: string;
    counts: Counts;
    paused: boolean;
    /** Events per second, averaged over the last 5 seconds. */
    rates: { sent: number; acked: number; failed: number };
    /** Seconds the oldest READY message nobody holds has waited; 0 when none. */
    oldestReadyAgeSeconds: number;
};

/** An event of `GET /api/v1/events`; `type` tells which. */
export type PostroomEvent = PostroomMessageEvent | PostroomQueueEvent;

/** Options of {@link PostroomClient.events}. */
export type EventsOptions = {
    /** Ends the iteration when aborted (as `break` in the `for await` loop does). */
    signal?: AbortSignal;
    /** Wait before reconnecting after the stream ends or fails, unless the server sent `retry:`. Default 1000. */
    reconnectDelayMs?: number;
};

/**
 * Follows the stream `connect` opens, yielding typed events, and reconnects after a pause when
 * it ends or the connection fails. Events sent while disconnected are missed: the server keeps no
 * backlog. Problems that a retry cannot fix (401, 403, 404, 406) end the iteration by throwing.
 */
export async function* followEvents(
    connect: (signal: AbortSignal) => Promise<ReadableStream<Uint8Array>>,
    options: EventsOptions = {},
): AsyncGenerator<PostroomEvent, void, undefined> {
    const stop = new AbortController();
    const outer = options.signal;
    const abort = (): void => stop.abort();
    outer?.addEventListener("abort", abort, { once: true });
    if (outer?.aborted) {
        stop.abort();
    }
    const parser = new EventStreamParser();
    try {
        while (!stop.signal.aborted) {
            try {
                const body = await connect(stop.signal);
                const reader = body.getReader();
                const decoder = new TextDecoder();
                try {
                    for (;;) {
                        const { done, value } = await reader.read();
                        if (done) {
                            break;
                        }
                        for (const raw of parser.push(decoder.decode(value, { stream: true }))) {
                            const event = typedEvent(raw);
                            if (event !== undefined) {
                                yield event;
                            }
                        }
                    }
                } finally {
                    await reader.cancel().catch(() => undefined); // closes the connection when the caller stops early
                }
            } catch (error) {
                if (stop.signal.aborted) {
                    return;
                }
                if (error instanceof PostroomProblem && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429) {
                    throw error;
                }
                // a dropped connection or a server restarting: reconnect below
            }
            await sleep(parser.retryMillis ?? options.reconnectDelayMs ?? 1000, stop.signal);
        }
    } finally {
        outer?.removeEventListener("abort", abort);
        stop.abort(); // closes the connection when the loop ends early
    }
}

function typedEvent(raw: ServerSentEvent): PostroomEvent | undefined {
    if (raw.event !== "message" && raw.event !== "queue") {
        return undefined; // an event type this client does not know yet
    }
    let data: unknown;
    try {
        data = JSON.parse(raw.data);
    } catch {
        return undefined;
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
        return undefined;
    }
    return raw.event === "message"
        ? ({ ...(data as Omit<PostroomMessageEvent, "type">), type: "message" })
        : ({ ...(data as Omit<PostroomQueueEvent, "type">), type: "queue" });
}
