package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.metrics.CallMetrics;
import dev.callcontrol.metrics.CallMetrics.Metric;
import dev.callcontrol.metrics.CallMetrics.Unit;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.MutableClock;
import dev.callcontrol.testing.RecordedMetrics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.callcontrol.calls.ConnectedCall.AGENT_LEG;
import static dev.callcontrol.calls.ConnectedCall.ALICE_AGENT;
import static dev.callcontrol.calls.ConnectedCall.CAROL;
import static dev.callcontrol.calls.ConnectedCall.CAROL_LEG;
import static dev.callcontrol.calls.ConnectedCall.CONFERENCE;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.SALES;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What call control counts, against in-memory ports and a recording metrics port, on a clock the test moves. */
class CallMetricsTest {
    private static final Map<String, String> COLD_WORKER = Map.of(CallMetrics.TRANSFER_KIND, "cold", CallMetrics.TARGET_KIND, "worker");
    private static final Map<String, String> COLD_QUEUE = Map.of(CallMetrics.TRANSFER_KIND, "cold", CallMetrics.TARGET_KIND, "queue");
    private static final Map<String, String> WARM_WORKER = Map.of(CallMetrics.TRANSFER_KIND, "warm", CallMetrics.TARGET_KIND, "worker");

    private final RecordedMetrics metrics = new RecordedMetrics();
    private final ConnectedCall call = ConnectedCall.stampedByTheClock(metrics);
    private final MutableClock clock = call.clock;
    private final InMemoryCallRecords records = call.records;
    private final FakeTelephony telephony = call.telephony;
    private final CallControl calls = call.calls;
    private int sequence = 2;

    @BeforeEach
    void connected() {
        telephony.queues.add(SALES);
        assertEquals(List.of(), metrics.all(), "a call connecting counts nothing");
    }

    private void later(long seconds) {
        clock.advance(Duration.ofSeconds(seconds));
        records.now = clock.instant();
    }

    private void event(String type, String callSid, boolean hold) {
        calls.onConferenceEvent(CallRecordTest.event(type, ++sequence, callSid, hold));
    }

    private void carolJoins(String transferTask) {
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", ++sequence, CAROL_LEG, Role.AGENT.label(CAROL, transferTask)));
    }

    private static Metric count(String name, Map<String, String> dimensions) {
        return new Metric(name, 1, Unit.COUNT, dimensions);
    }

    private static Metric seconds(String name, double value, Map<String, String> dimensions) {
        return new Metric(name, value, Unit.SECONDS, dimensions);
    }

    @Test
    void aHoldIsCountedOnceAndTimedWhenItEndsWhoeverReportsIt() {
        calls.hold(TASK, ALICE_AGENT, true);
        event("participant-hold", CUSTOMER_LEG, true);
        calls.hold(TASK, ALICE_AGENT, true);
        later(42);
        calls.hold(TASK, ALICE_AGENT, false);
        event("participant-unhold", CUSTOMER_LEG, false);
        assertEquals(List.of(count(CallMetrics.HOLDS, Map.of()), seconds(CallMetrics.HOLD_SECONDS, 42, Map.of())), metrics.all());

        // A hold the product only hears of from Twilio counts the same.
        event("participant-hold", CUSTOMER_LEG, true);
        later(5);
        event("participant-unhold", CUSTOMER_LEG, false);
        assertEquals(2, metrics.named(CallMetrics.HOLDS).size());
        assertEquals(seconds(CallMetrics.HOLD_SECONDS, 5, Map.of()), metrics.named(CallMetrics.HOLD_SECONDS).get(1));
    }

    @Test
    void aColdTransferIsRequestedThenCompletedWhenItsTargetJoinsWithTheTimeTheyTook() {
        calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL));
        String transferTask = records.find(TASK).orElseThrow().transfer.taskSid;
        event("participant-leave", AGENT_LEG, false);
        later(17);
        carolJoins(transferTask);
        carolJoins(transferTask);
        // The join took the customer off hold (a participant update); Twilio reports it.
        event("participant-unhold", CUSTOMER_LEG, false);

        assertEquals(List.of(count("TransfersRequested", COLD_WORKER)), metrics.named("TransfersRequested"));
        assertEquals(List.of(count("TransfersCompleted", COLD_WORKER)), metrics.named("TransfersCompleted"));
        assertEquals(List.of(seconds(CallMetrics.TRANSFER_ANSWER_SECONDS, 17, COLD_WORKER)), metrics.named(CallMetrics.TRANSFER_ANSWER_SECONDS));
        assertEquals(List.of(seconds(CallMetrics.HOLD_SECONDS, 17, Map.of())), metrics.named(CallMetrics.HOLD_SECONDS),
                "the customer waited on hold for the target");
        assertTrue(metrics.named("TransfersFailed").isEmpty() && metrics.named("TransfersCanceled").isEmpty(), metrics.all().toString());
    }

    @Test
    void aColdTransferWhoseTargetDoesNotAnswerFailsOnceAndTheRequeueIsNotASecondTransfer() {
        calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL));
        String transferTask = records.find(TASK).orElseThrow().transfer.taskSid;
        event("participant-leave", AGENT_LEG, false);
        calls.onTransferLegEnded(TASK, transferTask, CAROL_LEG, "no-answer");
        calls.onTransferLegEnded(TASK, transferTask, CAROL_LEG, "no-answer");
        assertEquals(List.of(count("TransfersFailed", COLD_WORKER)), metrics.named("TransfersFailed"));

        // The customer is back in their queue; the next agent taking the call is not a completed transfer.
        String requeued = records.find(TASK).orElseThrow().transfer.taskSid;
        carolJoins(requeued);
        assertTrue(metrics.named("TransfersCompleted").isEmpty(), metrics.all().toString());
        assertEquals(1, metrics.named("TransfersRequested").size());
    }

    @Test
    void aColdTransferThatCannotStartFailsAtOnce() {
        telephony.failures.put("createTask", request -> CallControlException.upstream("Twilio failed creating a task"));
        assertThrows(CallControlException.class, () -> calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToQueue("sales")));
        assertEquals(List.of(count("TransfersRequested", COLD_QUEUE)), metrics.named("TransfersRequested"));
        assertEquals(List.of(count("TransfersFailed", COLD_QUEUE)), metrics.named("TransfersFailed"));
    }

    @Test
    void theCustomerHangingUpDuringAColdTransferCancelsIt() {
        calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToQueue("sales"));
        event("participant-leave", AGENT_LEG, false);
        event("conference-end", null, false);
        assertEquals(List.of(count("TransfersCanceled", COLD_QUEUE)), metrics.named("TransfersCanceled"));
        assertTrue(metrics.named("TransfersFailed").isEmpty(), metrics.all().toString());
    }

    @Test
    void aWarmTransferIsRequestedAnsweredConsultedAndCanceled() {
        calls.warm().start(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL));
        String transferTask = records.find(TASK).orElseThrow().warm.taskSid;
        later(9);
        carolJoins(transferTask);
        later(31);
        calls.warm().cancel(TASK, ALICE_AGENT);

        assertEquals(List.of(count("TransfersRequested", WARM_WORKER)), metrics.named("TransfersRequested"));
        assertEquals(List.of(seconds(CallMetrics.TRANSFER_ANSWER_SECONDS, 9, WARM_WORKER)), metrics.named(CallMetrics.TRANSFER_ANSWER_SECONDS));
        assertEquals(List.of(seconds(CallMetrics.CONSULT_SECONDS, 31, Map.of(CallMetrics.TARGET_KIND, "worker"))), metrics.named(CallMetrics.CONSULT_SECONDS));
        assertEquals(List.of(count("TransfersCanceled", WARM_WORKER)), metrics.named("TransfersCanceled"));
        assertTrue(metrics.named("TransfersCompleted").isEmpty() && metrics.named("TransfersFailed").isEmpty(), metrics.all().toString());
    }

    @Test
    void aWarmTransferWhoseTargetNeverAnswersFails() {
        calls.warm().start(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL));
        String transferTask = records.find(TASK).orElseThrow().warm.taskSid;
        calls.onTransferLegEnded(TASK, transferTask, CAROL_LEG, "busy");
        assertEquals(List.of(count("TransfersFailed", WARM_WORKER)), metrics.named("TransfersFailed"));
        assertTrue(metrics.named(CallMetrics.CONSULT_SECONDS).isEmpty() && metrics.named(CallMetrics.TRANSFER_ANSWER_SECONDS).isEmpty(),
                metrics.all().toString());
    }

    @Test
    void theReconcilerCountsEachRepairByItsKind() {
        calls.hold(TASK, ALICE_AGENT, true);
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(false, List.of(
                new Telephony.ConferenceParticipant(CUSTOMER_LEG, "customer", true, false, false, null, true))));
        later(300);
        metrics.clear();
        Reconciler reconciler = new Reconciler(records, records, telephony, calls,
                new Reconciler.Settings(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS, Duration.ofMinutes(1)), clock, metrics);
        dev.callcontrol.http.Deadline.within(60_000, reconciler::run);
        // The agent's leave never arrived: applied, and the customer, held too long with no agent, goes back to the queue.
        List<String> repairs = metrics.named(CallMetrics.RECOVERIES).stream().map(m -> m.dimensions().get(CallMetrics.REPAIR)).toList();
        assertTrue(repairs.contains("lost_participant_leave"), repairs.toString());
        assertTrue(metrics.named(CallMetrics.RECOVERIES).stream().allMatch(m -> m.unit() == Unit.COUNT && m.value() == 1), metrics.all().toString());
    }
}
