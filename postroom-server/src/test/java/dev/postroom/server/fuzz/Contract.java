package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.NonValidationKeyword;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's {@code openapi.json}, read as the fuzzer needs it: every operation with its
 * parameters, request body and documented responses, and JSON Schema validators for the schemas
 * (OpenAPI 3.1 schemas are JSON Schema 2020-12, checked with the OpenAPI 3.1 dialect, formats
 * such as {@code date-time} asserted).
 */
final class Contract {
    /** The document's address for the validator; nothing is fetched from it. */
    private static final String IRI = "https://postroom.dev/api/v1/openapi.json";
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

    private final JsonNode doc;
    private final List<Operation> operations;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private Contract(String text, JsonNode doc) {
        this.doc = doc;
        // the document's own keys (openapi, paths, ...) are not schema keywords: known to be ignored, not warned about
        Dialect openApi31 = Dialect.builder(Dialects.getOpenApi31())
                .unknownKeywordFactory((keyword, context) -> new NonValidationKeyword(keyword)).build();
        this.registry = SchemaRegistry.withDefaultDialect(openApi31, builder -> builder
                .schemas(Map.of(IRI, text))
                .schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));
        this.operations = readOperations();
    }

    /** The contract the server serves, from the class path. */
    static Contract load(ObjectMapper json) {
        try (InputStream in = Contract.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is not on the class path");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Contract(text, json.readTree(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Operation> operations() {
        return operations;
    }

    /** {@code node}, or what its {@code $ref} names (followed until it names no other). */
    JsonNode resolve(JsonNode node) {
        while (node != null && node.has("$ref")) {
            node = doc.at(node.get("$ref").asText().substring(1));
        }
        return node;
    }

    /**
     * A validator for {@code schema}, a node of the document: a {@code $ref} is validated in the
     * whole document (so that nested references resolve); an inline schema without references on its own.
     */
    Schema validator(JsonNode schema) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            return schemas.computeIfAbsent(ref, r -> registry.getSchema(SchemaLocation.of(IRI + r)));
        }
        return schemas.computeIfAbsent(schema.toString(), s -> registry.getSchema(schema));
    }

    /** Whether {@code value} is valid against {@code schema}. */
    boolean valid(JsonNode schema, JsonNode value) {
        return validator(schema).validate(value).isEmpty();
    }

    private List<Operation> readOperations() {
        List<Operation> found = new ArrayList<>();
        doc.get("paths").properties().forEach(path -> {
            List<Operation.Parameter> shared = parameters(path.getValue().path("parameters"));
            path.getValue().properties().forEach(entry -> {
                if (!METHODS.contains(entry.getKey())) {
                    return;
                }
                JsonNode op = entry.getValue();
                List<Operation.Parameter> parameters = new ArrayList<>(shared);
                parameters.addAll(parameters(op.path("parameters")));
                JsonNode requestBody = resolve(op.get("requestBody"));
                JsonNode bodySchema = requestBody == null ? null : requestBody.at("/content/application~1json/schema");
                List<Operation.Response> responses = new ArrayList<>();
                op.get("responses").properties().forEach(r -> {
                    JsonNode response = resolve(r.getValue());
                    Map<String, JsonNode> content = new java.util.LinkedHashMap<>();
                    response.path("content").properties().forEach(c -> content.put(c.getKey(), c.getValue().path("schema")));
                    responses.add(new Operation.Response(r.getKey(), content));
                });
                found.add(new Operation(entry.getKey().toUpperCase(), path.getKey(), op.path("operationId").asText(), parameters,
                        bodySchema == null || bodySchema.isMissingNode() ? null : bodySchema,
                        requestBody != null && requestBody.path("required").asBoolean(false),
                        op.has("security") && op.get("security").isEmpty(), op.path("x-postroom-scope").asText(""), responses));
            });
        });
        return List.copyOf(found);
    }

    private List<Operation.Parameter> parameters(JsonNode list) {
        List<Operation.Parameter> parameters = new ArrayList<>();
        for (JsonNode p : list) {
            JsonNode parameter = resolve(p);
            parameters.add(new Operation.Parameter(parameter.get("name").asText(), parameter.get("in").asText(),
                    parameter.path("required").asBoolean(false), parameter.path("schema")));
        }
        return parameters;
    }
}
