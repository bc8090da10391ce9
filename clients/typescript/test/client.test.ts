import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PostroomClient, PostroomProblem } from "../src/index.js";
import type { PostroomEvent, SendResult } from "../src/index.js";
import { TIMEOUT, connect, freshQueue, type Connection } from "./fixture.js";

describe("PostroomClient", () => {
    let connection: Connection;
    let client: PostroomClient;
    before(async () => {
        connection = await connect();
        client = connection.client;
    });
    after(() => connection.close());

    test("a sent message is received under a lease and acked with a result", TIMEOUT, async () => {
        const queue = await freshQueue(client, "send");
        const sent = await client.send(queue, { order: "o-42", cents: 1999 }, { headers: { kind: "refund" } });
        assert.equal(sent.state, "READY");
        assert.equal(sent.duplicate, false);

        const [message, ...more] = await client.receive<{ order: string; cents: number }>(queue, { waitSeconds: 5 });
        assert.ok(message);
        assert.equal(more.length, 0);
        assert.equal(message.id, sent.id);
        assert.equal(message.payload.order, "o-42");
        assert.equal(message.headers.kind, "refund");
        assert.equal(message.attempt, 1);

        const acked = await client.ack(message, { refunded: true });
        assert.equal(acked.state, "SUCCEEDED");
        const shown = await client.getMessage<{ order: string }, { refunded: boolean }>(sent.id);
        assert.deepEqual(shown.result, { refunded: true });
        assert.equal(shown.payload.order, "o-42");
    });

    test("finished messages are counted, then replayed as new messages naming their originals", TIMEOUT, async () => {
        const queue = await freshQueue(client, "ts-replay");
        const { id } = await client.send(queue, { order: "o-9" });
        const [leased] = await client.receive(queue, { waitSeconds: 5 });
        assert.ok(leased);
        await client.ack(leased, { refunded: true });

        const preview = await client.replay({ filter: { queue, state: "SUCCEEDED" }, dryRun: true });
        assert.equal(preview.count, 1);
        assert.deepEqual(preview.sample, [id]);
        const started = await client.replay({ filter: { queue, state: "SUCCEEDED" } });
        assert.ok(started.id);
        let replay = started;
        for (let i = 0; i < 100 && replay.state === "RUNNING"; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            replay = await client.getReplay(started.id);
        }
        assert.equal(replay.state, "SUCCEEDED");
        assert.equal(replay.replayed, 1);
        const [copy] = await client.receive(queue, { waitSeconds: 5 });
        assert.ok(copy);
        assert.equal(copy.headers?.["postroom-replay-of"], id);
        assert.deepEqual((await client.listArchive({ queue })).messages, []);
        const erasure = await client.erase({ filter: { orderingKey: `nobody-${queue}` }, dryRun: true });
        assert.equal(erasure.count, 0);
    });

    test("a webhook shows its secret once, is listed without it and is deleted", TIMEOUT, async () => {
        const name = `ts-hook-${Date.now()}`;
        const saved = await client.putWebhook(name, { url: "http://127.0.0.1:9/hook", events: ["message.dead", "node.down"], format: "slack" });
        assert.match(saved.secret ?? "", /^whsec_/);
        assert.deepEqual(saved.events, ["message.dead", "node.down"]);

        const listed = (await client.listWebhooks()).find((w) => w.name === name);
        assert.ok(listed);
        assert.equal("secret" in listed, false);
        assert.equal(listed.format, "slack");

        await client.deleteWebhook(name);
        await assert.rejects(client.deleteWebhook(name), (e: unknown) => e instanceof PostroomProblem && e.status === 404);
    });

    test("a workflow releases each step once the one before it was acked, with its result", TIMEOUT, async () => {
        const sessions = await freshQueue(client, "wf-sessions");
        const refunds = await freshQueue(client, "wf-refunds");
        const started = await client.startWorkflow({
            name: "close-account",
            steps: [
                { name: "revoke", queue: sessions, payload: { customer: 7 } },
                { name: "refund", queue: refunds, payload: { customer: 7 }, after: ["revoke"] },
            ],
        });
        assert.equal(started.state, "RUNNING");
        assert.deepEqual(started.steps?.map((s) => s.state), ["READY", "WAITING"]);

        const [revoke] = await client.receive(sessions, { waitSeconds: 5 });
        assert.ok(revoke);
        assert.equal(revoke.workflow?.step, "revoke");
        await client.ack(revoke, { sessions: 3 });
        const [refund] = await client.receive(refunds, { waitSeconds: 10 });
        assert.ok(refund);
        assert.equal(refund.workflow?.id, started.id);
        assert.deepEqual(refund.workflow?.results?.["revoke"], { sessions: 3 });
        await client.ack(refund);

        let workflow = await client.getWorkflow(started.id ?? "");
        for (let i = 0; i < 50 && workflow.state !== "SUCCEEDED"; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            workflow = await client.getWorkflow(started.id ?? "");
        }
        assert.equal(workflow.state, "SUCCEEDED");
        const page = await client.listWorkflows({ name: "close-account", limit: 500 });
        assert.ok(page.workflows?.some((w) => w.id === started.id));
    });

    test("a snoozed message comes back with its attempt not spent", TIMEOUT, async () => {
        const queue = await freshQueue(client, "snooze");
        const sent = await client.send(queue, "later");
        const [first] = await client.receive(queue, { waitSeconds: 5 });
        assert.ok(first);

        const snoozed = await client.snooze(first, 0);

        assert.equal(snoozed.state, "READY");
        assert.equal(snoozed.snoozes, 1);
        const [again] = await client.receive(queue, { waitSeconds: 5 });
        assert.equal(again?.id, sent.id);
        assert.equal(again?.attempt, 1);
    });

    test("a debounced send goes into the pending message and a held unique key is a 409 naming it", TIMEOUT, async () => {
        const queue = await freshQueue(client, "keys");
        const first = await client.send(queue, { edit: 1 }, { debounceKey: "catalogue", debounceSeconds: 60 });
        const second = await client.send(queue, { edit: 2 }, { debounceKey: "catalogue", debounceSeconds: 60 });
        assert.equal(second.id, first.id);
        assert.equal(second.debounced, true);

        const held = await client.send(queue, "export", { uniqueKey: "export-7" });
        await assert.rejects(client.send(queue, "again", { uniqueKey: "export-7" }), (e: unknown) =>
            e instanceof PostroomProblem && e.status === 409 && e.detail.includes(held.id));
    });

    test("a batch is sent in order and its messages are received together", TIMEOUT, async () => {
        const queue = await freshQueue(client, "batch");
        const results = await client.sendBatch(queue, [{ payload: 1 }, { payload: 2, priority: 0 }, { payload: 3 }]);
        assert.equal(results.length, 3);
        const received = await client.receive<number>(queue, { max: 10, waitSeconds: 5 });
        assert.deepEqual(received.map((m) => m.payload).sort(), [1, 2, 3]);
        assert.equal((await client.getQueue(queue)).counts.inFlight, 3);
    });

    test("a nack with retryAfterSeconds makes the message ready again for a second attempt, keeping the error", TIMEOUT, async () => {
        const queue = await freshQueue(client, "nack", { maxAttempts: 3 });
        const sent = await client.send(queue, "work");
        const [first] = await client.receive(queue, { waitSeconds: 5 });
        assert.ok(first);
        const nacked = await client.nack(first, new Error("partner down"), { retryAfterSeconds: 0 });
        assert.notEqual(nacked.state, "DEAD");

        const [second] = await client.receive(queue, { waitSeconds: 10 });
        assert.ok(second);
        assert.equal(second.id, sent.id);
        assert.equal(second.attempt, 2);
        const shown = await client.getMessage(sent.id);
        assert.equal(shown.errors[0]?.message, "partner down");
        assert.match(shown.errors[0]?.detail ?? "", /Error: partner down\n\s+at /);
    });

    test("ackAll and nackAll settle many messages in one call, each entry answered in its place", TIMEOUT, async () => {
        const queue = await freshQueue(client, "batch-settle", { maxAttempts: 1 });
        await client.sendBatch(queue, [{ payload: 1 }, { payload: 2 }, { payload: 3 }]);
        const received = await client.receive<number>(queue, { max: 3, waitSeconds: 5 });
        assert.equal(received.length, 3);
        const [a, b, c] = received as [typeof received[0], typeof received[0], typeof received[0]];

        const acked = await client.ackAll([{ ...a, result: { ok: true } }, { id: b.id, leaseId: "stale" }]);
        const nacked = await client.nackAll([{ ...c, error: new Error("bank offline") }]);

        assert.deepEqual(acked.map((r) => r.status), [200, 409]);
        assert.equal(acked[0]?.state, "SUCCEEDED");
        assert.equal(nacked[0]?.state, "DEAD");
        assert.deepEqual((await client.getMessage(a.id)).result, { ok: true });
        assert.equal((await client.getMessage(b.id)).state, "IN_FLIGHT");
    });

    test("a nack with deadLetter sends the message to DEAD at once, attempts left or not", TIMEOUT, async () => {
        const queue = await freshQueue(client, "dead", { maxAttempts: 5 });
        const sent = await client.send(queue, "doomed");
        const [message] = await client.receive(queue, { waitSeconds: 5 });
        assert.ok(message);
        const nacked = await client.nack(message, "order does not exist", { deadLetter: true });
        assert.equal(nacked.state, "DEAD");
        assert.equal(nacked.attempt, 1);
        assert.equal((await client.getMessage(sent.id)).errors.at(-1)?.message, "order does not exist");
    });

    test("a lease that is not extended expires and the message is handed out again", TIMEOUT, async () => {
        const queue = await freshQueue(client, "expire");
        await client.send(queue, "slow");
        const [first] = await client.receive(queue, { waitSeconds: 5, leaseSeconds: 1 });
        assert.ok(first);
        const [again] = await client.receive(queue, { waitSeconds: 20 });
        assert.equal(again?.id, first.id);
        assert.equal(again?.attempt, 2);
        await assert.rejects(client.ack(first), (e: unknown) => e instanceof PostroomProblem && e.status === 409);
    });

    test("extend moves the lease's expiry later and keeps it current", TIMEOUT, async () => {
        const queue = await freshQueue(client, "extend");
        await client.send(queue, "slow");
        const [message] = await client.receive(queue, { waitSeconds: 5, leaseSeconds: 1 });
        assert.ok(message);
        const extended = await client.extend(message, 60);
        assert.ok(Date.parse(extended.leaseExpiresAt) > Date.parse(message.leaseExpiresAt));
        assert.equal((await client.ack(message)).state, "SUCCEEDED");
    });

    test("getMessage with waitSeconds answers once the message is final", TIMEOUT, async () => {
        const queue = await freshQueue(client, "wait");
        const sent = await client.send(queue, "x");
        const waiting = client.getMessage(sent.id, { waitSeconds: 20 });
        const [message] = await client.receive(queue, { waitSeconds: 5 });
        assert.ok(message);
        await client.ack(message, 42);
        const shown = await waiting;
        assert.equal(shown.state, "SUCCEEDED");
        assert.equal(shown.result, 42);
    });

    test("queues are created, listed, shown, paused and resumed", TIMEOUT, async () => {
        const queue = await freshQueue(client, "queues", { maxAttempts: 7, leaseSeconds: 45 });
        const shown = await client.getQueue(queue);
        assert.equal(shown.policy.maxAttempts, 7);
        assert.equal(shown.policy.leaseSeconds, 45);
        assert.ok((await client.listQueues()).some((q) => q.name === queue));
        assert.equal((await client.pauseQueue(queue)).paused, true);
        assert.equal((await client.resumeQueue(queue)).paused, false);
        await client.deleteQueue(queue);
        await assert.rejects(client.getQueue(queue), (e: unknown) => e instanceof PostroomProblem && e.status === 404);
    });

    test("sending to an unknown queue is a 404 problem naming the queue", TIMEOUT, async () => {
        const error = await client.send("no-such-queue", {}).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof PostroomProblem);
        assert.equal(error.status, 404);
        assert.equal(error.title, "Queue not found");
        assert.match(error.detail, /no-such-queue/);
        assert.match(error.type, /^https?:\/\//);
    });

    test("an invalid field is a 422 problem naming the field", TIMEOUT, async () => {
        const queue = await freshQueue(client, "invalid");
        const error = await client.send(queue, {}, { priority: 12 }).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof PostroomProblem);
        assert.equal(error.status, 422);
        assert.ok(error.fieldError("priority"), JSON.stringify(error.errors));

        const policyError = await client.createQueue(queue, { maxAttempts: 0 }).then(() => undefined, (e: unknown) => e);
        assert.ok(policyError instanceof PostroomProblem);
        assert.deepEqual(policyError.errors.map((e) => e.field), ["maxAttempts"]);
    });

    test("a bad token is a 401 problem", TIMEOUT, async () => {
        const stranger = new PostroomClient({ baseUrl: connection.baseUrl, token: "not-a-token-of-this-server" });
        await assert.rejects(stranger.listQueues(), (e: unknown) => e instanceof PostroomProblem && e.status === 401);
    });

    test("the events iterator yields typed queue and message events", TIMEOUT, async () => {
        const queue = await freshQueue(client, "events");
        const stop = new AbortController();
        let sent: SendResult | undefined;
        let seen: PostroomEvent | undefined;
        // Queue events arrive soon after connecting: after the first, the stream is live, so the
        // message event of a send that follows cannot be missed.
        for await (const event of client.events({ signal: stop.signal })) {
            if (event.type === "queue" && event.queue === queue && sent === undefined) {
                assert.equal(typeof event.counts.ready, "number");
                sent = await client.send(queue, { hello: "events" });
            } else if (event.type === "message" && event.id === sent?.id) {
                seen = event;
                break;
            }
        }
        assert.deepEqual(seen, { type: "message", id: sent?.id, queue, state: "READY" });
    });

    test("the events iterator throws the problem when the token is refused", TIMEOUT, async () => {
        const stranger = new PostroomClient({ baseUrl: connection.baseUrl, token: "not-a-token-of-this-server" });
        await assert.rejects(stranger.events().next(), (e: unknown) => e instanceof PostroomProblem && e.status === 401);
    });
});
