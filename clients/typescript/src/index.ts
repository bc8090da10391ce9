/**
 * `@postroom/client`: a typed client of the Postroom HTTP API.
 *
 * - {@link PostroomClient}: every call, typed from the server's OpenAPI document; errors are
 *   {@link PostroomProblem}s.
 * - {@link Worker}: handles a queue's messages with leases kept alive, acks and nacks.
 * - `client.request()`: send and wait for the result (request-reply).
 * - `client.events()`: live events as an async iterator.
 */
export { PostroomClient, type Abortable, type BatchSendOptions, type PostroomClientOptions } from "./client.js";
export { PostroomProblem } from "./problem.js";
export { GiveUp, RetryLater } from "./failure.js";
export { RequestFailed, RequestTimeout, type RequestOptions } from "./request.js";
export { Worker, type Handler, type HandlerContext, type WorkerError, type WorkerOptions } from "./worker.js";
export type { EventsOptions, PostroomEvent, PostroomMessageEvent, PostroomQueueEvent } from "./events.js";
export type * from "./types.js";
