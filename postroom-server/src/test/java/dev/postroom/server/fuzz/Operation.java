package dev.postroom.server.fuzz;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One operation of the contract (a path and a method): its parameters, its JSON request body
 * (null when it takes none), whether it needs no token, the scope it needs ({@code x-postroom-scope})
 * and its documented responses.
 */
record Operation(String method, String path, String operationId, List<Parameter> parameters, JsonNode bodySchema,
                 boolean bodyRequired, boolean open, String scope, List<Response> responses) {

    /** A path, query or header parameter. */
    record Parameter(String name, String in, boolean required, JsonNode schema) {
    }

    /** A documented response: its status ({@code "200"}, or {@code "default"}) and its schema per media type. */
    record Response(String status, Map<String, JsonNode> content) {
    }

    /** The response documented for exactly this status; {@code default} is not taken as documenting a 4xx. */
    Optional<Response> response(int status) {
        return responses.stream().filter(r -> r.status().equals(Integer.toString(status))).findFirst();
    }

    List<Parameter> in(String where) {
        return parameters.stream().filter(p -> p.in().equals(where)).toList();
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
