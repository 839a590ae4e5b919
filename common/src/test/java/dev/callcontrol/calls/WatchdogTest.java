package dev.callcontrol.calls;

import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.callcontrol.calls.ConnectedCall.AGENT_LEG;
import static dev.callcontrol.calls.ConnectedCall.ALICE_AGENT;
import static dev.callcontrol.calls.ConnectedCall.CAROL;
import static dev.callcontrol.calls.ConnectedCall.CAROL_LEG;
import static dev.callcontrol.calls.ConnectedCall.CONFERENCE;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static dev.callcontrol.calls.ConnectedCall.TRANSFER_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits the reconciler's watchdog enforces ({@code MAX_HOLD_SECONDS}, {@code TRANSFER_TIMEOUT_SECONDS}),
 * against in-memory ports on a clock the test moves.
 */
class WatchdogTest {
    private static final Duration MAX_HOLD = Duration.ofSeconds(300);

    private final ConnectedCall call = ConnectedCall.stampedByTheClock();
    private final MutableClock clock = call.clock;
    private final InMemoryCallRecords records = call.records;
    private final FakeTelephony telephony = call.telephony;
    private final CallControl calls = call.calls;

    private Reconciler.Outcome reconcile() {
        Reconciler reconciler = new Reconciler(records, records, telephony, calls,
                new Reconciler.Settings(Duration.ZERO, Reconciler.Settings.MAX_REQUESTS, Duration.ofMinutes(1), MAX_HOLD, TRANSFER_TIMEOUT), clock);
        return dev.callcontrol.http.Deadline.within(60_000, reconciler::run);
    }

    private void later(long seconds) {
        clock.advance(Duration.ofSeconds(seconds));
        records.now = clock.instant();
    }

    private static Telephony.ConferenceParticipant connected(String callSid, String label, boolean hold) {
        return new Telephony.ConferenceParticipant(callSid, label, hold, false, false, null, true);
    }

    private void twilioHas(Telephony.ConferenceParticipant... participants) {
        telephony.conferences.put(CONFERENCE, new Telephony.ConferenceState(false, List.of(participants)));
    }

    private CallRecord record() {
        return records.find(TASK).orElseThrow();
    }

    private CallRecord.AuditEntry lastAudit() {
        List<CallRecord.AuditEntry> audit = record().audit;
        assertNotNull(audit, "the call has an audit trail");
        return audit.get(audit.size() - 1);
    }

    @Test
    void aCustomerHeldPastTheLimitIsBroughtBackToTheAgentWhoHearsWhyFirst() {
        calls.hold(TASK, ALICE_AGENT, true);
        assertEquals(clock.instant().toString(), record().customer().heldSince);
        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", true));
        later(299);
        telephony.requests.clear();
        assertEquals(0, reconcile().limits(), "under the limit nothing happens");
        assertEquals(List.of("conference " + CONFERENCE), telephony.requests);

        later(1);
        Reconciler.Outcome outcome = reconcile();
        assertEquals(1, outcome.limits(), outcome.toString());
        int announce = telephony.requests.indexOf("announce " + AGENT_LEG + " "
                + dev.callcontrol.twilio.WebhookUrls.withRetries("https://calls.example.com/twilio/announcement?say=hold-limit"));
        int resume = telephony.requests.indexOf("hold " + CUSTOMER_LEG + " false");
        assertTrue(announce >= 0 && resume > announce, "the agent hears why, then the customer is back: " + telephony.requests);
        assertFalse(record().customer().hold);
        assertNull(record().customer().heldSince);
        CallRecord.AuditEntry entry = lastAudit();
        assertEquals("hold_limit_resumed", entry.event);
        assertEquals("watchdog", entry.by);
        assertTrue(entry.detail.contains("held 300 s"), entry.detail);
        assertEquals(1, ((List<?>) record().view().get("audit")).size(), "GET /calls/{taskSid} shows it");

        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", false));
        telephony.requests.clear();
        assertEquals(0, reconcile().repaired(), "a second run finds the customer with the agent");
        assertEquals(List.of("conference " + CONFERENCE), telephony.requests);
    }

    @Test
    void aHoldTwilioCarriedOutThatTheRecordMissedIsLearnedAndTimedFromThen() {
        // The hold request succeeded, its participant-hold was lost and the command's write never landed.
        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", true));
        reconcile();
        assertTrue(record().customer().hold, "the reconciler applied the hold Twilio reports");
        assertEquals(clock.instant().toString(), record().customer().heldSince);
        later(300);
        telephony.requests.clear();
        assertEquals(1, reconcile().limits());
        assertTrue(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), telephony.requests.toString());
    }

    @Test
    void aResumeThatFailsIsTriedAgainByTheNextRun() {
        calls.hold(TASK, ALICE_AGENT, true);
        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", true));
        later(301);
        telephony.failures.put("hold", request -> dev.callcontrol.agent.CallControlException.upstream("Twilio failed"));
        assertEquals(0, reconcile().limits());
        assertTrue(record().customer().hold, "nothing is written when the resume failed");
        telephony.failures.clear();
        later(60);
        assertEquals(1, reconcile().limits());
        assertFalse(record().customer().hold);
    }

    @Test
    void aColdTransferToAWorkerWhoNeverAnswersEndsAsANoAnswerAfterTheTimeout() {
        calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL));
        String transferTask = record().transfer.taskSid;
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 3, AGENT_LEG, false));
        twilioHas(connected(CUSTOMER_LEG, "customer", true));
        later(119);
        assertEquals(0, reconcile().limits());
        later(1);
        telephony.requests.clear();
        assertEquals(1, reconcile().limits());
        assertTrue(telephony.requests.contains("updateTask " + transferTask + " CANCELED"), telephony.requests.toString());
        assertTrue(telephony.requests.stream().anyMatch(r -> r.startsWith("createTask " + CallControl.REQUEUE_PRIORITY + " ")), telephony.requests.toString());
        assertEquals(1, record().transfer.requeues);
        assertEquals(CallRecord.TASK_CANCELED, record().tasks.get(transferTask));
        assertEquals("transfer_timeout", lastAudit().event);

        later(600);
        telephony.requests.clear();
        assertEquals(0, reconcile().limits(), "back in the queue, the customer waits as any caller does");
    }

    @Test
    void aColdTransferToANumberStillRingingIsHungUpAndTheCustomerRequeued() {
        calls.coldTransfer(TASK, ALICE_AGENT, new TransferTarget.ToNumber("+14155550199"));
        String numberLeg = record().transfer.callSid;
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 3, AGENT_LEG, false));
        twilioHas(connected(CUSTOMER_LEG, "customer", true));
        later(120);
        telephony.requests.clear();
        assertEquals(1, reconcile().limits());
        assertTrue(telephony.requests.contains("endCall " + numberLeg), telephony.requests.toString());
        assertTrue(telephony.requests.stream().anyMatch(r -> r.startsWith("createTask " + CallControl.REQUEUE_PRIORITY + " ")), telephony.requests.toString());
        assertEquals("queue", record().transfer.target);
        // The leg's own status callback, late: the transfer it belonged to is over.
        calls.onTransferLegEnded(TASK, null, numberLeg, "canceled", null);
        assertEquals(1, record().transfer.requeues);
    }

    @Test
    void aWarmTransferWhoseTargetNeverJoinsFailsAndTheCustomerIsBackWithTheAgent() {
        calls.warm().start(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL));
        String transferTask = record().warm.taskSid;
        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", true));
        later(120);
        telephony.requests.clear();
        assertEquals(1, reconcile().limits());
        WarmTransfer warm = record().warm;
        assertEquals(WarmTransfer.State.FAILED, warm.state);
        assertEquals(WarmTransfer.Reason.TIMEOUT, warm.reason);
        assertEquals("watchdog", warm.history.get(warm.history.size() - 1).by);
        assertTrue(telephony.requests.contains("updateTask " + transferTask + " CANCELED"), telephony.requests.toString());
        assertTrue(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), telephony.requests.toString());
        assertEquals("transfer_timeout", lastAudit().event);
    }

    @Test
    void aConsultThatKeepsTheCustomerOnHoldTooLongBecomesThreeWay() {
        calls.warm().start(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL));
        String transferTask = record().warm.taskSid;
        calls.onConferenceEvent(CallRecordTest.event("participant-hold", 3, CUSTOMER_LEG, true));
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 4, CAROL_LEG, Role.AGENT.label(CAROL, transferTask)));
        assertEquals(WarmTransfer.State.CONSULTING, record().warm.state);
        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", true),
                connected(CAROL_LEG, Role.AGENT.label(CAROL, transferTask), false));
        later(300);
        telephony.requests.clear();
        assertEquals(1, reconcile().limits());
        assertTrue(telephony.requests.get(1).startsWith("announce " + AGENT_LEG), telephony.requests.toString());
        assertTrue(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), telephony.requests.toString());
        assertEquals(WarmTransfer.State.THREE_WAY, record().warm.state);
        assertEquals(WarmTransfer.Reason.HOLD_LIMIT, record().warm.reason);
        assertEquals("hold_limit_resumed", lastAudit().event);
    }

    @Test
    void aCustomerHeldTooLongWithNoAgentLeftGoesBackToTheirQueue() {
        calls.hold(TASK, ALICE_AGENT, true);
        // The agent is gone and nothing else in the record stands for them.
        records.update(TASK, () -> null, r -> {
            r.legs.get(AGENT_LEG).present = false;
            r.queue = "support";
            return true;
        });
        later(300);
        telephony.requests.clear();
        assertEquals("hold_limit_requeued", calls.watch(record(), MAX_HOLD, TRANSFER_TIMEOUT));
        assertTrue(telephony.requests.stream().anyMatch(r -> r.startsWith("createTask " + CallControl.REQUEUE_PRIORITY + " ")), telephony.requests.toString());
        assertEquals("routing", record().transfer.state);
        assertEquals("support", record().transfer.to);
        assertEquals("hold_limit_requeued", lastAudit().event);
        assertNull(calls.watch(record(), MAX_HOLD, TRANSFER_TIMEOUT), "once back in the queue, nothing more");
    }

    @Test
    void theAuditTrailKeepsTheNewestEntries() {
        CallRecord record = new CallRecord(TASK);
        for (int i = 0; i < CallRecord.AUDIT_ENTRIES + 5; i++) {
            record.audit(clock.instant(), "watchdog", "e" + i, null);
        }
        assertEquals(CallRecord.AUDIT_ENTRIES, record.audit.size());
        assertEquals("e5", record.audit.get(0).event);
    }

    @Test
    void twoRunsAtOnceActOnce() throws Exception {
        calls.hold(TASK, ALICE_AGENT, true);
        twilioHas(connected(AGENT_LEG, null, false), connected(CUSTOMER_LEG, "customer", true));
        later(300);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = pool.submit(this::reconcile);
            var second = pool.submit(this::reconcile);
            first.get();
            second.get();
        } finally {
            pool.shutdown();
        }
        long entries = record().audit.stream().filter(e -> e.event.equals("hold_limit_resumed")).count();
        assertEquals(1, entries, "one audit entry for one hold: " + record().audit.size());
        // Both may have sent the resume (harmless: resuming a resumed participant); only one claimed it.
        assertTrue(telephony.requests.contains("hold " + CUSTOMER_LEG + " false"), telephony.requests.toString());
    }
}
