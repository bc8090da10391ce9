package dev.postroom.server.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The first start of an empty user store: creates user {@code admin} and an admin API token, from
 * the secrets the operator chose or new random ones, and shows the random ones once. Every way of
 * running the API (the standalone server, an application's embedded console) starts this way.
 */
public final class FirstAdmin {
    private static final Logger log = LoggerFactory.getLogger(FirstAdmin.class);

    private FirstAdmin() {
    }

    /**
     * Creates the first admin when there is no user, and prints what was created to {@code out}.
     *
     * @param password the admin's password (e.g. from {@code POSTROOM_ADMIN_PASSWORD}), or null/blank for a random one
     * @param token    the admin token's secret (e.g. from {@code POSTROOM_ADMIN_TOKEN}), or null/blank for a random one
     * @return whether this call created them (false when users existed, or another node created them first)
     */
    public static boolean createIfEmpty(AuthStore auth, String password, String token, Instant now, PrintStream out) {
        if (auth.hasUsers()) {
            return false;
        }
        boolean printPassword = password == null || password.isBlank();
        boolean printToken = token == null || token.isBlank();
        String chosenPassword = printPassword ? random(18) : password;
        Optional<NewToken> created = auth.createFirstAdmin(chosenPassword, printToken ? null : token, now);
        if (created.isEmpty()) {
            log.info("another node created the first admin; nothing to create here");
            return false;
        }
        out.println("First start: created user 'admin' and an admin API token. They are shown only now.");
        out.println("  admin password: " + (printPassword ? chosenPassword : "(as configured)"));
        out.println("  admin token:    " + (printToken ? created.get().secret() : "(as configured)"));
        return true;
    }

    private static String random(int bytes) {
        byte[] buffer = new byte[bytes];
        new SecureRandom().nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }
}
