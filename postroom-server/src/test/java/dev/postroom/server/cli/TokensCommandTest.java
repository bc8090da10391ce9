package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom tokens create|list|revoke}. */
class TokensCommandTest {
    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void createSendsNameAndScopesAndPrintsTheSecretWithAWarning() {
        server.answer("POST", "/api/v1/tokens", 201, """
                {"id":"tok_1","name":"billing-worker","scopes":["send:billing.*","read"],"token":"pr_s3cret",
                 "createdAt":"2026-03-01T12:00:00Z"}""");

        CliRun run = CliRun.run(new TokensCommand(), "create", "billing-worker", "--scope", "send:billing.*", "-s", "read",
                "--url", server.url(), "--token", "admin");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                token   pr_s3cret
                id      tok_1
                name    billing-worker
                scopes  send:billing.*,read
                """);
        assertThat(run.err()).contains("will not show it again");
        assertThat(server.only("POST", "/api/v1/tokens").json())
                .isEqualTo(json("{\"name\":\"billing-worker\",\"scopes\":[\"send:billing.*\",\"read\"]}"));
    }

    @Test
    void scopesMayBeCommaSeparated() {
        server.answer("POST", "/api/v1/tokens", 201, "{\"id\":\"tok_1\",\"token\":\"pr_x\",\"scopes\":[]}");

        CliRun.run(new TokensCommand(), "create", "ops", "--scope", "read,operate", "--url", server.url());

        assertThat(server.only("POST", "/api/v1/tokens").json().get("scopes")).isEqualTo(json("[\"read\",\"operate\"]"));
    }

    @Test
    void createWithoutAScopeIsAUsageError() {
        CliRun run = CliRun.run(new TokensCommand(), "create", "ops", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void unknownScopeExitsNonZeroWithTheServersReason() {
        server.problem("POST", "/api/v1/tokens", 422, """
                {"status":422,"errors":[{"field":"scopes","message":"unknown scope \\"sned:x\\"; use send:<queue-glob>, receive:<queue-glob>, read, operate or admin"}]}""");

        CliRun run = CliRun.run(new TokensCommand(), "create", "ops", "-s", "sned:x", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 422 scopes: unknown scope \"sned:x\"; use send:<queue-glob>, "
                + "receive:<queue-glob>, read, operate or admin\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void listShowsEveryTokenAndNeverForUnusedOnes() {
        server.answer("GET", "/api/v1/tokens", 200, """
                {"tokens":[
                  {"id":"tok_1","name":"admin","scopes":["admin"],"createdAt":"2026-03-01T12:00:00Z","lastUsedAt":"2026-03-02T08:30:00Z"},
                  {"id":"tok_2","name":"billing-worker","scopes":["send:billing.*","read"],"createdAt":"2026-03-01T12:05:00Z","lastUsedAt":null}]}""");

        CliRun run = CliRun.run(new TokensCommand(), "list", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                ID     NAME            SCOPES               CREATED               LAST-USED
                tok_1  admin           admin                2026-03-01T12:00:00Z  2026-03-02T08:30:00Z
                tok_2  billing-worker  send:billing.*,read  2026-03-01T12:05:00Z  never
                """);
        assertThat(run.out()).doesNotContain("pr_");
    }

    @Test
    void revokeDeletesTheTokenById() {
        server.answer("DELETE", "/api/v1/tokens/tok_2", 204, null);

        CliRun run = CliRun.run(new TokensCommand(), "revoke", "tok_2", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("revoked token tok_2\n");
        assertThat(server.requests()).extracting(CannedServer.Request::method).containsExactly("DELETE");
    }

    @Test
    void revokeWithJsonPrintsNothingBecauseThereIsNoAnswerBody() {
        server.answer("DELETE", "/api/v1/tokens/tok_2", 204, null);

        CliRun run = CliRun.run(new TokensCommand(), "revoke", "tok_2", "--json", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void tokenWithoutAdminScopeExitsNonZeroWithOneLineReason() {
        server.problem("GET", "/api/v1/tokens", 403, "{\"status\":403,\"title\":\"Forbidden\",\"detail\":\"needs scope admin\"}");

        CliRun run = CliRun.run(new TokensCommand(), "list", "--url", server.url(), "--token", "reader");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 403 needs scope admin\n");
    }
}
