/**
 * A server-sent events parser (the `text/event-stream` format of the HTML standard), fed text
 * in chunks of any size: lines end in LF, CRLF or CR, `event:` names the event, `data:` lines
 * join with newlines, `id:` and `retry:` are kept, lines starting with `:` are comments, and a
 * blank line dispatches the event. An event with no data is not dispatched.
 */

/** One dispatched event. */
export type ServerSentEvent = {
    /** The `event:` field, `message` when the event had none. */
    event: string;
    /** The `data:` lines joined with `\n`. */
    data: string;
    /** The last `id:` seen on the stream, `""` when none. */
    id: string;
};

export class EventStreamParser {
    private buffer = "";
    private event = "";
    private data: string[] = [];
    private lastEventId = "";
    private pendingCarriageReturn = false;
    /** The last `retry:` field in milliseconds, if the server sent one. */
    retryMillis: number | undefined;

    /** Feeds a chunk of the stream; returns the events it completed, oldest first. */
    push(chunk: string): ServerSentEvent[] {
        let text = chunk;
        if (this.pendingCarriageReturn && text.startsWith("\n")) {
            text = text.slice(1); // the LF of a CRLF split across two chunks
        }
        this.pendingCarriageReturn = false;
        this.buffer += text;
        const events: ServerSentEvent[] = [];
        let start = 0;
        for (let i = 0; i < this.buffer.length; i++) {
            const c = this.buffer[i];
            if (c !== "\n" && c !== "\r") {
                continue;
            }
            const line = this.buffer.slice(start, i);
            if (c === "\r") {
                if (i + 1 === this.buffer.length) {
                    this.pendingCarriageReturn = true;
                } else if (this.buffer[i + 1] === "\n") {
                    i++;
                }
            }
            start = i + 1;
            const event = this.line(line);
            if (event !== undefined) {
                events.push(event);
            }
        }
        this.buffer = this.buffer.slice(start);
        return events;
    }

    private line(line: string): ServerSentEvent | undefined {
        if (line === "") {
            return this.dispatch();
        }
        if (line.startsWith(":")) {
            return undefined;
        }
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) {
            value = value.slice(1);
        }
        switch (field) {
            case "event":
                this.event = value;
                break;
            case "data":
                this.data.push(value);
                break;
            case "id":
                if (!value.includes("\0")) {
                    this.lastEventId = value;
                }
                break;
            case "retry":
                if (/^\d+$/.test(value)) {
                    this.retryMillis = Number(value);
                }
                break;
            default:
                break; // unknown fields are ignored, as the standard says
        }
        return undefined;
    }

    private dispatch(): ServerSentEvent | undefined {
        const event = this.data.length === 0 ? undefined : { event: this.event || "message", data: this.data.join("\n"), id: this.lastEventId };
        this.event = "";
        this.data = [];
        return event;
    }
}
