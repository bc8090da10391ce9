package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fuzzer's own checks, on answers and requests made up here: each kind of contract breach is
 * seen, and what the contract allows is not reported, so that a quiet fuzzing run means something.
 */
class ContractCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Contract CONTRACT = Contract.load(JSON);
    private static final String QUEUE = """
            {"name":"q","paused":false,"oldestReadyAgeSeconds":0,
             "policy":{"maxAttempts":5,"backoff":{"initialSeconds":1,"maxSeconds":60,"multiplier":2},"leaseSeconds":30,"maxRunSeconds":null,
                       "concurrency":10,"rateLimit":null,"perKey":null,"retentionHours":24,"deadRetentionHours":24},
             "counts":{"scheduled":0,"ready":1,"inFlight":0,"succeeded":0,"dead":0,"cancelled":0}}""";
    private static final String PROBLEM_404 = "{\"type\":\"https://postroom.dev/problems/404\",\"title\":\"Not found\",\"status\":404,\"detail\":\"no\"}";

    private final ResponseCheck check = new ResponseCheck(CONTRACT, JSON);

    private static Operation operation(String method, String path) {
        return CONTRACT.operations().stream().filter(o -> o.method().equals(method) && o.path().equals(path)).findFirst().orElseThrow();
    }

    private static ResponseCheck.Answer answer(int status, String contentType, String body) {
        return new ResponseCheck.Answer(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aDocumentedAnswerWithAValidBodyHasNoProblem() {
        Draft draft = new Draft(operation("GET", "/api/v1/queues/{queue}"));
        assertThat(check.problems(draft, answer(200, "application/json", QUEUE))).isEmpty();
        assertThat(check.problems(draft, answer(404, "application/problem+json; charset=utf-8", PROBLEM_404))).isEmpty();
    }

    @Test
    void everyKindOfBreachIsReported() {
        Draft draft = new Draft(operation("GET", "/api/v1/queues/{queue}"));
        assertThat(check.problems(draft, answer(500, "application/problem+json", PROBLEM_404.replace("404", "500"))))
                .anyMatch(p -> p.startsWith("server error"));
        assertThat(check.problems(draft, answer(409, "application/problem+json", PROBLEM_404.replace("404", "409"))))
                .containsExactly("undocumented status 409");
        assertThat(check.problems(draft, answer(200, "text/html", "<html>")))
                .anyMatch(p -> p.startsWith("content type \"text/html\" not documented"));
        assertThat(check.problems(draft, answer(200, "application/json", QUEUE.replace("\"paused\":false", "\"paused\":\"no\""))))
                .anyMatch(p -> p.startsWith("body does not match #/components/schemas/Queue"));
        assertThat(check.problems(draft, answer(404, "application/problem+json", PROBLEM_404.replace("\"status\":404", "\"status\":400"))))
                .anyMatch(p -> p.startsWith("problem's status"));
        Draft delete = new Draft(operation("DELETE", "/api/v1/queues/{queue}"));
        assertThat(check.problems(delete, answer(204, "", "{}"))).containsExactly("a body where the contract documents none for 204");
    }

    @Test
    void timesMustBeRfc3339() throws Exception {
        Draft draft = new Draft(operation("GET", "/api/v1/schedules/{name}"));
        String schedule = """
                {"name":"s","cron":"* * * * *","timezone":"UTC","queue":"q","payload":1,"headers":{},"missedRuns":"skip","paused":false,
                 "nextRunAt":null,"lastRunAt":null,"lastMessageId":null,"createdAt":"2026-12-05T00:00:00Z","updatedAt":"%s"}""";
        assertThat(check.problems(draft, answer(200, "application/json", schedule.formatted("2026-12-05T00:00:00.123Z")))).isEmpty();
        assertThat(check.problems(draft, answer(200, "application/json", schedule.formatted("yesterday")))).isNotEmpty();
    }

    @Test
    void aSuccessForARequestTheContractForbidsIsReported() throws Exception {
        Requests requests = new Requests(CONTRACT, new World(), new Random(1), "token");
        Draft draft = new Draft(operation("POST", "/api/v1/queues/{queue}/receive"));
        draft.path.put("queue", "q");
        draft.body = JSON.readTree("{\"max\":101}");
        requests.checkAgainstContract(draft);
        assertThat(draft.contractRejects).isNotNull();
        assertThat(check.problems(draft, answer(200, "application/json", "{\"messages\":[]}")))
                .anyMatch(p -> p.startsWith("success 200 for a request the contract forbids"));
    }

    @Test
    void whatTheContractAllowsIsNotForbidden() throws Exception {
        Requests requests = new Requests(CONTRACT, new World(), new Random(1), "token");
        Draft draft = new Draft(operation("POST", "/api/v1/queues/{queue}/receive"));
        draft.path.put("queue", "q");
        draft.body = JSON.readTree("{\"max\":100,\"leaseSeconds\":null}"); // a null optional reads as left out
        requests.checkAgainstContract(draft);
        assertThat(draft.contractRejects).isNull();

        Draft badName = new Draft(operation("POST", "/api/v1/queues/{queue}/receive"));
        badName.path.put("queue", "no/slash");
        requests.checkAgainstContract(badName);
        assertThat(badName.contractRejects).contains("path parameter queue");
    }
}
