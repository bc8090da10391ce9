/**
 * A real `postroom server` for the tests: the runnable jar the Maven build leaves in
 * `postroom-server/target`, started on 127.0.0.1 and a free port with a throwaway data directory
 * and a known admin token, as the Java tests' `ServerProcess` does. Its output goes to a log file,
 * printed only when something fails.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The repository root, from `clients/typescript/build/test` (compiled) or `clients/typescript/test`. */
const ROOT = resolve(HERE, HERE.includes(`${join("build", "test")}`) ? "../../../.." : "../../..");
const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;
/** Generous: a cold JVM on 2 busy cores. */
const START_TIMEOUT_MS = 120_000;

export type RunningServer = {
    baseUrl: string;
    token: string;
    /** Where its stdout and stderr go. */
    logFile: string;
    /** SIGTERM, waits for it to exit (SIGKILL after 20 s), and deletes its data unless `keepLog`. */
    stop(keepLog?: boolean): Promise<void>;
};

/** The runnable server jar, or an error saying how to build it. */
export function serverJar(): string {
    const target = join(ROOT, "postroom-server", "target");
    const jar = existsSync(target) ? readdirSync(target).find((name) => /^postroom-server-.*-all\.jar$/.test(name)) : undefined;
    if (jar === undefined) {
        throw new Error(`no postroom-server-*-all.jar in ${target}: build the server first (./mvnw -q -B install -DskipTests)`);
    }
    return join(target, jar);
}

function javaCommand(): string {
    const home = process.env.JAVA_HOME;
    return home !== undefined && existsSync(join(home, "bin", "java")) ? join(home, "bin", "java") : "java";
}

/** Starts a server and resolves once it listens. */
export async function startServer(): Promise<RunningServer> {
    const jar = serverJar();
    const dir = mkdtempSync(join(tmpdir(), "postroom-ts-"));
    const logFile = join(dir, "server.log");
    const log = createWriteStream(logFile);
    const token = `ts-client-test-${randomBytes(16).toString("hex")}`;
    const child = spawn(javaCommand(), ["--enable-native-access=ALL-UNNAMED", "-jar", jar, "server", "--port", "0",
        "--data", join(dir, "data"), "--shutdown-seconds", "5"], {
        env: { ...process.env, POSTROOM_ADMIN_TOKEN: token, POSTROOM_ADMIN_PASSWORD: `pw-${randomBytes(12).toString("hex")}` },
        stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr?.pipe(log, { end: false });
    const stop = async (keepLog = false): Promise<void> => {
        await terminate(child);
        log.end();
        if (!keepLog) {
            rmSync(dir, { recursive: true, force: true });
        }
    };
    try {
        const port = await listeningPort(child, (line) => log.write(line + "\n"));
        return { baseUrl: `http://127.0.0.1:${port}`, token, logFile, stop };
    } catch (error) {
        await stop(true);
        throw new Error(`${(error as Error).message}\n---- server log ${logFile}\n${readFileSync(logFile, "utf8")}`);
    }
}

/** Reads stdout (kept apart from stderr so log lines cannot split it) until the server says where it listens. */
function listeningPort(child: ChildProcess, keep: (line: string) => void): Promise<number> {
    return new Promise((resolvePort, reject) => {
        const lines = createInterface({ input: child.stdout! });
        const timer = setTimeout(() => reject(new Error(`the server did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
        lines.on("line", (line) => {
            keep(line);
            const match = LISTENING.exec(line);
            if (match !== null) {
                clearTimeout(timer);
                resolvePort(Number(match[1]));
            }
        });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the server exited with code ${code} before listening`));
        });
        child.once("error", (error) => {
            clearTimeout(timer);
            reject(new Error(`could not start ${javaCommand()}: ${error.message}`));
        });
    });
}

function terminate(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.resolve();
    }
    return new Promise((done) => {
        const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.once("exit", () => {
            clearTimeout(kill);
            done();
        });
        child.kill("SIGTERM");
    });
}
