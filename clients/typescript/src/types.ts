/**
 * Names for the shapes of the HTTP API, taken from the types that `npm run generate` writes from
 * the server's OpenAPI document (`src/generated/openapi.ts`). Payloads and results are "any JSON
 * value" on the wire; here they are type parameters, `unknown` unless the caller names them.
 * Nothing is checked at run time: a type parameter states what the caller expects to find.
 */
import type { components, operations } from "./generated/openapi.js";

type Schemas = components["schemas"];

/** The generated types, for anything the names below leave out. */
export type { components, operations, paths } from "./generated/openapi.js";

/** `SCHEDULED`, `READY`, `IN_FLIGHT`, `SUCCEEDED`, `DEAD` or `CANCELLED`. */
export type MessageState = Schemas["MessageState"];

/** The states a message does not leave by itself: it succeeded, died or was cancelled. */
export type FinalState = Extract<MessageState, "SUCCEEDED" | "DEAD" | "CANCELLED">;

/** One `{field, message}` entry of a problem's `errors`. */
export type FieldError = Schemas["FieldError"];

/** A queue's policy as sent to `PUT /queues/{queue}`: every field optional. */
export type QueuePolicyInput = Schemas["QueuePolicyInput"];

/** A queue's policy as the server answers it, defaults filled in. */
export type QueuePolicy = Schemas["Policy"];

/** Messages of a queue per state. */
export type Counts = Schemas["Counts"];

/** A queue: its name, whether it is paused, its policy and its counts. */
export type Queue = Schemas["Queue"];

/** Everything a send may carry besides the payload: headers, delay, priority, keys, TTL. */
export type SendOptions = Omit<Schemas["SendRequest"], "payload">;

/** One message of a batch: a payload and its send options. */
export type SendRequest<P = unknown> = SendOptions & { payload: P };

/** What a send answers: the id, the state, and whether an idempotency key made it a repeat. */
export type SendResult = Schemas["SendResult"];

/** Options of one receive: `max` (1–100), `waitSeconds` (0–20) and `leaseSeconds`. */
export type ReceiveOptions = Schemas["ReceiveRequest"];

/** A message handed out by a receive, held under the lease `leaseId` until `leaseExpiresAt`. */
export type ReceivedMessage<P = unknown> = Omit<Schemas["ReceivedMessage"], "payload"> & { payload: P };

/** What acks, nacks, extends and reports progress on a message: its id and the current lease. */
export type Lease = Pick<Schemas["ReceivedMessage"], "id" | "leaseId">;

/** A message as `GET /messages/{id}` shows it: state, payload, result, errors and timeline. */
export type Message<P = unknown, R = unknown> = Omit<Schemas["Message"], "payload" | "result"> & {
    payload: P;
    /** What the ack stored, or null. */
    result: R | null;
};

/** One failed attempt: when, which attempt, its message and detail (a stack trace, say). */
export type AttemptError = Schemas["AttemptError"];

/** One step of a message's timeline. */
export type TimelineEntry = Schemas["TimelineEntry"];

/** A handler's progress: a percentage and a line of text, either may be null. */
export type Progress = Schemas["Progress"];

/** What a progress report carries: `percent` (0–100) and `note`, both optional. */
export type ProgressUpdate = Omit<Schemas["ProgressRequest"], "leaseId">;

/** When an extended lease now expires. */
export type LeaseExpiry = Schemas["LeaseExpiry"];

/** One entry's outcome of `ackAll` or `nackAll`: `status` 200 and the new `state`, or why it was not settled. */
export type SettleResult = Schemas["SettleResults"]["results"][number];

/** One page of `GET /messages`, newest first, with the cursor of the next page. */
export type MessagePage = Schemas["MessagePage"];

/** One row of a message page. */
export type MessageSummary = Schemas["MessageSummary"];

/** Filters and paging of `GET /messages`: queue, state, orderingKey, q, since, until, after, limit. */
export type MessageQuery = NonNullable<operations["browseMessages"]["parameters"]["query"]>;

/** Which dead messages a redrive takes back: error, text, orderingKey, since, until. */
export type RedriveFilter = NonNullable<Schemas["RedriveRequest"]["filter"]>;

/**
 * How a failed attempt goes on: after the queue's backoff (nothing set), after `retryAfterSeconds`,
 * or not at all (`deadLetter: true`: the message is DEAD whatever attempts are left).
 */
export type NackOptions =
    | { retryAfterSeconds?: number; deadLetter?: false }
    | { deadLetter: true; retryAfterSeconds?: never };

/** The error a nack records: a one-line message and an optional detail such as a stack trace. */
export type NackError = { message: string; detail?: string };

/** A workflow to start: steps, each a message to a queue, and the steps each one follows. */
export type WorkflowRequest = Schemas["WorkflowRequest"];

/** One step of a {@link WorkflowRequest}. */
export type WorkflowStepInput = Schemas["WorkflowStepInput"];

/** A workflow and each step's state (`WAITING` until the steps it follows succeeded). */
export type Workflow = Schemas["Workflow"];

/** One step of a {@link Workflow}. */
export type WorkflowStep = Schemas["WorkflowStep"];

/** The answer to a start: the workflow, and whether an earlier start with the same idempotency key stored it. */
export type WorkflowStarted = Schemas["WorkflowStarted"];

/** A page of workflows, newest first. */
export type WorkflowPage = Schemas["WorkflowList"];

/** Filters and paging of {@link PostroomClient.listWorkflows}. */
export type WorkflowQuery = NonNullable<operations["listWorkflows"]["parameters"]["query"]>;

/** What a workflow step's message says of its workflow: its id, the step, and the results of the steps it followed. */
export type StepOf = Schemas["StepOf"];

/** What `replay` sends: which finished messages of a queue to send again, where, and whether only to count them. */
export type ReplayRequest = Schemas["ReplayRequest"];

/** What a dry-run `replay` answers: how many messages match, and the oldest ids. */
export type ReplayPreview = Schemas["ReplayPreview"];

/** A replay's progress. */
export type Replay = Schemas["Replay"];

/** What `erase` sends: the filter (ordering key, headers, a payload field) and whether only to count. */
export type ErasureRequest = Schemas["ErasureRequest"];

/** What a dry-run `erase` answers: how many messages match, and the oldest ids. */
export type ErasurePreview = Schemas["ErasurePreview"];

/** An erasure's progress. */
export type Erasure = Schemas["Erasure"];

/** The encryption key ids (never keys), the encrypted queues and the last re-encryption. */
export type Encryption = Schemas["Encryption"];

/** What `putWebhook` sends: the URL, the events, and optional queue globs, format and thresholds. */
export type WebhookInput = Schemas["WebhookInput"];

/** A registered webhook, without its secret. */
export type Webhook = Schemas["Webhook"];

/** What `putWebhook` answers: the webhook, and its signing secret when this call issued one. */
export type SavedWebhook = Schemas["SavedWebhook"];
