package dev.postroom.server.console;

import dev.postroom.QueueInfo;

/**
 * One queue as the overview's table shows it.
 *
 * @param queue          the queue, its policy and counts
 * @param oldestReadyAge seconds the oldest ready message has waited, 0 when none
 * @param sentPerSecond  recent send rate
 * @param ackedPerSecond recent success rate
 * @param failedPerSecond recent failed-attempt rate
 */
public record QueueRow(QueueInfo queue, double oldestReadyAge, double sentPerSecond, double ackedPerSecond, double failedPerSecond) {
}
