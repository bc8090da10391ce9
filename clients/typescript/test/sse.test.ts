import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EventStreamParser } from "../src/sse.js";

describe("EventStreamParser", () => {
    test("a blank line dispatches the event with its name and data", () => {
        const parser = new EventStreamParser();
        assert.deepEqual(parser.push('event: message\ndata: {"id":"1"}\n\n'), [{ event: "message", data: '{"id":"1"}', id: "" }]);
    });

    test("an event split anywhere across chunks comes out whole, once", () => {
        const text = 'event: queue\ndata: {"queue":"q"}\n\nevent: message\ndata: {"id":"2"}\n\n';
        for (let cut = 1; cut < text.length; cut++) {
            const parser = new EventStreamParser();
            const events = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))];
            assert.deepEqual(events.map((e) => e.event), ["queue", "message"], `cut at ${cut}`);
        }
    });

    test("CRLF and CR end lines too, even with CR and LF in different chunks", () => {
        const parser = new EventStreamParser();
        const events = [...parser.push("data: a\r"), ...parser.push("\ndata: b\r\r\n"), ...parser.push("data: c\r\r")];
        assert.deepEqual(events.map((e) => e.data), ["a\nb", "c"]);
    });

    test("data lines join with newlines; comments, unknown fields and events without data are skipped", () => {
        const parser = new EventStreamParser();
        const events = parser.push(": keep-alive\n\nevent: ping\n\nfoo: bar\ndata: one\ndata:two\nid: 7\n\n");
        assert.deepEqual(events, [{ event: "message", data: "one\ntwo", id: "7" }]);
    });

    test("retry sets the reconnection delay", () => {
        const parser = new EventStreamParser();
        parser.push("retry: 2500\n\n");
        assert.equal(parser.retryMillis, 2500);
    });
});
