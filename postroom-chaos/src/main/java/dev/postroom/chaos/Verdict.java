package dev.postroom.chaos;

import java.util.List;

/**
 * What a campaign observed, and whether it passed: nothing acknowledged lost or left unfinished,
 * every repeat delivery explained by a nack or a fault, and every fault recovered from by itself.
 *
 * @param acknowledgedSends      sends answered 201 with an id
 * @param ackCommittedUnanswered messages whose ack went unanswered (a kill) but which the server shows SUCCEEDED
 * @param unacknowledgedSends    sends answered otherwise, or not at all (the node died mid-request)
 * @param deliveredMessages      distinct messages received at least once
 * @param deliveries             receives of a message, repeats included
 * @param redeliveredAfterNack   repeats that followed a confirmed nack: retries, not duplicates
 * @param held                   deliveries kept unacknowledged across a fault on purpose (their leases must come back)
 * @param duplicatesFromFaults   repeats that followed an ack lost to a fault, or a lease held across one
 * @param deliveredUnacknowledged messages of sends never acknowledged (answer lost to a kill) that were stored anyway
 * @param lost                   acknowledged sends never delivered
 * @param unfinished             acknowledged sends delivered but never acked with a 200 by the end of the drain
 * @param unexplained            repeats and messages that neither a nack nor a fault explains
 * @param failures               faults not recovered from by themselves, leases that did not come back
 * @param faults                 faults injected
 * @param sigkills               processes killed whose exit status showed SIGKILL
 */
record Verdict(int acknowledgedSends, int ackCommittedUnanswered, int unacknowledgedSends, int deliveredMessages, int deliveries,
               int redeliveredAfterNack, int held, int duplicatesFromFaults, int deliveredUnacknowledged, int lost,
               int unfinished, List<String> unexplained, List<String> failures, int faults, int sigkills) {

    boolean passed() {
        return lost == 0 && unfinished == 0 && unexplained.isEmpty() && failures.isEmpty();
    }

    /** The summary line, as the report and docs/RELIABILITY.md show it. */
    String summary() {
        return String.format("faults=%d sigkills=%d acknowledged sends=%d unacknowledged=%d delivered=%d deliveries=%d"
                        + " redelivered after nack=%d held across faults=%d duplicates from faults=%d stored though unacknowledged=%d"
                        + " acks committed though unanswered=%d lost=%d unfinished=%d unexplained=%d failures=%d",
                faults, sigkills, acknowledgedSends, unacknowledgedSends, deliveredMessages, deliveries, redeliveredAfterNack,
                held, duplicatesFromFaults, deliveredUnacknowledged, ackCommittedUnanswered, lost, unfinished, unexplained.size(), failures.size());
    }
}
