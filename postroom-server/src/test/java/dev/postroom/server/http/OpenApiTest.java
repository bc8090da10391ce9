package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.ApiRoutes.Route;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /api/v1/openapi.json} is an OpenAPI 3.1 document of exactly the routes the server
 * registers (as listed in {@link ApiRoutes}), with bearer auth on all but {@code /health/*}, and
 * with schemas whose properties are the field names of the records in {@link Bodies} and
 * {@link Views} — so the document cannot drift from the code unnoticed.
 */
class OpenApiTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");

    @RegisterExtension
    static final TestServer server = new TestServer();
    static JsonNode doc;

    @BeforeAll
    static void start() {
        Reply reply = server.get("/api/v1/openapi.json", server.token("read"));
        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/json");
        doc = reply.json();
    }

    private static List<Route> documented() {
        List<Route> routes = new ArrayList<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (METHODS.contains(operation.getKey())) {
                routes.add(new Route(operation.getKey().toUpperCase(), path.getKey()));
            }
        }));
        return routes;
    }

    private static JsonNode operation(Route route) {
        return doc.path("paths").path(route.path()).path(route.method().toLowerCase());
    }

    @Test
    void servedDocumentIsOpenApi31() {
        assertThat(doc.get("openapi").asText()).matches("3\\.1\\.\\d+");
        assertThat(doc.get("info").get("title").asText()).isNotBlank();
        assertThat(doc.get("info").get("version").asText()).isNotBlank();
    }

    @Test
    void theServerRegistersExactlyTheRoutesListedInApiRoutes() {
        List<String> apiRoutes = server.api().routes().stream()
                .filter(route -> !route.contains(" /console") && !route.equals("GET /")) // the console's routes are HTML pages, tested in the console's tests
                .toList();
        assertThat(apiRoutes).containsExactlyInAnyOrderElementsOf(ApiRoutes.ALL.stream().map(Route::toString).toList());
    }

    @Test
    void everyRouteTheServerRegistersIsDocumented() {
        assertThat(documented()).containsAll(ApiRoutes.ALL);
    }

    @Test
    void theDocumentDescribesNoRouteTheServerLacks() {
        assertThat(ApiRoutes.ALL).containsAll(documented());
    }

    @Test
    void routesNeedBearerAuthExceptHealth() {
        JsonNode scheme = doc.at("/components/securitySchemes/bearerAuth");
        assertThat(scheme.get("type").asText()).isEqualTo("http");
        assertThat(scheme.get("scheme").asText()).isEqualTo("bearer");
        assertThat(doc.get("security").toString()).isEqualTo("[{\"bearerAuth\":[]}]");
        for (Route route : ApiRoutes.ALL) {
            JsonNode security = operation(route).get("security");
            if (route.needsToken()) {
                assertThat(security).as("%s keeps the document's bearerAuth", route).isNull();
                assertThat(operation(route).path("responses").has("401")).as("%s documents 401", route).isTrue();
                // reading one message refuses with 404, so that ids of queues the token cannot see do not leak;
                // a batch settle refuses entry by entry, inside its 200
                boolean neverAWhole403 = route.toString().equals("GET /api/v1/messages/{id}")
                        || route.toString().startsWith("GET /api/v1/batches/{id}") || route.toString().startsWith("POST /api/v1/messages:")
                        || route.toString().equals("GET /api/v1/workflows/{id}");
                assertThat(operation(route).path("responses").has("403")).as("%s documents 403", route).isEqualTo(!neverAWhole403);
            } else {
                assertThat(security).as("%s needs no auth", route).isNotNull().isEmpty();
            }
        }
    }

    @Test
    void errorResponsesAreProblemJson() {
        doc.at("/components/responses").properties().forEach(response -> {
            JsonNode content = response.getValue().get("content");
            assertThat(content.has("application/problem+json")).as(response.getKey()).isTrue();
            assertThat(content.get("application/problem+json").at("/schema/$ref").asText()).isEqualTo("#/components/schemas/Problem");
        });
        for (Route route : ApiRoutes.ALL) {
            operation(route).path("responses").properties().forEach(response -> {
                int status = response.getKey().equals("default") ? 500 : Integer.parseInt(response.getKey());
                if (status >= 400 && !route.path().startsWith("/health/")) {
                    assertThat(response.getValue().path("$ref").asText()).as("%s %s", route, status).startsWith("#/components/responses/");
                }
            });
        }
        assertThat(properties("Problem")).containsExactly("type", "title", "status", "detail", "errors", "existingId");
        assertThat(properties("FieldError")).containsExactly("field", "message");
    }

    @Test
    void everyPathParameterIsDeclared() {
        Pattern template = Pattern.compile("\\{([^}]+)}");
        for (Route route : ApiRoutes.ALL) {
            List<String> declared = new ArrayList<>();
            List<JsonNode> parameters = new ArrayList<>();
            doc.path("paths").path(route.path()).path("parameters").forEach(parameters::add);
            operation(route).path("parameters").forEach(parameters::add);
            for (JsonNode parameter : parameters) {
                JsonNode resolved = parameter.has("$ref") ? resolve(parameter.get("$ref").asText()) : parameter;
                if (resolved.get("in").asText().equals("path")) {
                    declared.add(resolved.get("name").asText());
                }
            }
            List<String> inPath = new ArrayList<>();
            Matcher matcher = template.matcher(route.path());
            while (matcher.find()) {
                inPath.add(matcher.group(1));
            }
            assertThat(declared).as("path parameters of %s", route).containsExactlyInAnyOrderElementsOf(inPath);
        }
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(resolve(ref).isMissingNode()).as(ref).isFalse();
        }
    }

    /**
     * Each schema against the record Jackson reads or writes for it: the same property names, so a
     * renamed field fails here (API.md: add fields freely, rename none).
     */
    @Test
    void schemasNameTheFieldsOfTheRecordsTheServerReadsAndWrites() {
        Map<String, Class<? extends Record>> records = new LinkedHashMap<>();
        records.put("QueuePolicyInput", Bodies.QueuePolicy.class);
        records.put("Backoff", Bodies.Backoff.class);
        records.put("SendRequest", Bodies.Send.class);
        records.put("BatchRequest", Bodies.SendBatch.class);
        records.put("ReceiveRequest", Bodies.Receive.class);
        records.put("AckRequest", Bodies.Ack.class);
        records.put("NackRequest", Bodies.Nack.class);
        records.put("ExtendRequest", Bodies.Extend.class);
        records.put("ProgressRequest", Bodies.Progress.class);
        records.put("SnoozeRequest", Bodies.Snooze.class);
        records.put("PurgeRequest", Bodies.Purge.class);
        records.put("RedriveRequest", Bodies.Redrive.class);
        records.put("TokenRequest", Bodies.NewToken.class);
        records.put("UserRequest", Bodies.NewUser.class);
        records.put("PasswordRequest", Bodies.Password.class);
        records.put("Policy", Views.Policy.class);
        records.put("Counts", Views.Counts.class);
        records.put("Queue", Views.Queue.class);
        records.put("QueueList", Views.Queues.class);
        records.put("MessageSummary", Views.Summary.class);
        records.put("MessagePage", Views.Page.class);
        records.put("SendResult", Views.Sent.class);
        records.put("BatchResult", Views.SentBatch.class);
        records.put("ReceivedMessage", Views.Received.class);
        records.put("ReceiveResult", Views.ReceivedBatch.class);
        records.put("Progress", Views.Progress.class);
        records.put("AttemptError", Views.Error.class);
        records.put("TimelineEntry", Views.Transition.class);
        records.put("Message", Views.FullMessage.class);
        records.put("LeaseExpiry", Views.LeaseExpiry.class);
        records.put("Purged", Views.Purged.class);
        records.put("Redriven", Views.Redriven.class);
        records.put("Token", AdminRoutes.TokenView.class);
        records.put("CreatedToken", AdminRoutes.CreatedToken.class);
        records.put("TokenList", AdminRoutes.Tokens.class);
        records.put("User", AdminRoutes.UserView.class);
        records.put("AuditEntry", AuditRoutes.Entry.class);
        records.put("AuditPage", AuditRoutes.Entries.class);
        records.put("TopicInput", TopicRoutes.TopicInput.class);
        records.put("SubscriptionInput", TopicRoutes.SubscriptionInput.class);
        records.put("SubscriptionFilter", TopicRoutes.Filter.class);
        records.put("Subscription", TopicRoutes.SubscriptionView.class);
        records.put("Topic", TopicRoutes.TopicView.class);
        records.put("TopicList", TopicRoutes.Topics.class);
        records.put("Delivery", TopicRoutes.Delivery.class);
        records.put("PublishResult", TopicRoutes.Published.class);
        records.put("ScheduleInput", ScheduleRoutes.Put.class);
        records.put("Schedule", ScheduleRoutes.View.class);
        records.put("ScheduleList", ScheduleRoutes.Views.class);
        records.put("BatchOptions", Bodies.Batch.class);
        records.put("Batch", BatchRoutes.BatchView.class);
        records.put("BatchList", BatchRoutes.BatchList.class);
        records.put("WorkflowRequest", Bodies.NewWorkflow.class);
        records.put("ErasureRequest", Bodies.NewErasure.class);
        records.put("ErasureFilter", Bodies.ErasureFilter.class);
        records.put("ErasurePayload", Bodies.ErasurePayload.class);
        records.put("ErasurePreview", ErasureRoutes.Preview.class);
        records.put("Erasure", ErasureRoutes.View.class);
        records.put("Encryption", EncryptionRoutes.View.class);
        records.put("ReplayRequest", Bodies.NewReplay.class);
        records.put("ReplayFilter", Bodies.ReplayFilter.class);
        records.put("ReplayPreview", ArchiveRoutes.Preview.class);
        records.put("Replay", ArchiveRoutes.View.class);
        records.put("ReplayList", ArchiveRoutes.Replays.class);
        records.put("Reencryption", EncryptionRoutes.ReencryptionView.class);
        records.put("WorkflowStepInput", Bodies.Step.class);
        records.put("Workflow", WorkflowRoutes.View.class);
        records.put("WorkflowStep", WorkflowRoutes.StepView.class);
        records.put("WorkflowStarted", WorkflowRoutes.Started.class);
        records.put("WorkflowList", WorkflowRoutes.WorkflowList.class);
        records.put("StepOf", Views.StepOf.class);
        records.put("WebhookInput", Bodies.WebhookInput.class);
        records.put("Webhook", WebhookRoutes.View.class);
        records.put("SavedWebhook", WebhookRoutes.Saved.class);
        records.put("WebhookList", WebhookRoutes.Webhooks.class);
        records.put("Problem", Problem.class);
        records.put("FieldError", Problem.FieldError.class);

        records.forEach((schema, type) -> assertThat(properties(schema)).as("properties of %s vs %s", schema, type.getName())
                .containsExactly(Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).toArray(String[]::new)));
        assertThat(names(doc.at("/components/schemas/Policy/properties/backoff/properties")))
                .containsExactly(Arrays.stream(Views.Backoff.class.getRecordComponents()).map(c -> c.getName()).toArray(String[]::new));
        assertThat(names(doc.at("/components/schemas/NackRequest/properties/error/properties")))
                .containsExactly(Arrays.stream(Bodies.Error.class.getRecordComponents()).map(c -> c.getName()).toArray(String[]::new));
        assertThat(names(doc.at("/components/schemas/BatchOptions/properties/onComplete/properties")))
                .containsExactly(Arrays.stream(Bodies.OnComplete.class.getRecordComponents()).map(c -> c.getName()).toArray(String[]::new));
        assertThat(names(doc.at("/components/schemas/QueuePolicyInput/properties/rateLimit/properties")))
                .containsExactly(Arrays.stream(Bodies.RateLimit.class.getRecordComponents()).map(c -> c.getName()).toArray(String[]::new));
    }

    @Test
    void messageStatesAreTheEngines() {
        List<String> states = new ArrayList<>();
        doc.at("/components/schemas/MessageState/enum").forEach(s -> states.add(s.asText()));

        assertThat(states).containsExactly(Arrays.stream(dev.postroom.MessageState.values()).map(Enum::name).toArray(String[]::new));
    }

    private static List<String> properties(String schema) {
        JsonNode properties = doc.at("/components/schemas/" + schema + "/properties");
        assertThat(properties.isObject()).as("schema %s has properties", schema).isTrue();
        return names(properties);
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static JsonNode resolve(String ref) {
        assertThat(ref).startsWith("#/");
        return doc.at(ref.substring(1));
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (field.getKey().equals("$ref")) {
                    refs.add(field.getValue().asText());
                } else {
                    collectRefs(field.getValue(), refs);
                }
            }
        } else if (node.isArray()) {
            node.forEach(child -> collectRefs(child, refs));
        }
    }
}
