import type { NackError, NackOptions } from "./types.js";

/**
 * Thrown by a {@link Worker} handler to fail this attempt and retry after a delay it chooses
 * instead of the queue's backoff: a partner answered "429, retry in 30 seconds". The attempt still
 * counts, so a message that never succeeds still ends DEAD after the queue's `maxAttempts`.
 * The counterpart of Java's `RetryLaterException`.
 *
 * ```ts
 * throw new RetryLater(30, "payment provider rate limited us");
 * ```
 */
export class RetryLater extends Error {
    /** Seconds to wait before the next attempt; 0 retries at once. */
    readonly retryAfterSeconds: number;

    /**
     * @param retryAfterSeconds seconds before the next attempt (fractions allowed); 0 retries at once
     * @param message the error recorded with the attempt
     * @throws RangeError when `retryAfterSeconds` is negative or not a finite number
     */
    constructor(retryAfterSeconds: number, message: string, options?: { cause?: unknown }) {
        super(message, options);
        if (!Number.isFinite(retryAfterSeconds) || retryAfterSeconds < 0) {
            throw new RangeError(`retryAfterSeconds must be a number ≥ 0, was ${retryAfterSeconds}`);
        }
        this.name = "RetryLater";
        this.retryAfterSeconds = retryAfterSeconds;
    }
}

/**
 * Thrown by a {@link Worker} handler to give up on a message now: it goes to DEAD after this
 * attempt, whatever attempts its queue still allows, with this error recorded. For failures no
 * retry can fix (the order no longer exists, the input is invalid); an operator can still redrive
 * it once the cause is fixed. The counterpart of Java's `GiveUpException`.
 *
 * ```ts
 * if (!order) throw new GiveUp(`order ${id} does not exist`);
 * ```
 */
export class GiveUp extends Error {
    constructor(message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = "GiveUp";
    }
}

/** The server's limits on a nack's error (longer is 422), from the OpenAPI document. */
const MAX_MESSAGE_CHARS = 2000;
const MAX_DETAIL_CHARS = 65536;

/**
 * What a nack records for a thrown value: the message (the error's name when it has none) and
 * its stack as the detail, cut to the server's limits.
 */
export function nackErrorOf(thrown: unknown): NackError {
    if (thrown instanceof Error) {
        const message = thrown.message.trim() === "" ? thrown.name || "Error" : thrown.message;
        const detail = thrown.stack ?? undefined;
        return detail === undefined ? { message: cut(message, MAX_MESSAGE_CHARS) } : { message: cut(message, MAX_MESSAGE_CHARS), detail: cut(detail, MAX_DETAIL_CHARS) };
    }
    if (typeof thrown === "object" && thrown !== null && typeof (thrown as { message?: unknown }).message === "string") {
        const { message, detail } = thrown as { message: string; detail?: unknown };
        const cutMessage = cut(message.trim() === "" ? "error" : message, MAX_MESSAGE_CHARS);
        return typeof detail === "string" ? { message: cutMessage, detail: cut(detail, MAX_DETAIL_CHARS) } : { message: cutMessage };
    }
    const text = String(thrown);
    return { message: cut(text.trim() === "" ? "error" : text, MAX_MESSAGE_CHARS) };
}

/** How a handler's error settles the attempt: retry after a chosen delay, give up, or the backoff. */
export function nackOptionsOf(thrown: unknown): NackOptions {
    if (thrown instanceof GiveUp) {
        return { deadLetter: true };
    }
    if (thrown instanceof RetryLater) {
        return { retryAfterSeconds: thrown.retryAfterSeconds };
    }
    return {};
}

function cut(text: string, max: number): string {
    return text.length <= max ? text : text.slice(0, max - 1) + "…";
}
