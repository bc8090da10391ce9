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
            if (WebhookDeliveries.QUEUE.equals(queue) && session.role() != Role.ADMIN) {
                throw ConsoleException.forbidden(queue + " is Postroom's own queue of webhook deliveries: only admins send to or replay it");
            }
        }
    }

    /** @throws dev.postroom.InvalidMessageException naming {@code queue} when it is reserved: a topic would send into it */
    static void refuseSubscription(String queue) {
        if (WebhookDeliveries.QUEUE.equals(queue)) {
            throw new dev.postroom.InvalidMessageException("queue", queue
                    + " is Postroom's own queue of webhook deliveries and cannot subscribe to a topic");
        }
    }
}
