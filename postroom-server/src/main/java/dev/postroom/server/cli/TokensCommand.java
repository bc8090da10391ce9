package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code postroom tokens create|list|revoke}: API tokens over {@code /api/v1/tokens}. The secret of
 * a new token is printed once, by {@code create}; the server keeps only a hash, so {@code list}
 * shows names, scopes and last use but never the secret.
 */
@Command(name = "tokens", sortOptions = false,
        description = "Create, list and revoke API tokens.",
        subcommands = {TokensCommand.Create.class, TokensCommand.Listing.class, TokensCommand.Revoke.class})
public final class TokensCommand extends GroupCommand {

    /** {@code tokens create NAME --scope S...}: a new token; its secret is shown this once. */
    @Command(name = "create", sortOptions = false,
            description = "Create an API token and print its secret (shown only this once).")
    public static final class Create extends ApiCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "What the token is for, e.g. billing-worker.")
        String name;

        @Option(names = {"-s", "--scope"}, required = true, split = ",", paramLabel = "SCOPE",
                description = "send:<queue-glob>, receive:<queue-glob>, read, operate or admin; repeatable or comma-separated.")
        List<String> scopes = new ArrayList<>();

        @Override
        void execute(ApiClient client) {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("name", name);
            ArrayNode array = body.putArray("scopes");
            scopes.forEach(array::add);
            JsonNode token = client.post("/api/v1/tokens", body).body();
            if (json()) {
                printJson(token);
                return;
            }
            out().printf("token   %s%nid      %s%nname    %s%nscopes  %s%n", text(token, "token"), text(token, "id"),
                    text(token, "name"), joined(token.path("scopes")));
            // On stderr so that stdout stays just the token's fields.
            err().println("Store the token now: the server keeps only a hash and will not show it again.");
        }
    }

    /** {@code tokens list}: every token with its scopes and when it was created and last used. */
    @Command(name = "list", sortOptions = false, description = "List API tokens (never their secrets).")
    public static final class Listing extends ApiCommand {
        @Override
        void execute(ApiClient client) {
            JsonNode answer = client.get("/api/v1/tokens").body();
            if (json()) {
                printJson(answer);
                return;
            }
            Table table = new Table().left("ID").left("NAME").left("SCOPES").left("CREATED").left("LAST-USED");
            for (JsonNode token : answer.path("tokens")) {
                String lastUsed = text(token, "lastUsedAt");
                table.row(text(token, "id"), text(token, "name"), joined(token.path("scopes")), text(token, "createdAt"),
                        lastUsed == null ? "never" : lastUsed);
            }
            if (table.isEmpty()) {
                out().println("no tokens");
            } else {
                table.print(out());
            }
        }
    }

    /** {@code tokens revoke ID}: the token stops working at once. */
    @Command(name = "revoke", sortOptions = false, description = "Revoke an API token; requests using it get 401.")
    public static final class Revoke extends ApiCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The token's id (from tokens list), not its secret.")
        String id;

        @Override
        void execute(ApiClient client) {
            client.delete("/api/v1/tokens/" + ApiClient.segment(id));
            if (!json()) {
                out().println("revoked token " + id);
            }
        }
    }

    static String joined(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(item -> items.add(item.asText()));
        return items.isEmpty() ? null : String.join(",", items);
    }
}
