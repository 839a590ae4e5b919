package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import dev.callcontrol.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.callcontrol.calls.ConnectedCall.AGENT_LEG;
import static dev.callcontrol.calls.ConnectedCall.ALICE_AGENT;
import static dev.callcontrol.calls.ConnectedCall.CAROL;
import static dev.callcontrol.calls.ConnectedCall.CAROL_LEG;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static dev.callcontrol.calls.ConnectedCall.TRANSFER_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Added parties against in-memory ports: what counts towards {@code MAX_PARTIES}, a failed dial
 * freeing its place, the reconciler withdrawing a party nobody reported on, and the agent leaving
 * with a party still on.
 */
class PartiesTest {
    private static final String SAM_LEG = "CA00000000000000000000000000000a04";
    private static final String SAM = "WK00000000000000000000000000000004";

    private final ConnectedCall call = ConnectedCall.stampedByTheClock();
    private final MutableClock clock = call.clock;
    private final InMemoryCallRecords records = call.records;
    private final FakeTelephony telephony = call.telephony;
    private final CallControl calls = call.calls;

    private CallRecord record() {
        return records.find(TASK).orElseThrow();
    }

    private AddedParty party(String id) {
        return Parties.find(record(), p -> p.id.equals(id));
    }

    private AddedParty carolJoins() {
        AddedParty added = calls.addParty(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL), 6);
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 3, CAROL_LEG, Role.AGENT.label(CAROL, added.taskSid)));
        return added;
    }

    @Test
    void aRingingPartyTakesAPlaceAndASupervisorDoesNot() {
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 3, SAM_LEG, Role.SUPERVISOR.label(SAM)));
        AddedParty ringing = calls.addParty(TASK, ALICE_AGENT, new TransferTarget.ToNumber("+14155550901"), 3);
        assertEquals(AddedParty.RINGING, ringing.state);
        assertEquals(List.of("addParticipant +14155550901 " + ringing.label), telephony.requests);
        CallControlException full = assertThrows(CallControlException.class,
                () -> calls.addParty(TASK, ALICE_AGENT, new TransferTarget.ToNumber("+14155550902"), 3));
        assertEquals(409, full.status());
        assertEquals("too_many_parties", full.code());
        assertEquals(1, telephony.requests("addParticipant").size(), "nothing more was dialled");
    }

    @Test
    void aDialTwilioRefusesFreesItsPlace() {
        telephony.failures.put("addParticipant", request -> new CallControlException(502, "twilio_error", "Twilio failed"));
        assertThrows(CallControlException.class, () -> calls.addParty(TASK, ALICE_AGENT, new TransferTarget.ToNumber("+14155550903"), 3));
        AddedParty failed = record().parties.get(0);
        assertEquals(AddedParty.UNANSWERED, failed.state);
        assertEquals("twilio_error", failed.reason);
        telephony.failures.clear();
        assertEquals(AddedParty.RINGING, calls.addParty(TASK, ALICE_AGENT, new TransferTarget.ToNumber("+14155550903"), 3).state, "the place is free again");
    }

    @Test
    void theReconcilerWithdrawsAWorkerWhoNeverAnswered() {
        AddedParty added = calls.addParty(TASK, ALICE_AGENT, new TransferTarget.ToWorker(CAROL), 6);
        assertTrue(telephony.requests("createTask").get(0).contains("mode=party"), telephony.requests.toString());
        assertEquals(CallRecord.TASK_ROUTING, record().tasks.get(added.taskSid));
        clock.advance(Duration.ofSeconds(119));
        assertNull(calls.watch(record(), Duration.ofSeconds(300), TRANSFER_TIMEOUT), "within the transfer timeout the worker may still answer");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(PartyEvents.PARTY_TIMEOUT, calls.watch(record(), Duration.ofSeconds(300), TRANSFER_TIMEOUT));
        assertEquals(AddedParty.UNANSWERED, party(added.id).state);
        assertEquals("timeout", party(added.id).reason);
        assertEquals(CallRecord.TASK_CANCELED, record().tasks.get(added.taskSid));
        assertEquals(List.of("updateTask " + added.taskSid + " CANCELED"), telephony.requests("updateTask"));
        assertEquals(PartyEvents.PARTY_TIMEOUT, record().audit.get(record().audit.size() - 1).event);
        assertNull(calls.watch(record(), Duration.ofSeconds(300), TRANSFER_TIMEOUT), "once is enough");
    }

    @Test
    void aPartyWhoseTaskWasNeverRecordedIsFoundByItsId() {
        AddedParty claimed = new AddedParty();
        claimed.id = "5b8f3a52-6d1e-4c3a-9e0f-1a2b3c4d5e6f";
        claimed.kind = "worker";
        claimed.to = CAROL;
        claimed.state = AddedParty.STARTING;
        claimed.addedAt = clock.instant().toString();
        records.update(TASK, () -> null, record -> {
            record.parties = new java.util.ArrayList<>(List.of(claimed));
            return true;
        });
        String orphan = "WT" + "d".repeat(32);
        telephony.transferTasks.put(claimed.id, Map.of(orphan, "reserved"));
        clock.advance(TRANSFER_TIMEOUT);
        assertEquals(PartyEvents.PARTY_TIMEOUT, calls.watch(record(), Duration.ofSeconds(300), TRANSFER_TIMEOUT));
        assertEquals(List.of("updateTask " + orphan + " CANCELED"), telephony.requests("updateTask"));
        assertEquals(AddedParty.UNANSWERED, party(claimed.id).state);
    }

    @Test
    void theAgentLeavingHandsTheCallToAnAddedWorker() {
        AddedParty carol = carolJoins();
        assertEquals(AddedParty.JOINED, party(carol.id).state);
        assertEquals(CallRecord.TASK_ASSIGNED, record().tasks.get(carol.taskSid));
        telephony.requests.clear();
        calls.onConferenceEvent(CallRecordTest.left(4, AGENT_LEG, null, "participant_hung_up", "completed"));
        assertEquals(CAROL, record().workerSid);
        assertEquals(CAROL_LEG, record().agentCallSid);
        assertEquals(List.of(), telephony.requests("endConference"), "the customer still has an agent");
        calls.hold(TASK, new Principal(CAROL, false), true);
        assertEquals(1, telephony.requests("hold").size(), "carol has the call: she may hold the customer");
    }

    @Test
    void theLastAgentLeavingWithOnlyANumberOnEndsTheCall() {
        AddedParty number = calls.addParty(TASK, ALICE_AGENT, new TransferTarget.ToNumber("+14155550904"), 6);
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 3, number.callSid, number.label));
        assertEquals(AddedParty.JOINED, party(number.id).state);
        telephony.requests.clear();
        calls.onConferenceEvent(CallRecordTest.left(4, AGENT_LEG, null, "participant_hung_up", "completed"));
        assertEquals(1, telephony.requests("endConference").size(), "no customer is left with only an outside number");
    }

    @Test
    void onlyAnAgentOnTheCallAddsOrRemoves() {
        AddedParty carol = carolJoins();
        CallControlException supervisor = assertThrows(CallControlException.class,
                () -> calls.addParty(TASK, new Principal(SAM, true), new TransferTarget.ToNumber("+14155550905"), 6));
        assertEquals(403, supervisor.status());
        AddedParty byCarol = calls.addParty(TASK, new Principal(CAROL, false), new TransferTarget.ToNumber("+14155550905"), 6);
        assertEquals(CAROL, byCarol.addedBy, "an added worker is an agent on the call");
        CallControlException customer = assertThrows(CallControlException.class, () -> calls.removeParty(TASK, ALICE_AGENT, CUSTOMER_LEG));
        assertEquals("customer_not_removable", customer.code());
        CallControlException agent = assertThrows(CallControlException.class, () -> calls.removeParty(TASK, new Principal(CAROL, false), AGENT_LEG));
        assertEquals(404, agent.status(), "the call's own agent was not added");
        calls.removeParty(TASK, ALICE_AGENT, CAROL_LEG);
        assertEquals(List.of("removeParticipant " + CAROL_LEG), telephony.requests("removeParticipant"));
        calls.onConferenceEvent(CallRecordTest.left(5, CAROL_LEG, Role.AGENT.label(CAROL, carol.taskSid), "participant_hung_up", "completed"));
        assertEquals("removed", party(carol.id).reason, "the removal reads as one, whatever reason Twilio gives");
        assertEquals(CallRecord.TASK_WRAPPING, record().tasks.get(carol.taskSid));
    }
}
