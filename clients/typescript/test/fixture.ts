/**
 * What every test file shares: a client of the server `npm test` started (its address and token
 * in POSTROOM_TEST_URL and POSTROOM_TEST_TOKEN), or of one started for this file alone when it
 * runs by itself (`node --test build/test/worker.test.js`); fresh queue names; and waiting for a
 * condition instead of sleeping.
 */
import { randomBytes } from "node:crypto";
import { PostroomClient } from "../src/index.js";
import type { QueuePolicyInput } from "../src/index.js";
import { startServer } from "./server.js";

/**
 * Every test's time limit: generous (a busy 2-core machine), and there so that a handler that
 * never finishes fails its test instead of hanging the run.
 */
export const TIMEOUT = { timeout: 60_000 };

export type Connection = { client: PostroomClient; baseUrl: string; token: string; close(): Promise<void> };

export async function connect(): Promise<Connection> {
    const url = process.env.POSTROOM_TEST_URL;
    const token = process.env.POSTROOM_TEST_TOKEN;
    if (url !== undefined && token !== undefined) {
        return { client: new PostroomClient({ baseUrl: url, token }), baseUrl: url, token, close: async () => undefined };
    }
    const server = await startServer();
    return {
        client: new PostroomClient({ baseUrl: server.baseUrl, token: server.token }),
        baseUrl: server.baseUrl,
        token: server.token,
        close: () => server.stop(),
    };
}

/** Creates a queue with a name no other test uses. */
export async function freshQueue(client: PostroomClient, prefix: string, policy: QueuePolicyInput = {}): Promise<string> {
    const name = `${prefix}-${randomBytes(4).toString("hex")}`;
    await client.createQueue(name, policy);
    return name;
}

/** Polls `check` until it returns a value other than undefined; fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check();
        if (value !== undefined) {
            return value;
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
    let resolve!: (value: T) => void;
    const promise = new Promise<T>((r) => (resolve = r));
    return { promise, resolve };
}
