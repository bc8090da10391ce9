/**
 * `npm test`: starts one real server for every test file, runs them with Node's test runner
 * (`node --test`), stops the server, and exits with the runner's status. The server's log is
 * printed only when a test failed. Extra arguments go to `node --test` (e.g. `--test-name-pattern`).
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "./server.js";

/** Far beyond a normal run (about 10 s): only a hang gets here, and it then fails instead of blocking. */
const RUN_TIMEOUT_MS = 10 * 60_000;

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((name) => name.endsWith(".test.js")).sort().map((name) => join(here, name));
// Node 20.14+ can end a test file whose tests are done but whose handles are still open.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const forceExit = major > 20 || (major === 20 && minor >= 14) ? ["--test-force-exit"] : [];

const server = await startServer();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void server.stop().then(() => process.exit(signal === "SIGINT" ? 130 : 143)));
}
const status = await new Promise<number>((done) => {
    const runner = spawn(process.execPath, ["--test", "--test-reporter=spec", ...forceExit, ...process.argv.slice(2), ...files], {
        env: { ...process.env, POSTROOM_TEST_URL: server.baseUrl, POSTROOM_TEST_TOKEN: server.token },
        stdio: "inherit",
    });
    const watchdog = setTimeout(() => {
        console.error(`npm test: the tests ran longer than ${RUN_TIMEOUT_MS / 60_000} minutes; stopping them`);
        runner.kill("SIGKILL");
    }, RUN_TIMEOUT_MS);
    runner.once("exit", (code, signal) => {
        clearTimeout(watchdog);
        done(code ?? (signal === null ? 1 : 128));
    });
});
await server.stop(status !== 0);
if (status !== 0) {
    const lines = readFileSync(server.logFile, "utf8").trimEnd().split("\n");
    console.error(`---- last ${Math.min(lines.length, 200)} lines of the server's log (${server.logFile})`);
    console.error(lines.slice(-200).join("\n"));
    console.error("---- end of the server's log");
}
process.exit(status);
