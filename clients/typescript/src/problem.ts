import type { FieldError } from "./types.js";

/**
 * An error answer from the server, as RFC 9457 `application/problem+json`: every call of
 * {@link PostroomClient} rejects with one when the server says no, never with a raw response.
 * `status` tells the kind (401 bad token, 403 missing scope, 404 unknown queue or message, 409
 * stale lease or forbidden transition, 413 over a limit, 422 invalid field); `errors` names the
 * fields at fault.
 *
 * ```ts
 * try {
 *     await client.send("refunds", payload, { priority: 12 });
 * } catch (e) {
 *     if (e instanceof PostroomProblem && e.status === 422) console.log(e.errors); // [{field: "priority", ...}]
 * }
 * ```
 *
 * A network failure (server down, connection reset) is not a problem: it rejects with the error
 * `fetch` threw.
 */
export class PostroomProblem extends Error {
    /** A URI naming the kind of problem, e.g. `https://postroom.dev/problems/404`. */
    readonly type: string;
    /** A short summary of the kind, e.g. `Queue not found`. */
    readonly title: string;
    /** The HTTP status code. */
    readonly status: number;
    /** What went wrong this time, e.g. `queue not found: refunds`. */
    readonly detail: string;
    /** The fields at fault, for validation errors; empty otherwise. */
    readonly errors: readonly FieldError[];

    /** Builds a problem from its fields; the error message is `status title: detail`. */
    constructor(problem: { type: string; title: string; status: number; detail: string; errors?: readonly FieldError[] }) {
        super(`${problem.status} ${problem.title}: ${problem.detail}`);
        this.name = "PostroomProblem";
        this.type = problem.type;
        this.title = problem.title;
        this.status = problem.status;
        this.detail = problem.detail;
        this.errors = problem.errors ?? [];
    }

    /** The first error about `field` (e.g. `priority`, `messages[2].payload`), if any. */
    fieldError(field: string): FieldError | undefined {
        return this.errors.find((error) => error.field === field);
    }

    /**
     * The problem an error response carries. A body that is not a problem (a proxy's HTML page,
     * say) still gives one, with the status and the start of the body as its detail.
     */
    static fromResponse(response: Response, body: unknown): PostroomProblem {
        if (isProblemBody(body)) {
            return new PostroomProblem({
                type: body.type,
                title: body.title,
                status: body.status,
                detail: typeof body.detail === "string" ? body.detail : body.title,
                errors: Array.isArray(body.errors) ? body.errors.filter(isFieldError) : [],
            });
        }
        const text = typeof body === "string" ? body.trim() : "";
        return new PostroomProblem({
            type: "about:blank",
            title: response.statusText || `HTTP ${response.status}`,
            status: response.status,
            detail: text === "" ? `${response.status} from ${response.url}` : text.slice(0, 500),
        });
    }
}

type ProblemBody = { type: string; title: string; status: number; detail?: unknown; errors?: unknown };

function isProblemBody(body: unknown): body is ProblemBody {
    if (typeof body !== "object" || body === null) {
        return false;
    }
    const candidate = body as Record<string, unknown>;
    return typeof candidate.type === "string" && typeof candidate.title === "string" && typeof candidate.status === "number";
}

function isFieldError(value: unknown): value is FieldError {
    if (typeof value !== "object" || value === null) {
        return false;
    }
    const candidate = value as Record<string, unknown>;
    return typeof candidate.field === "string" && typeof candidate.message === "string";
}
