import type { AttemptError, FinalState, Message, SendOptions } from "./types.js";

/** Options of {@link PostroomClient.request}: the send's options and how long to wait. */
export type RequestOptions = SendOptions & {
    /** How long to wait for a final state after the send, in milliseconds. Default 60000. */
    timeoutMs?: number;
    /** Stops waiting when aborted (the message itself goes on). */
    signal?: AbortSignal;
};

/**
 * A {@link PostroomClient.request} whose message ended DEAD (every attempt failed, or a handler
 * gave up) or CANCELLED, instead of SUCCEEDED.
 */
export class RequestFailed extends Error {
    /** The message's id. */
    readonly messageId: string;
    /** `DEAD` or `CANCELLED`. */
    readonly state: Exclude<FinalState, "SUCCEEDED">;
    /** The last attempt's error (message and detail), if an attempt failed. */
    readonly lastError: AttemptError | undefined;
    /** The message as the server showed it last. */
    readonly finalMessage: Message;

    constructor(message: Message) {
        const state = message.state === "CANCELLED" ? "CANCELLED" : "DEAD";
        const lastError = message.errors.at(-1);
        super(`message ${message.id} ended ${state}${lastError === undefined ? "" : `: ${lastError.message}`}`);
        this.name = "RequestFailed";
        this.messageId = message.id;
        this.state = state;
        this.lastError = lastError;
        this.finalMessage = message;
    }
}

/** A {@link PostroomClient.request} whose message was not final within `timeoutMs`; it goes on. */
export class RequestTimeout extends Error {
    /** The message's id, to look it up later with `getMessage`. */
    readonly messageId: string;
    /** Its state when the wait ended. */
    readonly state: Message["state"];

    constructor(messageId: string, state: Message["state"], timeoutMs: number) {
        super(`message ${messageId} was still ${state} after ${timeoutMs} ms`);
        this.name = "RequestTimeout";
        this.messageId = messageId;
        this.state = state;
    }
}

/** The longest `waitSeconds` the server accepts on `GET /messages/{id}`. */
const MAX_WAIT_SECONDS = 30;

/**
 * Long-polls a message until it is final or `timeoutMs` has passed: resolves with its result
 * when SUCCEEDED, rejects with {@link RequestFailed} when DEAD or CANCELLED, with
 * {@link RequestTimeout} when time is up.
 */
export async function awaitResult<R>(
    getMessage: (id: string, waitSeconds: number, signal: AbortSignal | undefined) => Promise<Message<unknown, R>>,
    id: string,
    timeoutMs: number,
    signal: AbortSignal | undefined,
): Promise<R> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const remainingMs = deadline - Date.now();
        const waitSeconds = Math.max(0, Math.min(MAX_WAIT_SECONDS, Math.round(remainingMs) / 1000));
        const message = await getMessage(id, waitSeconds, signal);
        if (message.state === "SUCCEEDED") {
            return message.result as R; // null when the handler stored no result
        }
        if (message.state === "DEAD" || message.state === "CANCELLED") {
            throw new RequestFailed(message as Message);
        }
        if (Date.now() >= deadline) {
            throw new RequestTimeout(id, message.state, timeoutMs);
        }
    }
}
