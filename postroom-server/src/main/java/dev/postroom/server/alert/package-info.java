/**
 * Alerts sent to outbound webhooks: an admin registers a URL for events ({@code message.dead},
 * {@code queue.stale}, {@code queue.unconsumed}, {@code node.down}); {@link
 * dev.postroom.server.alert.AlertMonitor} notices them in the background and sends one message per
 * alert and webhook to Postroom's own queue {@value dev.postroom.server.alert.WebhookDeliveries#QUEUE},
 * whose handler POSTs the body signed by {@link dev.postroom.server.alert.Signature}. Retries,
 * backoff, dead letters and redrive are those of any queue. Registrations and the "already told"
 * marks of ongoing conditions live in the auth database ({@link dev.postroom.server.alert.WebhookStore}).
 * The HTTP routes and the CLI command are in {@code http} and {@code cli}.
 */
package dev.postroom.server.alert;
