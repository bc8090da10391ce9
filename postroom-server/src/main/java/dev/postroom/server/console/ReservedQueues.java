package dev.postroom.server.console;

import dev.postroom.server.alert.WebhookDeliveries;
import dev.postroom.server.auth.Role;

/**
 * Postroom's own queues in the console: only admins send into, resend into or replay from the
 * webhook deliveries (whatever lands there is signed with a webhook's secret and posted), as
 * only admin tokens may over HTTP; and no topic subscribes it.
 */
final class ReservedQueues {
    private ReservedQueues() {
    }

    /** @throws ConsoleException 403 when one of {@code queues} is reserved and {@code session} is not an admin's */
    static void requireAdminFor(Session session, String... queues) {
        for (String queue : queues) {
            if (WebhookDeliveries.isReserved(queue) && session.role() != Role.ADMIN) {
                throw ConsoleException.forbidden(queue + " is Postroom's own queue of webhook deliveries: only admins send to or replay it");
            }
        }
    }
}
