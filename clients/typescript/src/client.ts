import createClient, { type Client } from "openapi-fetch";
import { followEvents, type EventsOptions, type PostroomEvent } from "./events.js";
import { nackErrorOf } from "./failure.js";
import type { components, paths } from "./generated/openapi.js";
import { PostroomProblem } from "./problem.js";
import { awaitResult, type RequestOptions } from "./request.js";
import type {
    Encryption,
    Erasure,
    ErasurePreview,
    ErasureRequest,
    Lease,
    LeaseExpiry,
    Message,
    MessagePage,
    MessageQuery,
    MessageState,
    NackError,
    NackOptions,
    Progress,
    ProgressUpdate,
    Queue,
    QueuePolicyInput,
    ReceiveOptions,
    ReceivedMessage,
    RedriveFilter,
    Replay,
    ReplayPreview,
    ReplayRequest,
    SendOptions,
    SendRequest,
    SendResult,
    SavedWebhook,
    SettleResult,
    Webhook,
    WebhookInput,
    Workflow,
    WorkflowPage,
    WorkflowQuery,
    WorkflowRequest,
    WorkflowStarted,
} from "./types.js";

/** How to reach a Postroom server. */
export type PostroomClientOptions = {
    /** The server's address, e.g. `http://127.0.0.1:8080` (a trailing `/api/v1` is accepted too). */
    baseUrl: string;
    /** An API token (`Authorization: Bearer`), with the scopes the calls need. */
    token: string;
    /** A `fetch` to use instead of the global one (to add a proxy, tracing, or a test double). */
    fetch?: (request: Request) => Promise<Response>;
    /** Headers added to every request. */
    headers?: Record<string, string>;
};

/** Lets a call be abandoned: an aborted call rejects with the signal's reason. */
export type Abortable = { signal?: AbortSignal };

/** Options of {@link PostroomClient.sendBatch}. */
export type BatchSendOptions = {
    /** Track the messages as one batch, with a message sent when every member has ended. */
    batch?: components["schemas"]["BatchOptions"];
};

type Answer<T> = { data?: T; error?: unknown; response: Response };

/**
 * A typed client of the Postroom HTTP API (`/api/v1`). Every call resolves with the server's
 * answer, typed from the OpenAPI document, or rejects with a {@link PostroomProblem} when the
 * server says no. One client may be shared by any number of concurrent calls.
 *
 * ```ts
 * const client = new PostroomClient({ baseUrl: "http://127.0.0.1:8080", token: process.env.POSTROOM_TOKEN! });
 * await client.createQueue("refunds", { maxAttempts: 3 });
 * const { id } = await client.send("refunds", { order: "o-42", cents: 1999 });
 * ```
 */
export class PostroomClient {
    /**
     * The underlying `openapi-fetch` client, for operations without a method here (tokens, users,
     * schedules, audit). Its calls answer `{data, error, response}` rather than throwing.
     */
    readonly api: Client<paths>;

    constructor(options: PostroomClientOptions) {
        const baseUrl = options.baseUrl.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
        this.api = createClient<paths>({
            baseUrl,
            headers: { ...options.headers, Authorization: `Bearer ${options.token}` },
            ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        });
    }

    // ---- queues

    /** Creates a queue, or updates its policy (fields left out keep their value). Needs `admin`. */
    async createQueue(queue: string, policy: QueuePolicyInput = {}): Promise<Queue> {
        return unwrap(this.api.PUT("/api/v1/queues/{queue}", { params: { path: { queue } }, body: policy }));
    }

    /** A queue with its policy and counts per state; 404 when unknown. */
    async getQueue(queue: string): Promise<Queue> {
        return unwrap(this.api.GET("/api/v1/queues/{queue}", { params: { path: { queue } } }));
    }

    /** Every queue with its policy and counts. */
    async listQueues(): Promise<Queue[]> {
        return (await unwrap(this.api.GET("/api/v1/queues"))).queues;
    }

    /** Deletes a queue; a queue with messages is 409 unless `force`. */
    async deleteQueue(queue: string, options: { force?: boolean } = {}): Promise<void> {
        const query = options.force === undefined ? {} : { force: options.force };
        await unwrap(this.api.DELETE("/api/v1/queues/{queue}", { params: { path: { queue }, query } }));
    }

    /** Stops handing out the queue's messages (sends still go in). */
    async pauseQueue(queue: string): Promise<Queue> {
        return unwrap(this.api.POST("/api/v1/queues/{queue}/pause", { params: { path: { queue } } }));
    }

    /** Hands out the queue's messages again. */
    async resumeQueue(queue: string): Promise<Queue> {
        return unwrap(this.api.POST("/api/v1/queues/{queue}/resume", { params: { path: { queue } } }));
    }

    /** Deletes the queue's messages in `states` (not IN_FLIGHT); resolves with how many. */
    async purgeQueue(queue: string, states: MessageState[]): Promise<number> {
        return (await unwrap(this.api.POST("/api/v1/queues/{queue}/purge", { params: { path: { queue } }, body: { states } }))).purged;
    }

    /** Makes the queue's DEAD messages (those `filter` matches, or all) READY again; resolves with how many. */
    async redrive(queue: string, filter?: RedriveFilter): Promise<number> {
        const body = filter === undefined ? {} : { filter };
        return (await unwrap(this.api.POST("/api/v1/queues/{queue}/redrive", { params: { path: { queue } }, body }))).redriven;
    }

    // ---- sending

    /**
     * Sends one message; resolves once it is durable. 404 when the queue does not exist; an
     * `idempotencyKey` repeat resolves with the first message (`duplicate: true`).
     */
    async send<P>(queue: string, payload: P, options: SendOptions = {}): Promise<SendResult> {
        return unwrap(this.api.POST("/api/v1/queues/{queue}/messages", { params: { path: { queue } }, body: { ...options, payload } }));
    }

    /** Sends up to 1,000 messages at once, all or none; results in the same order. */
    async sendBatch<P>(queue: string, messages: SendRequest<P>[], options: BatchSendOptions = {}): Promise<SendResult[]> {
        const body = { messages, ...(options.batch === undefined ? {} : { batch: options.batch }) };
        return (await unwrap(this.api.POST("/api/v1/queues/{queue}/messages:batch", { params: { path: { queue } }, body }))).results;
    }

    /** Publishes to a topic: a copy goes to every subscription's queue whose filter matches. */
    async publish<P>(topic: string, payload: P, options: SendOptions = {}): Promise<components["schemas"]["PublishResult"]> {
        return unwrap(this.api.POST("/api/v1/topics/{topic}/messages", { params: { path: { topic } }, body: { ...options, payload } }));
    }

    /**
     * Sends a message and waits until it is final: resolves with the handler's result (null when
     * it stored none), rejects with {@link RequestFailed} when it ends DEAD or CANCELLED, with
     * {@link RequestTimeout} after `timeoutMs` (default 60 s; the message goes on). `R` is what the
     * caller expects the result to be; it is not checked.
     */
    async request<R = unknown, P = unknown>(queue: string, payload: P, options: RequestOptions = {}): Promise<R> {
        const { timeoutMs = 60_000, signal, ...sendOptions } = options;
        const sent = await this.send(queue, payload, sendOptions);
        return awaitResult<R>((id, waitSeconds, abort) => this.getMessage<unknown, R>(id, { waitSeconds, signal: abort }), sent.id, timeoutMs, signal);
    }

    // ---- receiving

    /**
     * Leases up to `max` (default 1) ready messages; with `waitSeconds` (0–20), waits for the first
     * one. Resolves with an empty list when none came. Each must then be acked or nacked before its
     * `leaseExpiresAt`, or it is handed out again.
     */
    async receive<P = unknown>(queue: string, options: ReceiveOptions & Abortable = {}): Promise<ReceivedMessage<P>[]> {
        const { signal, ...body } = options;
        const answer = await unwrap(this.api.POST("/api/v1/queues/{queue}/receive", { params: { path: { queue } }, body, signal }));
        return answer.messages as ReceivedMessage<P>[];
    }

    /** Completes a message: SUCCEEDED, with `result` stored for whoever waits on it. 409 when the lease is not current. */
    async ack<R = unknown>(lease: Lease, result?: R): Promise<Message<unknown, R>> {
        const body = result === undefined ? { leaseId: lease.leaseId } : { leaseId: lease.leaseId, result };
        return (await unwrap(this.api.POST("/api/v1/messages/{id}/ack", { params: { path: { id: lease.id } }, body }))) as Message<unknown, R>;
    }

    /**
     * Fails this attempt with `error` (an `Error` records its message and stack; a string its text).
     * The message retries after the queue's backoff, after `retryAfterSeconds`, or, with
     * `deadLetter: true`, goes DEAD at once. 409 when the lease is not current.
     */
    async nack(lease: Lease, error: unknown, options: NackOptions = {}): Promise<Message> {
        const body: { leaseId: string; error: NackError; retryAfterSeconds?: number; deadLetter?: boolean } = { leaseId: lease.leaseId, error: nackErrorOf(error) };
        if (options.deadLetter === true) {
            body.deadLetter = true;
        } else if (options.retryAfterSeconds !== undefined) {
            body.retryAfterSeconds = options.retryAfterSeconds;
        }
        return (await unwrap(this.api.POST("/api/v1/messages/{id}/nack", { params: { path: { id: lease.id } }, body }))) as Message;
    }

    /**
     * Completes many messages in one call (up to 1,000). Each entry settles on its own: the answer
     * has one result per entry, in order, with `status` 200 and the new `state`, or the status the
     * entry would have had alone (403, 404, 409) and a `detail`. A batch that is malformed, too long
     * or holds an invalid entry (a result over the payload limit, say) rejects the promise, and
     * nothing is settled.
     */
    async ackAll(entries: Array<Lease & { result?: unknown }>): Promise<SettleResult[]> {
        const acks = entries.map(({ id, leaseId, result }) => (result === undefined ? { id, leaseId } : { id, leaseId, result }));
        return (await unwrap(this.api.POST("/api/v1/messages:ack", { body: { acks } }))).results;
    }

    /** Fails the current attempts of many messages in one call, each on its own, as {@link ackAll} does for completions. */
    async nackAll(entries: Array<Lease & { error: unknown; retryAfterSeconds?: number }>): Promise<SettleResult[]> {
        const nacks = entries.map(({ id, leaseId, error, retryAfterSeconds }) =>
            retryAfterSeconds === undefined ? { id, leaseId, error: nackErrorOf(error) } : { id, leaseId, error: nackErrorOf(error), retryAfterSeconds });
        return (await unwrap(this.api.POST("/api/v1/messages:nack", { body: { nacks } }))).results;
    }

    /** Extends a lease to `leaseSeconds` from now (a heartbeat); 409 when it is no longer current. */
    async extend(lease: Lease, leaseSeconds: number): Promise<LeaseExpiry> {
        return unwrap(this.api.POST("/api/v1/messages/{id}/extend", { params: { path: { id: lease.id } }, body: { leaseId: lease.leaseId, leaseSeconds } }));
    }

    /**
     * "Not yet": puts a held message back for `seconds` (0: ready at once) without spending its
     * attempt; the snooze is counted, and one past the queue's `maxSnoozes` ends it DEAD. 409 when
     * the lease is not current.
     */
    async snooze(lease: Lease, seconds: number): Promise<Message> {
        return (await unwrap(this.api.POST("/api/v1/messages/{id}/snooze", { params: { path: { id: lease.id } }, body: { leaseId: lease.leaseId, seconds } }))) as Message;
    }

    /** Reports a running handler's progress (percent 0–100 and a note), shown with the message. */
    async progress(lease: Lease, update: ProgressUpdate): Promise<Progress> {
        return unwrap(this.api.POST("/api/v1/messages/{id}/progress", { params: { path: { id: lease.id } }, body: { ...update, leaseId: lease.leaseId } }));
    }

    // ---- messages

    /**
     * A message with its state, result, errors and timeline. With `waitSeconds` (0–30) the server
     * waits until it is final (SUCCEEDED, DEAD or CANCELLED) or the time is up.
     */
    async getMessage<P = unknown, R = unknown>(id: string, options: { waitSeconds?: number } & Abortable = {}): Promise<Message<P, R>> {
        const query = options.waitSeconds === undefined ? {} : { waitSeconds: options.waitSeconds };
        return (await unwrap(this.api.GET("/api/v1/messages/{id}", { params: { path: { id }, query }, signal: options.signal }))) as Message<P, R>;
    }

    /** A page of messages, newest first; pass `next` as `after` for the following page. */
    async listMessages(query: MessageQuery = {}): Promise<MessagePage> {
        return unwrap(this.api.GET("/api/v1/messages", { params: { query } }));
    }

    /** Makes a DEAD or CANCELLED message READY again; 409 in other states. */
    async retry(id: string): Promise<Message> {
        return (await unwrap(this.api.POST("/api/v1/messages/{id}/retry", { params: { path: { id } } }))) as Message;
    }

    /** Cancels a message that has not finished; 409 when it has. */
    async cancel(id: string): Promise<Message> {
        return (await unwrap(this.api.POST("/api/v1/messages/{id}/cancel", { params: { path: { id } } }))) as Message;
    }

    /** Deletes a message in any state. */
    async deleteMessage(id: string): Promise<void> {
        await unwrap(this.api.DELETE("/api/v1/messages/{id}", { params: { path: { id } } }));
    }

    // ---- workflows

    /**
     * Starts a workflow: every step's message is stored at once; a step with `after` waits until
     * those steps succeeded and then receives their results (`workflow.results` on its message).
     * A repeat of an `idempotencyKey` answers the first workflow with `duplicate: true`.
     */
    async startWorkflow(request: WorkflowRequest): Promise<WorkflowStarted> {
        return unwrap(this.api.POST("/api/v1/workflows", { body: request }));
    }

    /** The workflow and each step's state. */
    async getWorkflow(id: string): Promise<Workflow> {
        return unwrap(this.api.GET("/api/v1/workflows/{id}", { params: { path: { id } } }));
    }

    /** A page of workflows, newest first; pass `next` as `after` for the following page. */
    async listWorkflows(query: WorkflowQuery = {}): Promise<WorkflowPage> {
        return unwrap(this.api.GET("/api/v1/workflows", { params: { query } }));
    }

    /** Cancels every unfinished step; nothing more is released. Needs `operate`. */
    async cancelWorkflow(id: string): Promise<Workflow> {
        return unwrap(this.api.POST("/api/v1/workflows/{id}/cancel", { params: { path: { id } } }));
    }

    /** Retries every DEAD step, so that a FAILED workflow runs on. Needs `operate`. */
    async retryWorkflow(id: string): Promise<Workflow> {
        return unwrap(this.api.POST("/api/v1/workflows/{id}/retry", { params: { path: { id } } }));
    }

    // ---- archive, replays, erasures, encryption

    /** A page of archived messages (finished ones kept past retention), newest first, with the filters of `listMessages`. */
    async listArchive(query: MessageQuery = {}): Promise<MessagePage> {
        return unwrap(this.api.GET("/api/v1/archive", { params: { query } }));
    }

    /** An archived message: payload, headers, result and last error. */
    async getArchivedMessage<P = unknown, R = unknown>(id: string): Promise<Message<P, R>> {
        return (await unwrap(this.api.GET("/api/v1/archive/{id}", { params: { path: { id } } }))) as Message<P, R>;
    }

    /**
     * Counts (`dryRun: true`) or starts a replay: finished messages of a queue, live or archived,
     * sent again as new messages with a `postroom-replay-of` header. Needs `operate`.
     */
    async replay(request: ReplayRequest & { dryRun: true }): Promise<ReplayPreview>;
    async replay(request: ReplayRequest): Promise<Replay>;
    async replay(request: ReplayRequest): Promise<ReplayPreview | Replay> {
        return unwrap(this.api.POST("/api/v1/replays", { body: request }));
    }

    /** A replay's progress, from the server that runs it. Needs `operate`. */
    async getReplay(id: string): Promise<Replay> {
        return unwrap(this.api.GET("/api/v1/replays/{id}", { params: { path: { id } } }));
    }

    /**
     * Counts (`dryRun: true`) or starts an erasure of every message, live or archived, matching
     * the filter: "forget customer 7". Needs `admin`.
     */
    async erase(request: ErasureRequest & { dryRun: true }): Promise<ErasurePreview>;
    async erase(request: ErasureRequest): Promise<Erasure>;
    async erase(request: ErasureRequest): Promise<ErasurePreview | Erasure> {
        return unwrap(this.api.POST("/api/v1/erasures", { body: request }));
    }

    /** An erasure's progress, from the server that runs it. Needs `admin`. */
    async getErasure(id: string): Promise<Erasure> {
        return unwrap(this.api.GET("/api/v1/erasures/{id}", { params: { path: { id } } }));
    }

    /** The encryption key ids (never keys), the encrypted queues and the last re-encryption. Needs `admin`. */
    async getEncryption(): Promise<Encryption> {
        return unwrap(this.api.GET("/api/v1/encryption"));
    }

    /** Starts re-encrypting stored messages with the encrypting key; follow it with `getEncryption`. Needs `admin`. */
    async reencrypt(): Promise<Encryption> {
        return unwrap(this.api.POST("/api/v1/encryption/reencrypt"));
    }

    // ---- webhooks

    /**
     * Registers a webhook for alerts (`message.dead`, `queue.stale`, `queue.unconsumed`,
     * `node.down`), or replaces its settings. A new webhook's answer holds its signing `secret`,
     * shown this once; a replaced one keeps its secret (`secret` null) unless `rotateSecret`. Needs `admin`.
     */
    async putWebhook(name: string, webhook: WebhookInput): Promise<SavedWebhook> {
        return unwrap(this.api.PUT("/api/v1/webhooks/{name}", { params: { path: { name } }, body: webhook }));
    }

    /** Every webhook, by name, never with its secret. Needs `admin`. */
    async listWebhooks(): Promise<Webhook[]> {
        return (await unwrap(this.api.GET("/api/v1/webhooks"))).webhooks;
    }

    /** Deletes a webhook; deliveries still queued for it are dropped. 404 when unknown. Needs `admin`. */
    async deleteWebhook(name: string): Promise<void> {
        await unwrap(this.api.DELETE("/api/v1/webhooks/{name}", { params: { path: { name } } }));
    }

    // ---- live events

    /**
     * Follows `GET /api/v1/events`: message state changes and queue counts, as typed events.
     * Reconnects after a pause when the stream drops; events sent meanwhile are missed. Stop with
     * `break` or `options.signal`. Needs `read`.
     *
     * ```ts
     * for await (const event of client.events()) {
     *     if (event.type === "message" && event.state === "DEAD") console.log(`${event.id} died in ${event.queue}`);
     * }
     * ```
     */
    events(options: EventsOptions = {}): AsyncGenerator<PostroomEvent, void, undefined> {
        return followEvents(async (signal) => {
            const body = await unwrap(this.api.GET("/api/v1/events", { parseAs: "stream", headers: { Accept: "text/event-stream" }, signal }));
            if (body === null) {
                throw new Error("the event stream had no body"); // reconnected like a dropped stream
            }
            return body as ReadableStream<Uint8Array>;
        }, options);
    }
}

/** The data of a successful answer; a {@link PostroomProblem} for any other. */
async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
    const { data, error, response } = await pending;
    if (!response.ok || error !== undefined) {
        throw PostroomProblem.fromResponse(response, error);
    }
    return data as T;
}
