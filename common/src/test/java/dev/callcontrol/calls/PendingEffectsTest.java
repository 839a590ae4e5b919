package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.callcontrol.calls.ConnectedCall.AGENT_LEG;
import static dev.callcontrol.calls.ConnectedCall.ALICE;
import static dev.callcontrol.calls.ConnectedCall.CAROL;
import static dev.callcontrol.calls.ConnectedCall.CAROL_LEG;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A follow-up of a conference event that failed is kept in the record and sent again by the reconciler, never only logged. */
class PendingEffectsTest {
    private final ConnectedCall call = ConnectedCall.onTheClock();
    private final MutableClock clock = call.clock;
    private final InMemoryCallRecords records = call.records;
    private final FakeTelephony telephony = call.telephony;
    private final CallControl calls = call.calls;

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
