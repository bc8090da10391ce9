package dev.postroom.server.console;

import dev.postroom.BatchOptions;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.ScheduleDefinition;
import dev.postroom.server.auth.Role;
import dev.postroom.server.auth.Scope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's access matrix, route by route: without a session a page redirects to sign-in and
 * anything else is refused; a role below the route's is refused (403) on the server; the route's
 * role gets past the checks. Every route the server registers under /console must be listed here,
 * so a new route cannot ship without deciding who may use it.
 */
class ConsoleAccessTest {
    /** The least role each route needs; null means no sign-in at all. */
    static final Map<String, Role> ROUTES = new LinkedHashMap<>();

    static {
        ROUTES.put("GET /", null);
        ROUTES.put("GET /console/login", null);
        ROUTES.put("POST /console/login", null);
        ROUTES.put("POST /console/logout", Role.VIEWER);
        ROUTES.put("GET /console", Role.VIEWER);
        ROUTES.put("GET /console/live", Role.VIEWER);
        ROUTES.put("GET /console/series.json", Role.VIEWER);
        ROUTES.put("GET /console/messages", Role.VIEWER);
        ROUTES.put("GET /console/messages/{id}", Role.VIEWER);
        ROUTES.put("GET /console/messages/{id}/live", Role.VIEWER);
        ROUTES.put("POST /console/messages/{id}/retry", Role.OPERATOR);
        ROUTES.put("POST /console/messages/{id}/cancel", Role.OPERATOR);
        ROUTES.put("POST /console/messages/{id}/delete", Role.OPERATOR);
        ROUTES.put("GET /console/messages/{id}/resend", Role.OPERATOR);
        ROUTES.put("POST /console/messages/{id}/resend", Role.OPERATOR);
        ROUTES.put("GET /console/batches", Role.VIEWER);
        ROUTES.put("GET /console/batches/{id}", Role.VIEWER);
        ROUTES.put("GET /console/batches/{id}/live", Role.VIEWER);
        ROUTES.put("GET /console/send", Role.OPERATOR);
        ROUTES.put("POST /console/send", Role.OPERATOR);
        ROUTES.put("POST /console/publish", Role.OPERATOR);
        ROUTES.put("POST /console/schedules/{name}/run", Role.OPERATOR);
        ROUTES.put("GET /console/webhooks", Role.ADMIN);
        ROUTES.put("POST /console/webhooks", Role.ADMIN);
        ROUTES.put("POST /console/webhooks/{name}/delete", Role.ADMIN);
        ROUTES.put("GET /console/erasures", Role.ADMIN);
        ROUTES.put("POST /console/erasures", Role.ADMIN);
        ROUTES.put("GET /console/erasures/{id}", Role.ADMIN);
        ROUTES.put("GET /console/archive", Role.VIEWER);
        ROUTES.put("GET /console/archive/{id}", Role.VIEWER);
        ROUTES.put("POST /console/replays", Role.OPERATOR);
        ROUTES.put("GET /console/replays/{id}", Role.VIEWER);
        ROUTES.put("GET /console/workflows", Role.VIEWER);
        ROUTES.put("GET /console/workflows/{id}", Role.VIEWER);
        ROUTES.put("GET /console/workflows/{id}/live", Role.VIEWER);
        ROUTES.put("POST /console/workflows/{id}/cancel", Role.OPERATOR);
        ROUTES.put("POST /console/workflows/{id}/retry", Role.OPERATOR);
        ROUTES.put("GET /console/audit", Role.VIEWER);
        ROUTES.put("GET /console/queues/{queue}", Role.VIEWER);
        ROUTES.put("POST /console/queues/{queue}/pause", Role.OPERATOR);
        ROUTES.put("POST /console/queues/{queue}/resume", Role.OPERATOR);
        ROUTES.put("GET /console/queues/{queue}/purge", Role.OPERATOR);
        ROUTES.put("POST /console/queues/{queue}/purge", Role.OPERATOR);
        ROUTES.put("POST /console/queues/{queue}/policy", Role.ADMIN);
        ROUTES.put("GET /console/users", Role.ADMIN);
        ROUTES.put("POST /console/users", Role.ADMIN);
        ROUTES.put("POST /console/users/{name}/role", Role.ADMIN);
        ROUTES.put("POST /console/users/{name}/password", Role.ADMIN);
        ROUTES.put("POST /console/users/{name}/remove", Role.ADMIN);
        ROUTES.put("GET /console/tokens", Role.ADMIN);
        ROUTES.put("POST /console/tokens", Role.ADMIN);
        ROUTES.put("POST /console/tokens/{id}/revoke", Role.ADMIN);
        ROUTES.put("GET /console/dead", Role.VIEWER);
        ROUTES.put("POST /console/dead/preview", Role.OPERATOR);
        ROUTES.put("POST /console/dead/redrive", Role.OPERATOR);
        ROUTES.put("POST /console/dead/delete", Role.OPERATOR);
        ROUTES.put("GET /console/topics", Role.VIEWER);
        ROUTES.put("POST /console/topics", Role.ADMIN);
        ROUTES.put("POST /console/topics/{topic}/subscriptions", Role.ADMIN);
        ROUTES.put("POST /console/topics/{topic}/subscriptions/{subscription}/delete", Role.ADMIN);
        ROUTES.put("POST /console/topics/{topic}/delete", Role.ADMIN);
        ROUTES.put("GET /console/schedules", Role.VIEWER);
        ROUTES.put("POST /console/schedules", Role.ADMIN);
        ROUTES.put("POST /console/schedules/{name}/pause", Role.OPERATOR);
        ROUTES.put("POST /console/schedules/{name}/resume", Role.OPERATOR);
        ROUTES.put("POST /console/schedules/{name}/delete", Role.ADMIN);
        ROUTES.put("GET /console/jobs/{id}", Role.VIEWER);
        ROUTES.put("GET /console/jobs/{id}/progress", Role.VIEWER);
    }

    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();
    static String queue;
    static String messageId;
    static String tokenId;
    static String topic;
    static String batchId;
    static String workflowId;

    @BeforeAll
    static void start() throws InterruptedException {
        queue = ConsoleFixture.uniqueQueue("matrix");
        console.postroom().createQueue(queue, QueuePolicy.DEFAULT.withMaxAttempts(1));
        console.postroom().send(queue, Map.of("n", 1)).join();
        ReceivedMessage m = console.postroom().receive(queue, new ReceiveOptions(1, Duration.ofSeconds(1), null)).getFirst();
        assertThat(console.postroom().nack(m.id(), m.leaseId(), "boom", null, null)).isEqualTo(MessageState.DEAD);
        messageId = m.id();
        batchId = console.postroom().batches().send(queue, List.of(OutgoingMessage.of(2)), BatchOptions.NONE).join().batchId();
        workflowId = console.postroom().workflows().start(dev.postroom.Workflow.named("matrix").step("a", queue, 3)).join().id();
        console.auth().addUser("matrix", ConsoleFixture.PASSWORD, Role.VIEWER, Instant.now());
        topic = ConsoleFixture.uniqueQueue("matrix-topic");
        console.postroom().topics().create(topic);
        console.postroom().topics().subscribe(topic, "matrix", queue, dev.postroom.SubscriptionFilter.ALL);
        tokenId = console.auth().createToken("matrix", List.of(Scope.parse("read")), Instant.now()).token().id();
        console.postroom().schedules().put(ScheduleDefinition.builder("matrix").cron("0 0 1 1 *").queue(queue).payload(1).build());
    }

    @Test
    void everyConsoleRouteIsInTheMatrix() {
        List<String> served = console.api().routes().stream()
                .filter(route -> route.contains(" /console") || route.equals("GET /"))
                .toList();
        assertThat(ROUTES.keySet()).containsExactlyInAnyOrderElementsOf(served);
    }

    @Test
    void withoutASessionPagesRedirectToSignInAndEverythingElseIsRefused() {
        ConsoleClient anonymous = console.anonymous();
        ROUTES.forEach((route, role) -> {
            if (role == null) {
                return;
            }
            ConsoleClient.Page page = call(anonymous, route);
            if (route.startsWith("GET ")) {
                assertThat(page.status()).as(route).isEqualTo(302);
                assertThat(page.location()).as(route).startsWith("/console/login");
            } else {
                assertThat(page.status()).as(route).isIn(401, 403);
            }
        });
    }

    @Test
    void aRoleBelowTheRoutesIsRefusedOnTheServer() {
        for (Role signedIn : List.of(Role.VIEWER, Role.OPERATOR)) {
            ConsoleClient client = console.signIn(signedIn.name().toLowerCase());
            ROUTES.forEach((route, needed) -> {
                if (needed != null && !signedIn.includes(needed)) {
                    assertThat(call(client, route).status()).as("%s as %s", route, signedIn).isEqualTo(403);
                }
            });
        }
    }

    @Test
    void theRoutesRoleGetsPastTheChecks() {
        Map<Role, ConsoleClient> clients = new java.util.EnumMap<>(Role.class);
        ROUTES.forEach((route, needed) -> {
            if (needed == null || route.endsWith("/live") || route.equals("POST /console/logout")) {
                return; // the event stream never ends; sign-out is tested where it ends the session
            }
            ConsoleClient client = clients.computeIfAbsent(needed, role -> console.signIn(role.name().toLowerCase()));
            assertThat(call(client, route).status()).as("%s as %s", route, needed).isNotIn(401, 403);
        });
    }

    private static ConsoleClient.Page call(ConsoleClient client, String route) {
        String path = route.substring(route.indexOf(' ') + 1)
                .replace("{queue}", queue)
                .replace("{topic}", topic)
                .replace("{subscription}", "matrix")
                .replace("{name}", "matrix")
                .replace("{id}", route.contains("/tokens/") ? tokenId : route.contains("/jobs/") ? "none"
                        : route.contains("/batches/") ? batchId : route.contains("/workflows/") ? workflowId : messageId);
        return route.startsWith("GET ") ? client.get(path) : client.post(path, Map.of("queue", queue));
    }
}
