import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GiveUp, PostroomClient, RequestFailed, RequestTimeout, Worker } from "../src/index.js";
import { TIMEOUT, connect, freshQueue, type Connection } from "./fixture.js";

describe("request()", () => {
    let connection: Connection;
    let client: PostroomClient;
    let queue: string;
    let worker: Worker<{ a: number; b: number }, { sum: number }>;
    let runs: Promise<void>;
    before(async () => {
        connection = await connect();
        client = connection.client;
        queue = await freshQueue(client, "quotes", { maxAttempts: 3 });
        worker = new Worker<{ a: number; b: number }, { sum: number }>(client, queue, (message) => {
            if (message.payload.a < 0) {
                throw new GiveUp("negative numbers are not for sale");
            }
            return { sum: message.payload.a + message.payload.b };
        }, { waitSeconds: 1, handleSignals: false, concurrency: 2 });
        runs = worker.run();
    });
    after(async () => {
        await worker.stop();
        await runs;
        await connection.close();
    });

    test("resolves with the handler's result", TIMEOUT, async () => {
        const result = await client.request<{ sum: number }>(queue, { a: 2, b: 3 }, { timeoutMs: 60_000 });
        assert.deepEqual(result, { sum: 5 });
    });

    test("rejects with RequestFailed carrying the last error when the message ends DEAD", TIMEOUT, async () => {
        const error = await client.request(queue, { a: -1, b: 0 }, { timeoutMs: 60_000 }).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof RequestFailed, String(error));
        assert.equal(error.state, "DEAD");
        assert.equal(error.lastError?.message, "negative numbers are not for sale");
        assert.equal(error.finalMessage.id, error.messageId);
    });

    test("rejects with RequestTimeout when nobody handles the message in time", TIMEOUT, async () => {
        const idle = await freshQueue(client, "idle");
        const error = await client.request(idle, "anyone?", { timeoutMs: 300 }).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof RequestTimeout, String(error));
        assert.equal(error.state, "READY");
        assert.equal((await client.getMessage(error.messageId)).state, "READY");
    });
});
