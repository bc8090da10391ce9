import type { PostroomClient } from "./client.js";
import { nackOptionsOf } from "./failure.js";
import { PostroomProblem } from "./problem.js";
import { sleep } from "./sleep.js";
import type { Progress, ReceivedMessage } from "./types.js";

/** What a handler gets besides the message: progress reports and the lease's fate. */
export type HandlerContext = {
    /** Reports progress (percent 0–100, a line of text), shown with the message in the console. */
    progress(percent: number | undefined, note?: string): Promise<Progress>;
    /**
     * Aborted when the worker lost the lease (an extension was refused: the lease had expired and
     * the message went to another consumer, or it was cancelled). The handler should stop: its
     * ack would be refused anyway.
     */
    signal: AbortSignal;
};

/**
 * Handles one message; what it returns is the ack's result. Throwing fails the attempt:
 * {@link RetryLater} picks the retry delay, {@link GiveUp} sends the message to DEAD at once,
 * anything else retries after the queue's backoff. Delivery is at-least-once: a handler must
 * tolerate seeing a message again.
 */
export type Handler<P = unknown, R = unknown> = (message: ReceivedMessage<P>, context: HandlerContext) => R | Promise<R>;

/** What went wrong in a worker, outside a handler's own failure (which becomes a nack). */
export type WorkerError = {
    /** What the worker was doing. */
    phase: "receive" | "extend" | "ack" | "nack";
    /** The message concerned; absent for `receive`. */
    messageId?: string;
    error: unknown;
};

/** Options of a {@link Worker}; every one has a default. */
export type WorkerOptions = {
    /** Handlers run at once, at most. Default 1. */
    concurrency?: number;
    /** How long one receive waits for a message (0–20). Default 10. */
    waitSeconds?: number;
    /** The lease asked for each message, and given again at each extension. Default: the queue's lease. */
    leaseSeconds?: number;
    /** Extends a lease when this fraction of it has passed. Default 0.5. */
    extendAt?: number;
    /** Stop gracefully on SIGTERM and SIGINT. Default true. */
    handleSignals?: boolean;
    /** Pause after a receive failed (server down, say) before polling again. Default 1000. */
    retryDelayMs?: number;
    /** Told of failures to receive, extend, ack or nack. Default: one line on stderr. */
    onError?: (error: WorkerError) => void;
};

/**
 * Runs a handler for the messages of one queue: long-polls `receive`, runs up to `concurrency`
 * handlers at once, extends each lease while its handler runs (at half the lease by default),
 * acks with the handler's result and nacks with its error (message and stack).
 *
 * `run()` resolves once the worker has stopped: after `stop()`, SIGTERM or SIGINT it polls no
 * more, lets running handlers finish and settle their messages, then resolves. A receive still
 * waiting when `stop()` is called is abandoned; a message it may have just leased is handed out
 * again when that lease expires (at-least-once, never lost).
 *
 * ```ts
 * const worker = new Worker(client, "refunds", async (message, ctx) => {
 *     await ctx.progress(50, "calling the bank");
 *     return { refunded: true };
 * }, { concurrency: 4 });
 * await worker.run(); // until SIGTERM
 * ```
 *
 * `run()` rejects when polling cannot go on: the queue does not exist (404), or the token is
 * refused (401, 403). Running handlers still finish first.
 */
export class Worker<P = unknown, R = unknown> {
    private readonly concurrency: number;
    private readonly waitSeconds: number;
    private readonly leaseSeconds: number | undefined;
    private readonly extendAt: number;
    private readonly handleSignals: boolean;
    private readonly retryDelayMs: number;
    private readonly onError: (error: WorkerError) => void;
    private readonly stopping = new AbortController();
    private readonly running = new Set<Promise<void>>();
    private slotFreed: (() => void) | undefined;
    private runs: Promise<void> | undefined;

    /**
     * @throws RangeError when an option is out of range
     */
    constructor(
        private readonly client: PostroomClient,
        /** The queue this worker handles. */
        readonly queue: string,
        private readonly handler: Handler<P, R>,
        options: WorkerOptions = {},
    ) {
        this.concurrency = options.concurrency ?? 1;
        this.waitSeconds = options.waitSeconds ?? 10;
        this.leaseSeconds = options.leaseSeconds;
        this.extendAt = options.extendAt ?? 0.5;
        this.handleSignals = options.handleSignals ?? true;
        this.retryDelayMs = options.retryDelayMs ?? 1000;
        const onError = options.onError ?? logError(queue);
        this.onError = (error) => {
            try {
                onError(error);
            } catch (thrown) {
                // a throwing onError must not end the worker (or, unhandled, the process)
                logError(queue)({ ...error, error: thrown });
            }
        };
        requireRange("concurrency", this.concurrency, 1, 100, true);
        requireRange("waitSeconds", this.waitSeconds, 0, 20, false);
        if (this.leaseSeconds !== undefined) {
            requireRange("leaseSeconds", this.leaseSeconds, 1, 43200, false);
        }
        requireRange("extendAt", this.extendAt, 0.1, 0.9, false);
    }

    /** Handlers running now. */
    get active(): number {
        return this.running.size;
    }

    /** True once `stop()` was called or a signal came. */
    get stopped(): boolean {
        return this.stopping.signal.aborted;
    }

    /**
     * Starts polling; resolves when the worker has stopped and every running handler has settled
     * its message. Calling it again returns the same promise.
     */
    run(): Promise<void> {
        this.runs ??= this.loop();
        return this.runs;
    }

    /**
     * Stops polling, lets running handlers finish, and resolves when they have (with `run()`).
     * A worker never started resolves at once.
     */
    async stop(): Promise<void> {
        this.stopping.abort();
        this.slotFreed?.();
        await (this.runs ?? Promise.resolve()).catch(() => undefined);
    }

    private async loop(): Promise<void> {
        const onSignal = (): void => void this.stop();
        if (this.handleSignals) {
            process.once("SIGTERM", onSignal);
            process.once("SIGINT", onSignal);
        }
        try {
            await this.poll();
        } finally {
            await Promise.allSettled([...this.running]);
            if (this.handleSignals) {
                process.removeListener("SIGTERM", onSignal);
                process.removeListener("SIGINT", onSignal);
            }
        }
    }

    private async poll(): Promise<void> {
        const signal = this.stopping.signal;
        while (!signal.aborted) {
            const free = this.concurrency - this.running.size;
            if (free === 0) {
                await new Promise<void>((resolve) => (this.slotFreed = resolve));
                this.slotFreed = undefined;
                continue;
            }
            let messages: ReceivedMessage<P>[];
            try {
                const leased = this.leaseSeconds === undefined ? {} : { leaseSeconds: this.leaseSeconds };
                messages = await this.client.receive<P>(this.queue, { max: free, waitSeconds: this.waitSeconds, ...leased, signal });
            } catch (error) {
                if (signal.aborted) {
                    return;
                }
                if (error instanceof PostroomProblem && [401, 403, 404].includes(error.status)) {
                    throw error; // polling cannot succeed: a wrong queue or token
                }
                this.onError({ phase: "receive", error });
                await sleep(this.retryDelayMs, signal);
                continue;
            }
            for (const message of messages) {
                const handling = this.handle(message).finally(() => {
                    this.running.delete(handling);
                    this.slotFreed?.();
                });
                this.running.add(handling);
            }
        }
    }

    /** Runs the handler under a lease kept alive, then acks or nacks; never rejects. */
    private async handle(message: ReceivedMessage<P>): Promise<void> {
        const lost = new AbortController();
        const lease = new LeaseKeeper(this.client, message, this.leaseSeconds, this.extendAt, lost, (error) =>
            this.onError({ phase: "extend", messageId: message.id, error }),
        );
        const context: HandlerContext = {
            progress: (percent, note) => this.client.progress(message, { ...(percent === undefined ? {} : { percent }), ...(note === undefined ? {} : { note }) }),
            signal: lost.signal,
        };
        let result: R;
        try {
            result = await this.handler(message, context);
        } catch (error) {
            lease.stop();
            try {
                await this.client.nack(message, error, nackOptionsOf(error));
            } catch (nackError) {
                this.onError({ phase: "nack", messageId: message.id, error: nackError });
            }
            return;
        }
        lease.stop();
        try {
            await this.client.ack(message, result);
        } catch (error) {
            this.onError({ phase: "ack", messageId: message.id, error });
        }
    }
}

/**
 * Extends one message's lease each time `extendAt` of it has passed, until stopped. The lease's
 * length is `leaseSeconds` when the worker asked for one, else what was left of it at receipt
 * (clocks of client and server should agree within a second or so).
 */
class LeaseKeeper {
    private timer: ReturnType<typeof setTimeout> | undefined;
    private stopped = false;
    private readonly leaseSeconds: number;

    constructor(
        private readonly client: PostroomClient,
        private readonly message: ReceivedMessage<unknown>,
        leaseSeconds: number | undefined,
        private readonly extendAt: number,
        private readonly lost: AbortController,
        private readonly onError: (error: unknown) => void,
    ) {
        const left = (Date.parse(message.leaseExpiresAt) - Date.now()) / 1000;
        this.leaseSeconds = leaseSeconds ?? Math.max(1, Math.round(left));
        this.schedule();
    }

    stop(): void {
        this.stopped = true;
        clearTimeout(this.timer);
    }

    private schedule(): void {
        if (!this.stopped) {
            this.timer = setTimeout(() => void this.extend(), this.leaseSeconds * this.extendAt * 1000);
        }
    }

    private async extend(): Promise<void> {
        try {
            await this.client.extend(this.message, this.leaseSeconds);
            this.schedule();
        } catch (error) {
            if (this.stopped) {
                return; // the handler finished meanwhile; its ack or nack tells how it went
            }
            this.onError(error);
            if (error instanceof PostroomProblem && (error.status === 409 || error.status === 404)) {
                this.lost.abort(error); // the lease is gone: no point extending
            } else {
                this.schedule(); // a blip: try again before the lease runs out
            }
        }
    }
}

function requireRange(name: string, value: number, min: number, max: number, whole: boolean): void {
    if (!Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
        throw new RangeError(`${name} must be ${whole ? "a whole number " : ""}${min}–${max}, was ${value}`);
    }
}

function logError(queue: string): (error: WorkerError) => void {
    return ({ phase, messageId, error }) => {
        const reason = error instanceof Error ? error.message : String(error);
        console.error(`postroom worker: ${phase} failed queue=${queue}${messageId === undefined ? "" : ` messageId=${messageId}`} error=${JSON.stringify(reason)}`);
    };
}
