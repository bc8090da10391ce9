// The README's back office, type-checked by `npm test` (tsconfig.test.json) so it cannot rot.
import { GiveUp, PostroomClient, Worker } from "../src/index.js";

const client = new PostroomClient({ baseUrl: "http://127.0.0.1:8080", token: process.env.POSTROOM_TOKEN ?? "" });
await client.createQueue("refunds", { maxAttempts: 3 });
await client.send("refunds", { order: "o-42", cents: 1999 }, { orderingKey: "customer-7" });

type Refund = { order: string; cents: number };
const worker = new Worker<Refund>(client, "refunds", async (message, ctx) => {
    if (message.payload.cents <= 0) throw new GiveUp(`nothing to refund for ${message.payload.order}`);
    await ctx.progress(50, `refunding ${message.payload.order}`);
    return { refunded: message.payload.cents };
}, { concurrency: 4 });
await worker.run(); // until Ctrl-C or SIGTERM: running refunds finish first
