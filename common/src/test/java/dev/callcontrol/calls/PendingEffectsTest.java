package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A follow-up of a conference event that failed is kept in the record and sent again by the reconciler, never only logged. */
class PendingEffectsTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String CONFERENCE = "CF0123456789abcdef0123456789abcdef";
    private static final String AGENT_LEG = "CA00000000000000000000000000000a01";
    private static final String CUSTOMER_LEG = "CA00000000000000000000000000000a02";
    private static final String CAROL_LEG = "CA00000000000000000000000000000a03";
    private static final String ALICE = "WK00000000000000000000000000000001";
    private static final String CAROL = "WK00000000000000000000000000000003";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:10:00Z"));
    private InMemoryCallRecords records;
    private FakeTelephony telephony;
    private CallControl calls;

    @BeforeEach
    void connected() {
        records = new InMemoryCallRecords();
        telephony = new FakeTelephony();
        telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "assigned", CUSTOMER_LEG, ALICE, "support", Map.of("from", "+14155550123"), 75));
        telephony.workers.put(CAROL, new Telephony.Worker(CAROL, "carol", "client:carol"));
        calls = new CallControl(records, telephony, new CallControl.Settings("https://calls.example.com", "+15005550006", 20, List.of("+1"), 120), clock);
        calls.onConferenceEvent(CallRecordTest.event("participant-join", 1, AGENT_LEG, false));
        calls.onConferenceEvent(CallRecordTest.event("participant-join", 2, CUSTOMER_LEG, false));
    }

    @Test
    void aCustomerTheTargetsJoinFailedToTakeOffHoldIsTakenOffHoldByTheReconciler() {
        calls.coldTransfer(TASK, new Principal(ALICE, false), new TransferTarget.ToWorker(CAROL));
        String transferTask = records.find(TASK).orElseThrow().transfer.taskSid;
        calls.onConferenceEvent(CallRecordTest.event("participant-hold", 3, CUSTOMER_LEG, true));
        calls.onConferenceEvent(CallRecordTest.event("participant-leave", 4, AGENT_LEG, false));
        telephony.failures.put("hold", request -> CallControlException.upstream("Twilio failed"));
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 5, CAROL_LEG, Role.AGENT.label(CAROL, transferTask)));
        telephony.failures.clear();
        CallRecord record = records.find(TASK).orElseThrow();
        assertNull(record.transfer, "carol has the call");
        assertEquals(List.of(CallRecord.EFFECT_UNHOLD_CUSTOMER), record.pendingEffects, "the failed resume is kept, not only logged");

        telephony.requests.clear();
        assertEquals(PendingEffects.EVENT, calls.watch(record, Duration.ofSeconds(300), Duration.ofSeconds(120)));
        assertEquals(List.of("hold " + CUSTOMER_LEG + " false"), telephony.requests);
        CallRecord after = records.find(TASK).orElseThrow();
        assertNull(after.pendingEffects);
        assertEquals(PendingEffects.EVENT, after.audit.get(after.audit.size() - 1).event);
        telephony.requests.clear();
        assertNull(calls.watch(after, Duration.ofSeconds(300), Duration.ofSeconds(120)), "sent once");
        assertTrue(telephony.requests.isEmpty(), telephony.requests.toString());
    }

    @Test
    void anEffectThatFailsAgainStaysForTheNextRun() {
        records.update(TASK, () -> null, r -> {
            r.customer().hold(true, clock.instant());
            r.pendingEffects = new java.util.ArrayList<>(List.of(CallRecord.EFFECT_UNHOLD_CUSTOMER));
            return true;
        });
        telephony.failures.put("hold", request -> CallControlException.upstream("Twilio failed"));
        CallRecord record = records.find(TASK).orElseThrow();
        org.junit.jupiter.api.Assertions.assertThrows(CallControlException.class,
                () -> calls.watch(record, Duration.ofSeconds(300), Duration.ofSeconds(120)));
        assertEquals(List.of(CallRecord.EFFECT_UNHOLD_CUSTOMER), records.find(TASK).orElseThrow().pendingEffects);
    }
}
