package dev.postroom.server.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The overview's nodes table on the embedded store: this node only, alive (PostgreSQL's registry: {@code NodeRegistryTest}). */
class ConsoleNodesTest {

    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    @Test
    void theOverviewListsThisNodeAliveOnTheEmbeddedStore() {
        String body = console.signIn("viewer").get("/console").body();
        String nodes = body.substring(body.indexOf("<tbody id=\"node-rows\""), body.indexOf("</tbody>", body.indexOf("<tbody id=\"node-rows\"")));

        assertThat(nodes).contains("<th scope=\"row\">" + console.postroom().node() + "</th>");
        assertThat(nodes).contains("<tr class=\"node-alive\">").contains("<td>alive</td>").doesNotContain("dead");
        assertThat(nodes.split("<tr ", -1)).hasSize(2);
    }
}
