// Load driver for Postroom's HTTP API from its own process, with autocannon (one Node thread).
//
//   node http-load.mjs --url http://127.0.0.1:8080 --token TOKEN [--duration 10] [--warmup 5]
//                      [--connections 64] [--backlog 900000] [--server-pid PID] [--only a,b] [--scoped]
//
// The URL and token may also come from POSTROOM_URL and POSTROOM_TOKEN. The token needs `admin`:
// the script creates its queues. Four runs, each after a warm-up of the same requests that is not
// counted: single sends, batch sends of 100, receive (max 100) + one batch ack, receive (max 100) +
// one ack per message. With --server-pid (Linux) it also reads the server's CPU time from /proc
// around each measured run, so every figure comes with the CPU it cost on each side.
// Output: one plain line per run, then `summary: {json}` on the last line.

import autocannon from 'autocannon';
import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
    options: {
        url: { type: 'string', default: process.env.POSTROOM_URL },
        token: { type: 'string', default: process.env.POSTROOM_TOKEN },
        duration: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '5' },
        connections: { type: 'string', default: '64' },
        backlog: { type: 'string', default: '900000' },
        'single-ack-backlog': { type: 'string', default: '150000' },
        'server-pid': { type: 'string' },
        scoped: { type: 'boolean', default: false },
        only: { type: 'string', default: 'singles,batches,batch-acks,single-acks' },
    },
});
if (!args.url || !args.token) {
    console.error('usage: node http-load.mjs --url URL --token TOKEN (or POSTROOM_URL, POSTROOM_TOKEN)');
    process.exit(2);
}
const base = args.url.replace(/\/+$/, '');
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections);
const serverPid = args['server-pid'];
const adminHeaders = { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' };
// The headers of the load itself: the admin token's, or with --scoped those of a token scoped to the
// load's queues (send:load-*, receive:load-*), as an application would hold, whose globs the server matches on every call.
let headers = adminHeaders;

// About 200 bytes of JSON, like the payloads of the Java benchmarks.
const payload = {
    orderId: 'ord-000123456', customer: 'customer-42@example.com', amountCents: 129900, currency: 'EUR',
    reason: 'duplicate charge on the March invoice', requestedBy: 'back-office', items: [3, 14, 15, 92],
};
const singleBody = JSON.stringify({ payload });
const batchBody = JSON.stringify({ messages: Array.from({ length: 100 }, () => ({ payload })) });
const receiveBody = JSON.stringify({ max: 100, waitSeconds: 1 });

const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s

/** CPU seconds so far of the server (all threads, and its SQLite threads), or null without --server-pid. */
function serverCpu() {
    if (!serverPid) return null;
    try {
        const ticks = (stat) => { const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); return Number(f[11]) + Number(f[12]); };
        const all = ticks(readFileSync(`/proc/${serverPid}/stat`, 'utf8'));
        let sqlite = 0;
        for (const task of readdirSync(`/proc/${serverPid}/task`)) {
            // Linux keeps 15 characters of a thread's name: the writer, completer and checkpointer all read "postroom-sqlite".
            const comm = readFileSync(`/proc/${serverPid}/task/${task}/comm`, 'utf8').trim();
            if (comm.startsWith('postroom-sqlite')) sqlite += ticks(readFileSync(`/proc/${serverPid}/task/${task}/stat`, 'utf8'));
        }
        return { all: all / CLOCK_TICKS, sqlite: sqlite / CLOCK_TICKS };
    } catch {
        return null;
    }
}

/** Runs `measure` while recording wall time, this process's CPU and the server's. */
async function withCpu(measure) {
    const serverBefore = serverCpu();
    const nodeBefore = process.cpuUsage();
    const startedAt = new Date().toISOString(); // to pick this run's samples out of a flight recording
    const start = process.hrtime.bigint();
    const result = await measure();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const node = process.cpuUsage(nodeBefore);
    const serverAfter = serverCpu();
    const cpu = { startedAt, endedAt: new Date().toISOString(), seconds: round(seconds, 2), nodeCpuPercent: round((node.user + node.system) / 1e4 / seconds, 0) };
    if (serverBefore && serverAfter) {
        cpu.serverCpuSeconds = serverAfter.all - serverBefore.all;
        cpu.serverCpuPercent = round((serverAfter.all - serverBefore.all) * 100 / seconds, 0);
        cpu.sqliteThreadsCpuPercent = round((serverAfter.sqlite - serverBefore.sqlite) * 100 / seconds, 0);
    }
    return { result, cpu };
}


/**
 * The server's CPU milliseconds per unit of work (send, message): unlike a rate, it hardly depends on
 * what else the machine runs. Replaces the raw CPU seconds in `cpu`.
 */
function perUnit(cpu, units) {
    const { serverCpuSeconds, ...rest } = cpu;
    return serverCpuSeconds === undefined || units === 0 ? rest : { ...rest, serverCpuMsPerUnit: round(serverCpuSeconds * 1000 / units, 3) };
}

function round(value, digits) {
    const scale = 10 ** digits;
    return Math.round(value * scale) / scale;
}

function fire(options) {
    return new Promise((resolve, reject) => {
        // autocannon takes the path of plain runs from the URL; requests of a sequence name their own.
        const instance = autocannon({ connections, headers, ...options, url: base + (options.path ?? '') }, (error, result) => error ? reject(error) : resolve(result));
        instance.on('error', reject);
    });
}

/** Latencies of one request kind in a sequence, in ms, for its percentiles. */
class Latencies {
    values = [];
    add(ms) { this.values.push(ms); }
    percentile(p) {
        if (this.values.length === 0) return null;
        const sorted = Float64Array.from(this.values).sort();
        return round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p / 100) - 1)], 2);
    }
    summary() { return { count: this.values.length, p50: this.percentile(50), p99: this.percentile(99) }; }
}

async function put(path, body) {
    const response = await fetch(base + path, { method: 'PUT', headers: adminHeaders, body: JSON.stringify(body) });
    if (response.status !== 200 && response.status !== 201) {
        throw new Error(`PUT ${path} answered ${response.status}: ${await response.text()}`);
    }
}

async function scopedHeaders() {
    const response = await fetch(`${base}/api/v1/tokens`, {
        method: 'POST', headers: adminHeaders,
        body: JSON.stringify({ name: `http-load-${Date.now()}`, scopes: ['send:load-*', 'receive:load-*'] }),
    });
    if (response.status !== 201) throw new Error(`POST /api/v1/tokens answered ${response.status}: ${await response.text()}`);
    return { ...adminHeaders, authorization: `Bearer ${(await response.json()).token}` };
}

// 64 connections × 100 messages may be in flight at once: the default concurrency (64) would cap that.
async function createQueue(queue) {
    await put(`/api/v1/queues/${queue}`, { concurrency: 10000, leaseSeconds: 300 });
}

function statusSummary(result) {
    const non2xx = result.non2xx ?? 0;
    return { errors: result.errors, timeouts: result.timeouts, non2xx };
}

/** Single sends: one message per POST. */
async function singles() {
    const queue = 'load-singles';
    await createQueue(queue);
    const options = { method: 'POST', path: `/api/v1/queues/${queue}/messages`, body: singleBody };
    await fire({ ...options, duration: warmup });
    const { result, cpu: raw } = await withCpu(() => fire({ ...options, duration }));
    const sends = result.requests.total;
    const cpu = perUnit(raw, sends);
    const figures = {
        requestsPerSecond: round(sends / cpu.seconds, 0), p50: result.latency.p50, p99: result.latency.p99,
        ...statusSummary(result), ...cpu,
    };
    console.log(`single sends: ${fmt(figures.requestsPerSecond)} sends/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, `
        + `non-2xx ${figures.non2xx}, errors ${figures.errors}, ${cpuLine(cpu, 'send')}`);
    return figures;
}

/** Batch sends of 100 messages per POST. */
async function batches() {
    const queue = 'load-batches';
    await createQueue(queue);
    const options = { method: 'POST', path: `/api/v1/queues/${queue}/messages:batch`, body: batchBody };
    await fire({ ...options, duration: warmup });
    const { result, cpu: raw } = await withCpu(() => fire({ ...options, duration }));
    const cpu = perUnit(raw, result['2xx'] * 100);
    const figures = {
        messagesPerSecond: round(result['2xx'] * 100 / cpu.seconds, 0), requestsPerSecond: round(result.requests.total / cpu.seconds, 0),
        p50: result.latency.p50, p99: result.latency.p99, ...statusSummary(result), ...cpu,
    };
    console.log(`batch sends (100 per call): ${fmt(figures.messagesPerSecond)} messages/s (${fmt(figures.requestsPerSecond)} calls/s), `
        + `p50 ${figures.p50} ms, p99 ${figures.p99} ms, non-2xx ${figures.non2xx}, errors ${figures.errors}, ${cpuLine(cpu, 'message')}`);
    return figures;
}

/** Fills `queue` with `count` messages in batches of 100 (autocannon's `amount`), before a drain run. */
async function prepareBacklog(queue, count) {
    await createQueue(queue);
    const calls = Math.ceil(count / 100);
    const result = await fire({
        method: 'POST', path: `/api/v1/queues/${queue}/messages:batch`, body: batchBody,
        amount: calls, connections: Math.min(connections, calls),
    });
    if (result['2xx'] !== calls) {
        throw new Error(`backlog of ${queue}: ${result['2xx']} of ${calls} batch sends succeeded`);
    }
}

/**
 * A drain run: every connection loops receive (max 100), then `acks` for what it received, and
 * counts acked entries as the answers arrive. Each request's latency is taken from its setup
 * (autocannon builds a request just before writing it) to its answer.
 */
function drain(queue, acks, tally) {
    const receive = {
        method: 'POST', path: `/api/v1/queues/${queue}/receive`, body: receiveBody,
        setupRequest: (request, context) => { context.sentAt = performance.now(); return request; },
        onResponse: (status, body, context) => {
            tally.receive.add(performance.now() - context.sentAt);
            if (status !== 200) { tally.failedReceives++; context.messages = []; return; }
            context.messages = JSON.parse(body).messages;
            if (context.messages.length === 0) tally.emptyReceives++;
        },
    };
    return fire({ requests: [receive, ...acks], duration: tally.duration });
}

/** One POST /messages:ack per receive, each of its result entries checked. */
function batchAck(tally) {
    return [{
        method: 'POST', path: '/api/v1/messages:ack',
        // Nothing received: null makes autocannon start the sequence over with a receive.
        setupRequest: (request, context) => {
            if (!context.messages?.length) return null;
            context.sentAt = performance.now();
            return { ...request, body: JSON.stringify({ acks: context.messages.map((m) => ({ id: m.id, leaseId: m.leaseId })) }) };
        },
        onResponse: (status, body, context) => {
            tally.ack.add(performance.now() - context.sentAt);
            if (status !== 200) { tally.failedAcks += context.messages.length; tally.sample(`${status} ${body}`); return; }
            for (const entry of JSON.parse(body).results) {
                if (entry.status === 200) tally.acked++;
                else { tally.failedAcks++; tally.sample(`${entry.status} ${entry.detail ?? ''}`); }
            }
        },
    }];
}

/** One POST /messages/{id}/ack per received message: up to 100 ack steps after each receive. */
function singleAcks(tally) {
    return Array.from({ length: 100 }, (_, i) => ({
        method: 'POST',
        setupRequest: (request, context) => {
            const message = context.messages?.[i];
            if (!message) return null;
            context.sentAt = performance.now();
            return { ...request, path: `/api/v1/messages/${encodeURIComponent(message.id)}/ack`, body: JSON.stringify({ leaseId: message.leaseId }) };
        },
        onResponse: (status, body, context) => {
            tally.ack.add(performance.now() - context.sentAt);
            if (status === 200) tally.acked++;
            else { tally.failedAcks++; tally.sample(`${status} ${body}`); }
        },
    }));
}

function newTally(seconds) {
    return {
        duration: seconds, acked: 0, failedAcks: 0, failedReceives: 0, emptyReceives: 0, samples: [],
        receive: new Latencies(), ack: new Latencies(),
        sample(text) { if (this.samples.length < 5) this.samples.push(text.slice(0, 200)); },
    };
}

async function receiveAndAck(name, queue, backlog, acks) {
    await prepareBacklog(queue, backlog);
    const warm = newTally(warmup);
    await drain(queue, acks(warm), warm);
    const tally = newTally(duration);
    const { result, cpu: raw } = await withCpu(() => drain(queue, acks(tally), tally));
    const cpu = perUnit(raw, tally.acked);
    const figures = {
        messagesPerSecond: round(tally.acked / cpu.seconds, 0), acked: tally.acked, failedAcks: tally.failedAcks,
        failedReceives: tally.failedReceives, emptyReceives: tally.emptyReceives, requests: result.requests.total,
        receive: tally.receive.summary(), ack: tally.ack.summary(), ...statusSummary(result), ...cpu,
        failureSamples: tally.samples,
    };
    console.log(`${name}: ${fmt(figures.messagesPerSecond)} messages acked/s (${fmt(tally.acked)} in ${cpu.seconds} s), `
        + `receive p50 ${figures.receive.p50} ms p99 ${figures.receive.p99} ms, ack p50 ${figures.ack.p50} ms p99 ${figures.ack.p99} ms, `
        + `failed acks ${tally.failedAcks}, failed receives ${tally.failedReceives}, empty receives ${tally.emptyReceives}, `
        + `errors ${figures.errors}, ${cpuLine(cpu, 'message')}`);
    for (const sample of tally.samples) console.log(`  failure: ${sample}`);
    return figures;
}

// Where receive+ack runs out of backlog the rate would drop for want of messages, not speed: the
// drain's empty receives show it, and these warnings name it.
function warnIfDrained(name, figures) {
    if (figures.emptyReceives > 0) console.log(`  warning: ${name} ran out of backlog (${figures.emptyReceives} empty receives); raise --backlog`);
}

function cpuLine(cpu, unit) {
    return cpu.serverCpuPercent === undefined
        ? `node CPU ${cpu.nodeCpuPercent}%`
        : `CPU: server ${cpu.serverCpuPercent}% (SQLite threads ${cpu.sqliteThreadsCpuPercent}%), node ${cpu.nodeCpuPercent}%, `
            + `server ${cpu.serverCpuMsPerUnit} ms CPU per ${unit}`;
}

function fmt(n) {
    return Math.round(n).toLocaleString('en-US');
}

const runs = {
    singles,
    batches,
    'batch-acks': async () => {
        const figures = await receiveAndAck('receive (max 100) + batch ack', 'load-batch-acks', Number(args.backlog), batchAck);
        warnIfDrained('receive + batch ack', figures);
        return figures;
    },
    'single-acks': async () => {
        const figures = await receiveAndAck('receive (max 100) + single acks', 'load-single-acks', Number(args['single-ack-backlog']), singleAcks);
        warnIfDrained('receive + single acks', figures);
        return figures;
    },
};

if (args.scoped) headers = await scopedHeaders();
const summary = { url: base, token: args.scoped ? 'send:load-*, receive:load-*' : 'admin', connections, warmupSeconds: warmup, durationSeconds: duration, node: process.version };
for (const name of args.only.split(',')) {
    if (!runs[name]) {
        console.error(`unknown run ${name}; runs: ${Object.keys(runs).join(', ')}`);
        process.exit(2);
    }
    summary[name] = await runs[name]();
}
console.log(`summary: ${JSON.stringify(summary)}`);
const failed = (summary['batch-acks']?.failedAcks ?? 0) + (summary['single-acks']?.failedAcks ?? 0);
process.exit(failed > 0 ? 1 : 0);
