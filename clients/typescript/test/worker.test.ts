import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { GiveUp, PostroomClient, PostroomProblem, RetryLater, Worker } from "../src/index.js";
import type { WorkerError } from "../src/index.js";
import { TIMEOUT, connect, deferred, eventually, freshQueue, type Connection } from "./fixture.js";

describe("Worker", () => {
    let connection: Connection;
    let client: PostroomClient;
    before(async () => {
        connection = await connect();
        client = connection.client;
    });
    after(() => connection.close());

    /** Worker options for tests: short polls, no signal handlers, errors collected. */
    function options(errors: WorkerError[] = []) {
        return { waitSeconds: 1, handleSignals: false, onError: (error: WorkerError) => errors.push(error) };
    }

    test("runs up to `concurrency` handlers at once and acks each with its result", TIMEOUT, async () => {
        const queue = await freshQueue(client, "concurrency");
        const sent = await client.sendBatch(queue, [1, 2, 3, 4, 5, 6].map((n) => ({ payload: n })));
        let running = 0;
        let most = 0;
        const threeRunning = deferred();
        const errors: WorkerError[] = [];
        const worker = new Worker<number, number>(client, queue, async (message) => {
            running++;
            most = Math.max(most, running);
            if (running === 3) {
                threeRunning.resolve();
            }
            await threeRunning.promise; // the first handlers wait until three run side by side
            running--;
            return message.payload * 10;
        }, { ...options(errors), concurrency: 3 });
        const runs = worker.run();
        await eventually("six messages succeeded", async () => ((await client.getQueue(queue)).counts.succeeded === 6 ? true : undefined));
        await worker.stop();
        await runs;
        assert.equal(most, 3);
        assert.deepEqual(errors, []);
        const results = await Promise.all(sent.map(async (s) => (await client.getMessage(s.id)).result));
        assert.deepEqual(results, [10, 20, 30, 40, 50, 60]);
    });

    test("stop() stops polling and resolves only after the running handler has finished and acked", TIMEOUT, async () => {
        const queue = await freshQueue(client, "stop");
        const sent = await client.send(queue, "long job");
        const started = deferred();
        const release = deferred();
        const worker = new Worker(client, queue, async () => {
            started.resolve();
            await release.promise;
            return "finished";
        }, { ...options(), concurrency: 2 });
        const runs = worker.run();
        await started.promise;

        let stopped = false;
        const stopping = worker.stop().then(() => (stopped = true));
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.equal(stopped, false, "stop() resolved while a handler was still running");
        assert.equal(worker.active, 1);

        release.resolve();
        await stopping;
        await runs;
        const message = await client.getMessage(sent.id);
        assert.equal(message.state, "SUCCEEDED");
        assert.equal(message.result, "finished");

        const later = await client.send(queue, "after stop");
        assert.equal((await client.getMessage(later.id)).state, "READY");
    });

    test("SIGTERM stops the worker gracefully: the running handler finishes first", TIMEOUT, async () => {
        const queue = await freshQueue(client, "sigterm");
        const sent = await client.send(queue, "job");
        const started = deferred();
        const release = deferred();
        const worker = new Worker(client, queue, async () => {
            started.resolve();
            await release.promise;
            return "done";
        }, { waitSeconds: 1, handleSignals: true });
        const runs = worker.run();
        await started.promise;
        process.kill(process.pid, "SIGTERM");
        await eventually("the worker to see the signal", async () => (worker.stopped ? true : undefined));
        release.resolve();
        await runs;
        assert.equal((await client.getMessage(sent.id)).state, "SUCCEEDED");
        assert.equal(process.listenerCount("SIGTERM"), 0, "the worker left its signal handler behind");
    });

    test("extends the lease while a handler runs past it, so the message is not handed out again", TIMEOUT, async () => {
        const queue = await freshQueue(client, "lease", { leaseSeconds: 1 });
        const sent = await client.send(queue, "slow");
        let calls = 0;
        const errors: WorkerError[] = [];
        const worker = new Worker(client, queue, async (message) => {
            calls++;
            const firstExpiry = Date.parse(message.leaseExpiresAt);
            // Run until well past the lease the message came with (three lease lengths): without
            // extensions it would expire and this worker, polling with a free slot, would get it again.
            await eventually("the first lease to be long past", async () => (Date.now() > firstExpiry + 3000 ? true : undefined));
            const shown = await client.getMessage(message.id);
            assert.ok(Date.parse(shown.leaseExpiresAt ?? "") > firstExpiry, "the lease was never extended");
            return "done";
        }, { ...options(errors), concurrency: 2 });
        const runs = worker.run();
        const final = await client.getMessage(sent.id, { waitSeconds: 30 });
        await worker.stop();
        await runs;
        assert.equal(final.state, "SUCCEEDED");
        assert.equal(final.attempt, 1);
        assert.equal(calls, 1);
        assert.deepEqual(errors, []);
    });

    test("nacks with the thrown error's message and stack; RetryLater picks the delay", TIMEOUT, async () => {
        const queue = await freshQueue(client, "errors", { maxAttempts: 5, backoff: { initialSeconds: 0.05, maxSeconds: 0.1 } });
        const sent = await client.send(queue, "flaky");
        const worker = new Worker(client, queue, (message) => {
            if (message.attempt === 1) {
                throw new RetryLater(0, "partner busy");
            }
            if (message.attempt === 2) {
                throw new TypeError("boom");
            }
            return "third time lucky";
        }, options());
        const runs = worker.run();
        const final = await client.getMessage(sent.id, { waitSeconds: 30 });
        await worker.stop();
        await runs;
        assert.equal(final.state, "SUCCEEDED");
        assert.equal(final.result, "third time lucky");
        assert.deepEqual(final.errors.map((e) => e.message), ["partner busy", "boom"]);
        assert.match(final.errors[1]?.detail ?? "", /^TypeError: boom\n\s+at /);
    });

    test("GiveUp sends the message to DEAD after one attempt", TIMEOUT, async () => {
        const queue = await freshQueue(client, "giveup", { maxAttempts: 5 });
        const sent = await client.send(queue, { order: "o-404" });
        const worker = new Worker<{ order: string }>(client, queue, (message) => {
            throw new GiveUp(`order ${message.payload.order} does not exist`);
        }, options());
        const runs = worker.run();
        const final = await client.getMessage(sent.id, { waitSeconds: 30 });
        await worker.stop();
        await runs;
        assert.equal(final.state, "DEAD");
        assert.equal(final.attempt, 1);
        assert.equal(final.errors[0]?.message, "order o-404 does not exist");
    });

    test("ctx.progress reports progress the message shows while its handler runs", TIMEOUT, async () => {
        const queue = await freshQueue(client, "progress");
        const sent = await client.send(queue, "export");
        const release = deferred();
        const worker = new Worker(client, queue, async (_message, ctx) => {
            await ctx.progress(40, "rows 400 of 1000");
            await release.promise;
        }, options());
        const runs = worker.run();
        const progress = await eventually("progress to show", async () => {
            const shown = await client.getMessage(sent.id);
            return shown.progress?.percent === 40 ? shown.progress : undefined;
        });
        release.resolve();
        await worker.stop();
        await runs;
        assert.deepEqual(progress, { percent: 40, note: "rows 400 of 1000" });
        assert.equal((await client.getMessage(sent.id)).state, "SUCCEEDED");
    });

    test("run() rejects with the problem when the queue does not exist", TIMEOUT, async () => {
        const worker = new Worker(client, "no-such-queue-for-worker", () => undefined, options());
        await assert.rejects(worker.run(), (e: unknown) => e instanceof PostroomProblem && e.status === 404);
    });

    test("options out of range are refused at construction", TIMEOUT, () => {
        assert.throws(() => new Worker(client, "q", () => undefined, { concurrency: 0 }), RangeError);
        assert.throws(() => new Worker(client, "q", () => undefined, { waitSeconds: 21 }), RangeError);
    });
});
