package dev.postroom.server.console;

import dev.postroom.server.auth.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's live stream lasts only as long as the credentials it was opened with: it ends
 * when its user is removed or changes role, and when its session expires (sign-out:
 * {@link ConsoleSignInTest}). A user's credentials are re-read every {@link Sessions#RECHECK}.
 */
class LiveStreamCredentialsTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    @Test
    void theLiveStreamEndsWhenItsUserIsRemovedOrChangesRole() throws Exception {
        console.auth().addUser("leaver", ConsoleFixture.PASSWORD, Role.OPERATOR, Instant.now());
        console.auth().addUser("demoted", ConsoleFixture.PASSWORD, Role.ADMIN, Instant.now());
        CompletableFuture<Void> leaverStream = follow(console.signIn("leaver"));
        CompletableFuture<Void> demotedStream = follow(console.signIn("demoted"));
        CompletableFuture<Void> bystander = follow(console.signIn("viewer"));
        assertThat(leaverStream).as("open while the user stands").isNotDone();

        console.auth().removeUser("leaver");
        console.auth().setRole("demoted", Role.VIEWER);

        leaverStream.get(30, TimeUnit.SECONDS);
        demotedStream.get(30, TimeUnit.SECONDS);
        assertThat(bystander).as("another user's stream goes on").isNotDone();
        bystander.cancel(true);
    }

    @Test
    void theLiveStreamEndsWhenItsSessionExpires() throws Exception {
        CompletableFuture<Void> stream = follow(console.signIn("operator"));
        assertThat(stream).isNotDone();

        console.moveClockAhead(Sessions.ABSOLUTE.plusMinutes(1));

        stream.get(30, TimeUnit.SECONDS);
    }

    /** Opens the live stream and reads it to its end: the future completes when the server ends it. */
    private static CompletableFuture<Void> follow(ConsoleClient client) throws IOException, InterruptedException {
        HttpResponse<InputStream> stream = client.stream("/console/live");
        assertThat(stream.statusCode()).isEqualTo(200);
        return CompletableFuture.runAsync(() -> {
            try (InputStream in = stream.body()) {
                in.transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                // ended as well
            }
        });
    }
}
