package dev.postroom.tck;

import dev.postroom.Futures;
import dev.postroom.IllegalTransitionException;
import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.QueueNotFoundException;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.StaleLeaseException;
import dev.postroom.StartedWorkflow;
import dev.postroom.TimelineEntry;
import dev.postroom.Workflow;
import dev.postroom.WorkflowContext;
import dev.postroom.WorkflowFailedException;
import dev.postroom.WorkflowNotFoundException;
import dev.postroom.WorkflowPage;
import dev.postroom.WorkflowState;
import dev.postroom.WorkflowStatus;
import dev.postroom.WorkflowStepState;
import dev.postroom.Workflows;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Workflows ({@link Workflows}): a workflow and its step messages are stored all or nothing; a step
 * is released (once) only when every step it follows succeeded, receiving their results; a dead
 * step stops its followers and fails the workflow until it is retried; clean-up steps run on
 * failure; cancel cancels every unfinished step; a restart between an ack and the release loses
 * and doubles nothing. Driven by the {@link FakeClock} and {@code runMaintenance()}.
 */
public abstract class WorkflowContract extends ContractSupport {
    private static final String SESSIONS = "sessions";
    private static final String REFUNDS = "refunds";
    private static final String EMAILS = "emails";

    private Workflows workflows() {
        return postroom.workflows();
    }

    private void createQueues() {
        createQueue(SESSIONS, QueuePolicy.DEFAULT.withMaxAttempts(1));
        createQueue(REFUNDS, QueuePolicy.DEFAULT.withMaxAttempts(1));
        createQueue(EMAILS);
    }

    /** revoke → refund → goodbye, the close-account example. */
    private static Workflow closeAccount() {
        return Workflow.named("close-account")
                .step("revoke", SESSIONS, Map.of("customer", 7))
                .step("refund", REFUNDS, Map.of("customer", 7), Workflow.after("revoke"))
                .step("goodbye", EMAILS, Map.of("customer", 7), Workflow.after("refund"));
    }

    private StartedWorkflow start(Workflow workflow) {
        StartedWorkflow started = Futures.join(workflows().start(workflow));
        track(started.workflow().steps().stream().map(s -> s.messageId()).toList());
        return started;
    }

    private WorkflowStepState stepState(StartedWorkflow started, String step) {
        return workflows().get(started.id()).step(step).orElseThrow().state();
    }

    /** Leases the one message of {@code queue}, which must be {@code id}, and acks it with {@code result}. */
    private void ackStep(String queue, String id, Object result) {
        ReceivedMessage received = receiveOne(queue);
        assertThat(received.id()).as("step message received from %s", queue).isEqualTo(id);
        postroom.ack(received.id(), received.leaseId(), result);
    }

    private long releases(String messageId) {
        return message(messageId).timeline().stream().filter(e -> e.reason().startsWith("released")).count();
    }

    // ---------------------------------------------------------------- starting

    @Test
    void startingStoresEveryStepAndReleasesOnlyThoseThatFollowNothing() {
        createQueues();

        StartedWorkflow started = start(closeAccount());

        WorkflowStatus workflow = started.workflow();
        assertThat(started.duplicate()).isFalse();
        assertThat(workflow.name()).isEqualTo("close-account");
        assertThat(workflow.state()).isEqualTo(WorkflowState.RUNNING);
        assertThat(workflow.createdAt()).isEqualTo(START);
        assertThat(workflow.endedAt()).isNull();
        assertThat(workflow.steps()).extracting(s -> s.name() + " " + s.state() + " " + s.after())
                .containsExactly("revoke READY []", "refund WAITING [revoke]", "goodbye WAITING [refund]");
        Message refund = message(started.messageId("refund"));
        assertThat(refund.state()).isEqualTo(MessageState.SCHEDULED);
        assertThat(refund.headers()).containsEntry(Workflows.ID_HEADER, started.id()).containsEntry(Workflows.STEP_HEADER, "refund");
        assertThat(workflows().get(started.id())).isEqualTo(workflow);
        assertThat(store.nextDue(REFUNDS)).as("a held step is never due").isEmpty();

        clock.advance(java.time.Duration.ofDays(365));
        postroom.runMaintenance();
        assertNothingToReceive(REFUNDS);
        assertNothingToReceive(EMAILS);
        assertThat(receiveOne(SESSIONS).id()).isEqualTo(started.messageId("revoke"));
    }

    @Test
    void anInvalidWorkflowStoresNothing() {
        createQueues();
        Workflow cyclic = Workflow.named("cyclic")
                .step("a", SESSIONS, 1, Workflow.after("c"))
                .step("b", SESSIONS, 2, Workflow.after("a"))
                .step("c", SESSIONS, 3, Workflow.after("b"));

        assertThatThrownBy(() -> workflows().start(cyclic)).isInstanceOfSatisfying(InvalidMessageException.class,
                e -> assertThat(e.getMessage()).contains("cycle"));
        assertThatThrownBy(() -> workflows().start(Workflow.unnamed().step("a", SESSIONS, 1, Workflow.after("nope"))))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("steps[0].after"));
        assertThatThrownBy(() -> workflows().start(Workflow.unnamed().step("a", SESSIONS, 1).step("a", EMAILS, 2)))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("steps[1].name"));
        assertThatThrownBy(() -> workflows().start(Workflow.unnamed().step("a", SESSIONS, 1)
                .step("b", EMAILS, 2, Workflow.after("a").headers(Map.of(Workflows.STEP_HEADER, "x")))))
                .isInstanceOfSatisfying(InvalidMessageException.class,
                        e -> assertThat(e.field()).isEqualTo("steps[1].headers." + Workflows.STEP_HEADER));
        assertThatThrownBy(() -> workflows().start(Workflow.unnamed()))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("steps"));
        assertThatThrownBy(() -> workflows().start(Workflow.unnamed().step("a", SESSIONS, 1).step("b", "no-such-queue", 2)))
                .isInstanceOf(QueueNotFoundException.class);

        assertQueueHoldsNothing(SESSIONS);
        assertQueueHoldsNothing(EMAILS);
        assertThat(workflows().list(null, null, null, 10).workflows()).isEmpty();
    }

    @Test
    void aSecondStartWithTheSameKeyReturnsTheFirstWorkflow() {
        createQueues();
        StartedWorkflow first = start(closeAccount().idempotencyKey("close-7"));

        StartedWorkflow again = start(closeAccount().idempotencyKey("close-7"));

        assertThat(again.duplicate()).isTrue();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(counts(SESSIONS).ready()).isEqualTo(1);
        assertThat(workflows().list(null, null, null, 10).workflows()).hasSize(1);
    }

    // ---------------------------------------------------------------- release

    @Test
    void aStepIsReleasedOnceEveryStepItFollowsSucceededWithTheirResults() {
        createQueues();
        StartedWorkflow started = start(Workflow.named("fan-in")
                .step("revoke", SESSIONS, 1)
                .step("refund", REFUNDS, 2)
                .step("goodbye", EMAILS, 3, Workflow.after("revoke", "refund")));
        String goodbye = started.messageId("goodbye");

        ackStep(SESSIONS, started.messageId("revoke"), Map.of("sessions", 3));
        postroom.runMaintenance();
        assertThat(stepState(started, "goodbye")).isEqualTo(WorkflowStepState.WAITING);
        assertNothingToReceive(EMAILS);

        ackStep(REFUNDS, started.messageId("refund"), Map.of("file", "refunds-7.csv"));
        postroom.runMaintenance();
        postroom.runMaintenance();

        assertThat(stepState(started, "goodbye")).isEqualTo(WorkflowStepState.READY);
        assertThat(releases(goodbye)).isEqualTo(1);
        TimelineEntry released = message(goodbye).timeline().getLast();
        assertThat(released.state()).isEqualTo(MessageState.READY);
        assertThat(released.reason()).isEqualTo("released after revoke, refund");
        WorkflowContext context = workflows().context(goodbye).orElseThrow();
        assertThat(context.workflowId()).isEqualTo(started.id());
        assertThat(context.step()).isEqualTo("goodbye");
        assertThat(context.resultSteps()).containsExactlyInAnyOrder("revoke", "refund");
        assertThat(context.result("refund", Map.class)).isEqualTo(Map.of("file", "refunds-7.csv"));
        assertSameJson(context.resultsJson().get("revoke"), Map.of("sessions", 3));
        assertThat(receiveOne(EMAILS).id()).isEqualTo(goodbye);
    }

    @Test
    void aChainRunsInOrderAndTheWorkflowSucceeds() {
        createQueues();
        StartedWorkflow started = start(closeAccount());
        CompletableFuture<WorkflowStatus> outcome = started.outcome();

        ackStep(SESSIONS, started.messageId("revoke"), null);
        postroom.runMaintenance();
        assertNothingToReceive(EMAILS);
        ackStep(REFUNDS, started.messageId("refund"), "refunded");
        postroom.runMaintenance();
        assertThat(outcome).isNotDone();
        clock.advance(java.time.Duration.ofSeconds(5));
        ackStep(EMAILS, started.messageId("goodbye"), null);
        postroom.runMaintenance();

        WorkflowStatus done = workflows().get(started.id());
        assertThat(done.state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(done.endedAt()).isEqualTo(clock.instant());
        assertThat(done.steps()).extracting(s -> s.state()).containsOnly(WorkflowStepState.SUCCEEDED);
        assertThat(outcome).isCompletedWithValueMatching(s -> s.state() == WorkflowState.SUCCEEDED);
        assertThat(workflows().context(started.messageId("goodbye")).orElseThrow().result("refund", String.class)).isEqualTo("refunded");
        assertThat(workflows().context(sendId(EMAILS, "alone"))).isEmpty();
    }

    @Test
    void handlersReadTheResultsOfTheStepsTheyFollowFromTheirDelivery() {
        createQueues();
        CompletableFuture<String> seen = new CompletableFuture<>();
        postroom.handle(SESSIONS, Map.class, delivery -> "revoked " + delivery.payload().get("customer"));
        postroom.handle(REFUNDS, Map.class, delivery -> {
            WorkflowContext context = delivery.workflow().orElseThrow();
            seen.complete(context.step() + " after " + context.result("revoke", String.class));
            return null;
        });
        postroom.handle(EMAILS, Map.class, delivery -> delivery.workflow().isPresent() ? "in a workflow" : "alone");
        StartedWorkflow started = start(Workflow.named("two").step("revoke", SESSIONS, Map.of("customer", 7))
                .step("refund", REFUNDS, Map.of("customer", 7), Workflow.after("revoke")));
        String alone = sendId(EMAILS, Map.of("customer", 7));

        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            postroom.runMaintenance();
            return seen.isDone();
        });

        assertThat(seen.join()).isEqualTo("refund after revoked 7");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> stateOf(alone) == MessageState.SUCCEEDED);
        assertSameJson(message(alone).resultJson(), "alone");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> {
            postroom.runMaintenance();
            return workflows().get(started.id()).state() == WorkflowState.SUCCEEDED;
        });
    }

    // ---------------------------------------------------------------- failure

    @Test
    void aDeadStepStopsItsFollowersAndRetryingItResumesTheWorkflow() {
        createQueues();
        StartedWorkflow started = start(closeAccount());
        CompletableFuture<WorkflowStatus> outcome = started.outcome();
        String revoke = started.messageId("revoke");

        assertThat(receiveAndNack(SESSIONS, revoke)).isEqualTo(MessageState.DEAD);
        postroom.runMaintenance();

        WorkflowStatus failed = workflows().get(started.id());
        assertThat(failed.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(failed.endedAt()).isEqualTo(clock.instant());
        assertThat(failed.step("refund").orElseThrow().state()).isEqualTo(WorkflowStepState.WAITING);
        assertThat(outcome).isCompletedExceptionally();
        assertThatThrownBy(outcome::join).hasCauseInstanceOf(WorkflowFailedException.class);
        assertNothingToReceive(REFUNDS);

        postroom.retry(revoke);
        postroom.runMaintenance();
        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.RUNNING);
        assertThat(workflows().get(started.id()).endedAt()).isNull();
        ackStep(SESSIONS, revoke, null);
        postroom.runMaintenance();

        assertThat(stepState(started, "refund")).isEqualTo(WorkflowStepState.READY);
        assertThat(releases(started.messageId("refund"))).isEqualTo(1);
    }

    @Test
    void aRetriedStepAckedBeforeTheNextPassStillReleasesTheStepsAfterIt() {
        createQueues();
        StartedWorkflow started = start(closeAccount());
        receiveAndNack(SESSIONS, started.messageId("revoke"));
        postroom.runMaintenance();
        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.FAILED);

        postroom.retry(started.messageId("revoke"));
        ackStep(SESSIONS, started.messageId("revoke"), null);
        clock.advance(java.time.Duration.ofSeconds(1));
        postroom.runMaintenance();

        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.RUNNING);
        assertThat(stepState(started, "refund")).isEqualTo(WorkflowStepState.READY);
    }

    @Test
    void aPassReachesAWorkflowBehindAHundredThatDoNotMove() {
        createQueues();
        for (int i = 0; i < 101; i++) {
            start(Workflow.named("idle").step("revoke", SESSIONS, i).step("refund", REFUNDS, i, Workflow.after("revoke")));
        }
        StartedWorkflow moving = start(Workflow.named("moving").step("notify", EMAILS, 1).step("refund", REFUNDS, 1, Workflow.after("notify")));
        clock.advance(java.time.Duration.ofMinutes(1));
        postroom.runMaintenance();

        ackStep(EMAILS, moving.messageId("notify"), null);
        postroom.runMaintenance();

        assertThat(stepState(moving, "refund")).isEqualTo(WorkflowStepState.READY);
    }

    @Test
    void aStepMessageDeletedLongAfterItsLastChangeIsFoundByTheSweep() {
        createQueues();
        StartedWorkflow started = start(closeAccount());
        clock.advance(java.time.Duration.ofHours(1));
        postroom.runMaintenance();

        assertThat(Futures.join(store.delete(started.messageId("revoke"), null))).isTrue();
        for (int i = 0; i < 10; i++) {
            postroom.runMaintenance();
        }

        WorkflowStatus failed = workflows().get(started.id());
        assertThat(failed.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(failed.step("revoke").orElseThrow().state()).isEqualTo(WorkflowStepState.DELETED);
    }

    @Test
    void retentionKeepsTheFinishedStepsOfAWorkflowUntilItIsSettled() {
        createQueues();
        StartedWorkflow started = start(closeAccount());
        ackStep(SESSIONS, started.messageId("revoke"), "revoked");
        postroom.runMaintenance();

        assertThat(Futures.join(store.purgeFinished(SESSIONS, MessageState.SUCCEEDED, clock.instant().plusSeconds(1)))).isZero();
        assertThat(stateOf(started.messageId("revoke"))).isEqualTo(MessageState.SUCCEEDED);

        ackStep(REFUNDS, started.messageId("refund"), null);
        postroom.runMaintenance();
        ackStep(EMAILS, started.messageId("goodbye"), null);
        postroom.runMaintenance();
        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThat(Futures.join(store.purgeFinished(SESSIONS, MessageState.SUCCEEDED, clock.instant().plusSeconds(1)))).isEqualTo(1);
    }

    @Test
    void retryingTheWorkflowRetriesEveryDeadStep() {
        createQueues();
        StartedWorkflow started = start(Workflow.named("two-roots")
                .step("revoke", SESSIONS, 1)
                .step("refund", REFUNDS, 2)
                .step("goodbye", EMAILS, 3, Workflow.after("revoke", "refund")));
        receiveAndNack(SESSIONS, started.messageId("revoke"));
        receiveAndNack(REFUNDS, started.messageId("refund"));
        postroom.runMaintenance();
        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.FAILED);

        WorkflowStatus retried = workflows().retry(started.id());

        assertThat(retried.step("revoke").orElseThrow().state()).isEqualTo(WorkflowStepState.READY);
        assertThat(retried.step("refund").orElseThrow().state()).isEqualTo(WorkflowStepState.READY);
        postroom.runMaintenance();
        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.RUNNING);
        ackStep(SESSIONS, started.messageId("revoke"), null);
        ackStep(REFUNDS, started.messageId("refund"), null);
        postroom.runMaintenance();
        assertThat(stepState(started, "goodbye")).isEqualTo(WorkflowStepState.READY);
    }

    @Test
    void aCleanUpStepRunsWhenTheStepsItFollowsFailed() {
        createQueues();
        StartedWorkflow started = start(closeAccount()
                .step("audit", EMAILS, Map.of("audit", 7), Workflow.after("goodbye").runOnFailure()));

        receiveAndNack(SESSIONS, started.messageId("revoke"));
        postroom.runMaintenance();

        WorkflowStatus failed = workflows().get(started.id());
        assertThat(failed.state()).isEqualTo(WorkflowState.FAILED);
        assertThat(failed.step("goodbye").orElseThrow().state()).isEqualTo(WorkflowStepState.WAITING);
        assertThat(failed.step("audit").orElseThrow().state()).isEqualTo(WorkflowStepState.READY);
        assertThat(message(started.messageId("audit")).timeline().getLast().reason())
                .isEqualTo("released (runs on failure) after goodbye");
        ackStep(EMAILS, started.messageId("audit"), null);
        postroom.runMaintenance();
        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.FAILED);
        assertThat(workflows().context(started.messageId("audit")).orElseThrow().resultSteps()).isEmpty();
    }

    @Test
    void aCleanUpStepAlsoRunsAfterSuccess() {
        createQueues();
        StartedWorkflow started = start(Workflow.named("with-audit")
                .step("revoke", SESSIONS, 1)
                .step("audit", EMAILS, 2, Workflow.after("revoke").runOnFailure()));

        ackStep(SESSIONS, started.messageId("revoke"), "done");
        postroom.runMaintenance();
        ackStep(EMAILS, started.messageId("audit"), null);
        postroom.runMaintenance();

        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.SUCCEEDED);
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancellingCancelsEveryUnfinishedStepAndReleasesNothingMore() {
        createQueues();
        StartedWorkflow started = start(closeAccount());
        ReceivedMessage revoke = receiveOne(SESSIONS);
        CompletableFuture<WorkflowStatus> outcome = started.outcome();

        WorkflowStatus cancelled = workflows().cancel(started.id());

        assertThat(cancelled.state()).isEqualTo(WorkflowState.CANCELLED);
        assertThat(cancelled.steps()).extracting(s -> s.state()).containsOnly(WorkflowStepState.CANCELLED);
        assertThatThrownBy(() -> postroom.ack(revoke.id(), revoke.leaseId(), null)).isInstanceOf(StaleLeaseException.class);
        postroom.retry(started.messageId("revoke"));
        ackStep(SESSIONS, started.messageId("revoke"), null);
        postroom.runMaintenance();
        assertThat(stepState(started, "refund")).isEqualTo(WorkflowStepState.CANCELLED);
        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.CANCELLED);
        assertThat(outcome).isCompletedExceptionally();
        assertThat(workflows().cancel(started.id()).state()).isEqualTo(WorkflowState.CANCELLED);
    }

    @Test
    void aSucceededWorkflowCannotBeCancelled() {
        createQueues();
        StartedWorkflow started = start(Workflow.named("one").step("revoke", SESSIONS, 1));
        ackStep(SESSIONS, started.messageId("revoke"), null);
        postroom.runMaintenance();

        assertThat(workflows().cancel(started.id()).state()).isEqualTo(WorkflowState.SUCCEEDED);
        assertThatThrownBy(() -> postroom.cancel(started.messageId("revoke"))).isInstanceOf(IllegalTransitionException.class);
    }

    // ---------------------------------------------------------------- restarts

    @Test
    void aCrashBetweenAnAckAndTheReleaseNeitherLosesNorDoublesIt() {
        createQueues();
        StartedWorkflow started = start(closeAccount());
        ackStep(SESSIONS, started.messageId("revoke"), "revoked");

        crashAndReopen();
        postroom.runMaintenance();
        postroom.runMaintenance();

        assertThat(stepState(started, "refund")).isEqualTo(WorkflowStepState.READY);
        assertThat(releases(started.messageId("refund"))).isEqualTo(1);
        assertThat(workflows().context(started.messageId("refund")).orElseThrow().result("revoke", String.class)).isEqualTo("revoked");
        restart();
        postroom.runMaintenance();
        assertThat(releases(started.messageId("refund"))).isEqualTo(1);
        assertThat(workflows().get(started.id()).state()).isEqualTo(WorkflowState.RUNNING);
    }

    // ---------------------------------------------------------------- reading

    @Test
    void workflowsAreListedNewestFirstByStateAndName() {
        createQueues();
        StartedWorkflow first = start(closeAccount());
        clock.advance(java.time.Duration.ofSeconds(1));
        StartedWorkflow second = start(Workflow.named("other").step("revoke", SESSIONS, 1));
        clock.advance(java.time.Duration.ofSeconds(1));
        StartedWorkflow third = start(closeAccount());
        receiveAndNack(SESSIONS, first.messageId("revoke"));
        postroom.runMaintenance();

        WorkflowPage page = workflows().list(null, null, null, 2);
        assertThat(page.workflows()).extracting(WorkflowStatus::id).containsExactly(third.id(), second.id());
        assertThat(workflows().list(null, null, page.next(), 2).workflows()).extracting(WorkflowStatus::id).containsExactly(first.id());
        assertThat(workflows().list(null, null, page.next(), 2).next()).isNull();
        assertThat(workflows().list(WorkflowState.FAILED, null, null, 10).workflows()).extracting(WorkflowStatus::id)
                .containsExactly(first.id());
        assertThat(workflows().list(null, "close-account", null, 10).workflows()).extracting(WorkflowStatus::id)
                .containsExactly(third.id(), first.id());
        assertThat(workflows().list(WorkflowState.RUNNING, "close-account", null, 10).workflows()).extracting(WorkflowStatus::id)
                .containsExactly(third.id());
        assertThatThrownBy(() -> workflows().get(unknownId())).isInstanceOf(WorkflowNotFoundException.class);
        assertThatThrownBy(() -> workflows().list(null, null, null, 0)).isInstanceOf(InvalidMessageException.class);
        assertThat(List.of(first, second, third)).extracting(StartedWorkflow::duplicate).containsOnly(false);
    }
}
