package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.callcontrol.calls.ConnectedCall.AGENT_LEG;
import static dev.callcontrol.calls.ConnectedCall.ALICE;
import static dev.callcontrol.calls.ConnectedCall.CAROL;
import static dev.callcontrol.calls.ConnectedCall.CONFERENCE;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.SALES;
import static dev.callcontrol.calls.ConnectedCall.SETTINGS;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Call control against in-memory ports: what it asks of Twilio, in which order, and what it undoes. */
class CallControlTest {
    private static final Principal AGENT = new Principal(ALICE, false);

    /** The customer called about billing, and a sales queue a transfer may go to; call control on its own clock. */
    private final ConnectedCall call = new ConnectedCall(connecting -> {
        connecting.telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "assigned", CUSTOMER_LEG, ALICE, "support",
                Map.of("from", "+14155550123", "reason", "billing"), 75));
        connecting.telephony.queues.add(SALES);
        return new CallControl(connecting.records, connecting.telephony, SETTINGS);
    });
    private final InMemoryCallRecords records = call.records;
    private final FakeTelephony telephony = call.telephony;
    private final CallControl calls = call.calls;

    @Test
    void holdIsOneRequestEvenWhenTheRecordSaysTheCustomerIsHeldAlready() {
        calls.hold(TASK, AGENT, true);
        calls.hold(TASK, AGENT, true);
        assertEquals(List.of("hold " + CUSTOMER_LEG + " true", "hold " + CUSTOMER_LEG + " true"), telephony.requests);
    }

    @Test
    void aResumeReachesTwilioAfterAHoldThatFailedPerhapsAfterActing() {
        telephony.failures.put("hold", request -> CallControlException.upstream("Twilio failed holding"));
        assertThrows(CallControlException.class, () -> calls.hold(TASK, AGENT, true));
        telephony.failures.clear();
        calls.hold(TASK, AGENT, false);
        assertEquals(List.of("hold " + CUSTOMER_LEG + " true", "hold " + CUSTOMER_LEG + " false"), telephony.requests);
    }

    @Test
    void coldTransferHoldsAndCreatesTheTaskThenRemovesTheAgentAndWrapsTheirTask() {
        CallRecord call = calls.coldTransfer(TASK, AGENT, new TransferTarget.ToWorker(CAROL));
        assertEquals("routing", call.transfer.state);
        List<String> twilio = telephony.requests.stream().filter(r -> !r.startsWith("worker ")).toList();
        assertEquals(4, twilio.size(), twilio.toString());
        assertTrue(twilio.subList(0, 2).contains("hold " + CUSTOMER_LEG + " true"), twilio.toString());
        assertTrue(twilio.subList(0, 2).stream().anyMatch(r -> r.startsWith("createTask 10 ") && r.contains("requested_agent=" + CAROL)
                && r.contains("call_task_sid=" + TASK) && r.contains("conference_sid=" + CONFERENCE)), twilio.toString());
        assertTrue(twilio.stream().anyMatch(r -> r.startsWith("createTask ") && r.endsWith(" timeout=" + CallControl.Settings.TRANSFER_TIMEOUT_SECONDS)),
                "a transfer task waits TRANSFER_TIMEOUT_SECONDS, not TaskRouter's day: " + twilio);
        assertTrue(twilio.subList(2, 4).containsAll(List.of("removeParticipant " + AGENT_LEG, "updateTask " + TASK + " WRAPPING")), twilio.toString());
        assertEquals(TASK, records.find(call.transfer.taskSid).orElseThrow().taskSid, "the transfer task reaches the call");
    }

    @Test
    void aTransferWhoseHoldFailsCancelsTheTaskItCreatedAndLeavesTheCallAsItWas() {
        telephony.failures.put("hold", request -> CallControlException.upstream("Twilio failed holding"));
        assertThrows(CallControlException.class, () -> calls.coldTransfer(TASK, AGENT, new TransferTarget.ToQueue("sales")));
        assertEquals(1, telephony.requests("updateTask").size());
        assertTrue(telephony.requests("updateTask").get(0).endsWith(" CANCELED"));
        assertTrue(telephony.requests("removeParticipant").isEmpty(), "the agent stays on the call");
        assertNull(records.find(TASK).orElseThrow().transfer, "no transfer is left pending");
    }

    @Test
    void aTransferWhoseTaskCannotBeCreatedResumesTheCustomer() {
        telephony.failures.put("createTask", request -> CallControlException.upstream("Twilio failed creating a task"));
        assertThrows(CallControlException.class, () -> calls.coldTransfer(TASK, AGENT, new TransferTarget.ToQueue("sales")));
        assertEquals(List.of("hold " + CUSTOMER_LEG + " true", "hold " + CUSTOMER_LEG + " false"), telephony.requests("hold"));
        assertNull(records.find(TASK).orElseThrow().transfer);
    }

    @Test
    void numbersOutsideTheDialPrefixesAreNeverDialled() {
        CallControlException refused = assertThrows(CallControlException.class,
                () -> calls.coldTransfer(TASK, AGENT, new TransferTarget.ToNumber("+442071838750")));
        assertEquals(403, refused.status());
        assertEquals(List.of(), telephony.requests);
    }

    @Test
    void theWhisperSaysWhoIsCallingFromWhichQueueHowLongTheyWaitedAndWhy() {
        assertEquals("Call from 1 4 1 5 5 5 5 0 1 2 3. Queue support. Waited 1 minute. Reason: billing.", calls.agentWhisper(TASK).orElseThrow());
        telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "canceled", CUSTOMER_LEG, ALICE, "support", Map.of(), 75));
        assertTrue(calls.agentWhisper(TASK).isEmpty(), "no whisper for a caller who left");
    }

    @Test
    void aTransferTargetsAnsweredLegAcceptsTheirReservationAndOneWhoseReservationIsGoneDoesNotJoin() {
        CallRecord call = calls.coldTransfer(TASK, AGENT, new TransferTarget.ToWorker(CAROL));
        String reservation = "WR00000000000000000000000000000001";
        telephony.requests.clear();

        assertTrue(calls.answerTransferLeg(TASK, call.transfer.taskSid, reservation));
        assertEquals(List.of("acceptReservation " + call.transfer.taskSid + " " + reservation), telephony.requests);

        telephony.acceptances.put(reservation, Telephony.Acceptance.ALREADY_ACCEPTED);
        assertTrue(calls.answerTransferLeg(TASK, call.transfer.taskSid, reservation), "a repeated fetch still joins");
        telephony.acceptances.put(reservation, Telephony.Acceptance.GONE);
        assertFalse(calls.answerTransferLeg(TASK, call.transfer.taskSid, reservation), "a reservation timed out while the phone rang");
        assertTrue(calls.answerTransferLeg(TASK, call.transfer.taskSid, null), "a leg of an instruction that asked TaskRouter to accept");
    }

    @Test
    void aLegAnsweredAfterTheTransferEndedNeitherJoinsNorAcceptsAnything() {
        assertFalse(calls.answerTransferLeg(TASK, "WT" + "e".repeat(32), "WR00000000000000000000000000000001"));
        assertEquals(List.of(), telephony.requests);
    }

    @Test
    void aQueueWorkerWhoRingsOutHasTheirReservationRejectedSoTheQueueOffersTheNext() {
        CallRecord call = calls.coldTransfer(TASK, AGENT, new TransferTarget.ToQueue("sales"));
        String reservation = "WR00000000000000000000000000000002";
        telephony.requests.clear();

        calls.onTransferLegEnded(TASK, call.transfer.taskSid, "CA00000000000000000000000000000b01", "no-answer", reservation);

        assertEquals(List.of("rejectReservation " + call.transfer.taskSid + " " + reservation), telephony.requests);
        assertEquals("routing", records.find(TASK).orElseThrow().transfer.state, "the customer waits on hold for the queue's next worker");
    }

    @Test
    void theWhisperAcceptsTheAgentsReservationAndAnAgentWhoRingsOutIsRejected() {
        String reservation = "WR00000000000000000000000000000003";
        assertTrue(calls.agentWhisper(TASK, reservation).isPresent());
        assertEquals(List.of("task " + TASK, "acceptReservation " + TASK + " " + reservation), telephony.requests);

        telephony.acceptances.put(reservation, Telephony.Acceptance.GONE);
        assertTrue(calls.agentWhisper(TASK, reservation).isEmpty(), "an agent whose reservation timed out is not connected");

        telephony.requests.clear();
        calls.onTransferLegEnded(TASK, TASK, "CA00000000000000000000000000000b02", "busy", reservation);
        assertEquals(List.of("rejectReservation " + TASK + " " + reservation), telephony.requests, "the caller is offered to the next agent");
    }

    // ------------------------------------------------------------------ a number that is not answered

    private static final String NUMBER = "+14155550960";
    /** The first leg FakeTelephony dials. */
    private static final String NUMBER_LEG = "CA" + "e".repeat(30) + "01";

    private static ConferenceEvent numberLeft(int sequence, String status) {
        return CallRecordTest.left(sequence, NUMBER_LEG, "transfer:0123", "participant_add_failed", status);
    }

    @Test
    void aColdTransferToANumberThatRingsOutRequeuesTheCustomerOnceWhicheverReportComesFirst() {
        calls.coldTransfer(TASK, AGENT, new TransferTarget.ToNumber(NUMBER));
        telephony.requests.clear();
        calls.onConferenceEvent(numberLeft(5, "no-answer"));
        assertEquals(1, telephony.requests("createTask").size(), "the participant-leave alone re-queues the customer: " + telephony.requests);
        calls.onTransferLegEnded(TASK, null, NUMBER_LEG, "no-answer");
        calls.onConferenceEvent(numberLeft(5, "no-answer"));
        assertEquals(1, telephony.requests("createTask").size(), "the status callback and a repeated leave change nothing");
        assertEquals(1, records.find(TASK).orElseThrow().transfer.requeues);
        assertTrue(telephony.requests("endConference").isEmpty(), "a leg that never joined is not the last agent leaving");
    }

    @Test
    void aColdTransferWhoseNumberIsReportedBeforeTheRecordKnowsTheLegStillRequeuesTheCustomer() {
        // The number is busy at once: its participant-leave lands while the create is still answering.
        telephony.during.put("addParticipant", request -> calls.onConferenceEvent(numberLeft(5, "busy")));
        CallRecord call = calls.coldTransfer(TASK, AGENT, new TransferTarget.ToNumber(NUMBER));
        telephony.during.clear();
        assertEquals(1, telephony.requests("createTask").size(), telephony.requests.toString());
        assertEquals("queue", call.transfer.target);
        calls.onTransferLegEnded(TASK, null, NUMBER_LEG, "busy");
        assertEquals(1, telephony.requests("createTask").size(), "the late status callback changes nothing");
    }

    @Test
    void aWarmTransferToANumberThatRingsOutPutsTheCustomerBackWithTheAgentOnce() {
        calls.warm().start(TASK, AGENT, new TransferTarget.ToNumber(NUMBER));
        telephony.requests.clear();
        calls.onTransferLegEnded(TASK, null, NUMBER_LEG, "no-answer");
        calls.onConferenceEvent(numberLeft(5, "no-answer"));
        assertEquals(List.of("hold " + CUSTOMER_LEG + " false"), telephony.requests("hold"), "resumed once, whichever report came first");
        WarmTransfer transfer = records.find(TASK).orElseThrow().warm;
        assertEquals(WarmTransfer.State.FAILED, transfer.state);
        assertEquals(WarmTransfer.Reason.NO_ANSWER, transfer.reason);
        assertTrue(telephony.requests("createTask").isEmpty() && telephony.requests("endConference").isEmpty(), telephony.requests.toString());
    }

    @Test
    void aWarmTransferWhoseNumberIsReportedBeforeTheRecordKnowsTheLegFailsBackToTheAgent() {
        telephony.during.put("addParticipant", request -> calls.onConferenceEvent(numberLeft(5, "failed")));
        WarmTransfer transfer = calls.warm().start(TASK, AGENT, new TransferTarget.ToNumber(NUMBER));
        telephony.during.clear();
        assertEquals(WarmTransfer.State.FAILED, transfer.state);
        assertEquals(WarmTransfer.Reason.TWILIO_ERROR, transfer.reason);
        assertEquals(List.of("hold " + CUSTOMER_LEG + " true", "hold " + CUSTOMER_LEG + " false"), telephony.requests("hold"));
    }

    // ------------------------------------------------------------------ legs the conference's end takes with it

    private static final String CAROL_LEG = "CA00000000000000000000000000000a05";

    private WarmTransfer consultingWithCarol() {
        WarmTransfer started = calls.warm().start(TASK, AGENT, new TransferTarget.ToWorker(CAROL));
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 5, CAROL_LEG, "agent:" + CAROL + ":" + started.taskSid));
        assertEquals(WarmTransfer.State.CONSULTING, records.find(TASK).orElseThrow().warm.state);
        telephony.requests.clear();
        return started;
    }

    @Test
    void theAgentsLeavingWithTheConferenceBeforeTheCustomersLeaveArrivesIsNotAHandOver() {
        // Deliveries can come out of order: the agents' moderator_ended_conference before the customer's hang-up.
        WarmTransfer started = consultingWithCarol();
        calls.onConferenceEvent(CallRecordTest.left(9, AGENT_LEG, null, "moderator_ended_conference", "in-progress"));
        calls.onConferenceEvent(CallRecordTest.left(10, CAROL_LEG, "agent:" + CAROL + ":" + started.taskSid, "moderator_ended_conference", "in-progress"));
        assertEquals(WarmTransfer.State.CONSULTING, records.find(TASK).orElseThrow().warm.state, "neither agent hung up");
        calls.onConferenceEvent(CallRecordTest.left(8, CUSTOMER_LEG, "customer", "participant_hung_up", "completed"));
        calls.onConferenceEvent(CallRecordTest.event("conference-end", 11, null, false));
        WarmTransfer ended = records.find(TASK).orElseThrow().warm;
        assertEquals(WarmTransfer.State.CANCELED, ended.state);
        assertEquals(WarmTransfer.Reason.CUSTOMER_HUNG_UP, ended.reason);
        assertTrue(telephony.requests("createTask").isEmpty() && telephony.requests("hold").isEmpty() && telephony.requests("endConference").isEmpty(),
                "nobody re-queued, nobody resumed, nothing ended twice: " + telephony.requests);
        assertEquals(List.of("updateTask " + started.taskSid + " COMPLETED"), telephony.requests("updateTask"));
    }

    @Test
    void leavesWithNoReasonAfterTheCustomerHungUpAreTheConferenceEndingToo() {
        WarmTransfer started = consultingWithCarol();
        calls.onConferenceEvent(CallRecordTest.left(8, CUSTOMER_LEG, null, null, null));
        calls.onConferenceEvent(CallRecordTest.left(9, AGENT_LEG, null, null, null));
        calls.onConferenceEvent(CallRecordTest.left(10, CAROL_LEG, "agent:" + CAROL + ":" + started.taskSid, null, null));
        assertEquals(WarmTransfer.State.CONSULTING, records.find(TASK).orElseThrow().warm.state, "the customer's leave ends the conference for both");
        assertTrue(telephony.requests.isEmpty(), telephony.requests.toString());
    }

    @Test
    void theCallEndedThroughTheApiCancelsTheTransferAsCallEnded() {
        consultingWithCarol();
        calls.onConferenceEvent(CallRecordTest.left(8, AGENT_LEG, null, "conference_ended_via_api", "in-progress"));
        Map<String, String> end = new java.util.LinkedHashMap<>(Map.of("ConferenceSid", CONFERENCE, "FriendlyName", TASK,
                "StatusCallbackEvent", "conference-end", "SequenceNumber", "12", "ReasonConferenceEnded", "conference-ended-via-api"));
        calls.onConferenceEvent(ConferenceEvent.parse(end));
        WarmTransfer ended = records.find(TASK).orElseThrow().warm;
        assertEquals(WarmTransfer.Reason.CALL_ENDED, ended.reason);
        assertTrue(telephony.requests("endConference").isEmpty() && telephony.requests("hold").isEmpty(), telephony.requests.toString());
    }

    @Test
    void supervisorModesAreParticipantSettings() {
        Principal sam = new Principal("WK00000000000000000000000000000004", true);
        telephony.workers.put(sam.workerSid(), new Telephony.Worker(sam.workerSid(), "sam", "client:sam"));
        calls.supervise(TASK, sam, CallControl.Mode.MONITOR);
        assertEquals(1, telephony.requests("dial").size());
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 3, "CA00000000000000000000000000000a04", "supervisor:" + sam.workerSid()));
        calls.supervise(TASK, sam, CallControl.Mode.WHISPER);
        calls.supervise(TASK, sam, CallControl.Mode.BARGE);
        assertEquals(List.of(
                "updateParticipant CA00000000000000000000000000000a04 muted=false coaching=true coach=" + AGENT_LEG,
                "updateParticipant CA00000000000000000000000000000a04 muted=false coaching=false coach=null"), telephony.requests("updateParticipant"));
        assertThrows(CallControlException.class, () -> calls.supervise(TASK, AGENT, CallControl.Mode.MONITOR), "agents do not supervise");
    }

    @Test
    void aModeSwitchIsRecordedOnTheSupervisorsLegAsItIsAskedForSinceNoConferenceEventReportsCoaching() {
        Principal sam = new Principal("WK00000000000000000000000000000004", true);
        String samLeg = "CA00000000000000000000000000000a04";
        telephony.workers.put(sam.workerSid(), new Telephony.Worker(sam.workerSid(), "sam", "client:sam"));
        calls.supervise(TASK, sam, CallControl.Mode.MONITOR);
        calls.onConferenceEvent(CallRecordTest.labelled("participant-join", 3, samLeg, "supervisor:" + sam.workerSid()));

        CallRecord.Leg whispering = calls.supervise(TASK, sam, CallControl.Mode.WHISPER).legs.get(samLeg);
        assertTrue(whispering.coaching);
        assertEquals(AGENT_LEG, whispering.coachedCallSid);
        assertEquals(false, whispering.muted);

        CallRecord.Leg barging = calls.supervise(TASK, sam, CallControl.Mode.BARGE).legs.get(samLeg);
        assertEquals(false, barging.coaching);
        assertNull(barging.coachedCallSid);
        CallRecord.Leg monitoring = records.find(TASK).orElseThrow().legs.get(samLeg);
        assertEquals(calls.supervise(TASK, sam, CallControl.Mode.MONITOR).legs.get(samLeg).muted, true);
        assertEquals(false, monitoring.muted, "the record read before the switch still says barge");
    }
}
