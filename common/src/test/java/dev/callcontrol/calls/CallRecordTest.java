package dev.callcontrol.calls;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The call record follows the conference by SequenceNumber, whatever order events arrive in. */
class CallRecordTest {
    private static final String TASK = "WT0123456789abcdef0123456789abcdef";
    private static final String CONFERENCE = "CF0123456789abcdef0123456789abcdef";
    private static final String AGENT = "CA00000000000000000000000000000a01";
    private static final String CUSTOMER = "CA00000000000000000000000000000a02";

    static ConferenceEvent event(String type, int sequence, String callSid, boolean hold) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("ConferenceSid", CONFERENCE);
        form.put("FriendlyName", TASK);
        form.put("StatusCallbackEvent", type);
        form.put("SequenceNumber", String.valueOf(sequence));
        if (callSid != null) {
            form.put("CallSid", callSid);
            form.put("Hold", String.valueOf(hold));
            form.put("Muted", "false");
            form.put("Coaching", "false");
        }
        return ConferenceEvent.parse(form);
    }

    /** A participant-leave with Twilio's reason and call status (either may be null: not sent). */
    static ConferenceEvent left(int sequence, String callSid, String label, String reason, String callStatus) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("ConferenceSid", CONFERENCE);
        form.put("FriendlyName", TASK);
        form.put("StatusCallbackEvent", "participant-leave");
        form.put("SequenceNumber", String.valueOf(sequence));
        form.put("CallSid", callSid);
        if (label != null) {
            form.put("ParticipantLabel", label);
        }
        if (reason != null) {
            form.put("ReasonParticipantLeft", reason);
        }
        if (callStatus != null) {
            form.put("ParticipantCallStatus", callStatus);
        }
        form.put("Hold", "false");
        form.put("Muted", "false");
        form.put("Coaching", "false");
        return ConferenceEvent.parse(form);
    }

    static ConferenceEvent labelled(String type, int sequence, String callSid, String label) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("ConferenceSid", CONFERENCE);
        form.put("FriendlyName", TASK);
        form.put("StatusCallbackEvent", type);
        form.put("SequenceNumber", String.valueOf(sequence));
        form.put("CallSid", callSid);
        form.put("ParticipantLabel", label);
        form.put("Hold", "false");
        form.put("Muted", "false");
        form.put("Coaching", "false");
        return ConferenceEvent.parse(form);
    }

    private static CallRecord connected() {
        CallRecord record = new CallRecord(TASK);
        record.customerCallSid = CUSTOMER;
        record.workerSid = "WK00000000000000000000000000000001";
        assertTrue(record.apply(event("participant-join", 1, AGENT, false)));
        assertTrue(record.apply(event("conference-start", 2, null, false)) || true);
        assertTrue(record.apply(event("participant-join", 3, CUSTOMER, false)));
        return record;
    }

    @Test
    void joinsGiveTheLegsTheirRoles() {
        CallRecord record = connected();
        assertEquals(Role.AGENT, record.legs.get(AGENT).role);
        assertEquals(Role.CUSTOMER, record.customer().role);
        assertEquals(AGENT, record.agentCallSid);
        assertEquals("WK00000000000000000000000000000001", record.legs.get(AGENT).workerSid);
        assertEquals(CONFERENCE, record.conferenceSid);
    }

    @Test
    void aRepeatedEventChangesNothing() {
        CallRecord record = connected();
        assertTrue(record.apply(event("participant-hold", 4, CUSTOMER, true)));
        assertFalse(record.apply(event("participant-hold", 4, CUSTOMER, true)));
        assertTrue(record.customer().hold);
    }

    @Test
    void aLateEventDoesNotUndoANewerOne() {
        CallRecord record = connected();
        assertTrue(record.apply(event("participant-unhold", 6, CUSTOMER, false)));
        assertFalse(record.apply(event("participant-hold", 5, CUSTOMER, true)), "the hold came before the unhold");
        assertFalse(record.customer().hold);
        assertTrue(record.apply(event("participant-leave", 7, AGENT, false)));
        assertFalse(record.apply(event("participant-join", 1, AGENT, false)), "a late join does not bring the agent back");
        assertFalse(record.legs.get(AGENT).present);
    }

    @Test
    void aLegThatNeverJoinedIsNeitherTheAgentNorTheCustomerAndNamesNoConference() {
        // A participant the API added that never answered is reported with participant-leave (participant_add_failed).
        CallRecord fresh = new CallRecord(TASK);
        fresh.customerCallSid = CUSTOMER;
        assertFalse(fresh.apply(left(1, "CA00000000000000000000000000000a07", null, "participant_add_failed", "no-answer")));
        assertNull(fresh.conferenceSid, "a leg that never connected says nothing of the call's conference");
        assertNull(fresh.agentCallSid);

        CallRecord record = connected();
        assertTrue(record.apply(left(4, "CA00000000000000000000000000000a08", null, "participant_add_failed", "busy")));
        CallRecord.Leg leg = record.legs.get("CA00000000000000000000000000000a08");
        assertEquals(Role.OTHER, leg.role, "an unlabelled leg that never joined is not taken for the agent");
        assertEquals("busy", leg.unansweredStatus);
        assertEquals(AGENT, record.agentCallSid);
        assertTrue(record.apply(left(5, "CA00000000000000000000000000000a09", "transfer:abc", null, "no-answer")));
        assertEquals(Role.TRANSFER, record.legs.get("CA00000000000000000000000000000a09").role);
        assertEquals("no-answer", record.legs.get("CA00000000000000000000000000000a09").unansweredStatus, "no reason, but an unanswered call status");
        assertTrue(record.apply(left(6, AGENT, null, "participant_hung_up", "completed")));
        assertNull(record.legs.get(AGENT).unansweredStatus, "a leg that was connected and hung up");
    }

    @Test
    void theReasonsTwilioDocumentsAreReadForWhatTheyMean() {
        assertTrue(left(1, AGENT, null, "moderator_ended_conference", "in-progress").leftWithConference());
        assertTrue(left(1, AGENT, null, "conference_ended_via_api", "in-progress").leftWithConference());
        for (String own : new String[]{"participant_hung_up", "participant_updated_via_api", "participant_add_failed", null, "conference_ended"}) {
            assertFalse(left(1, AGENT, null, own, "completed").leftWithConference(), own);
        }
        assertTrue(left(1, AGENT, null, "participant_add_failed", "canceled").neverJoined());
        assertFalse(left(1, AGENT, null, "participant_hung_up", "failed").neverJoined(), "a reason that says the leg was connected wins");
        assertEquals("failed", left(1, AGENT, null, "participant_add_failed", null).unansweredStatus());
    }

    @Test
    void theEndOfTheConferenceEndsTheCall() {
        CallRecord record = connected();
        assertTrue(record.apply(event("conference-end", 9, null, false)));
        assertTrue(record.ended());
        assertFalse(record.customer().present);
        assertFalse(record.apply(event("participant-join", 10, "CA00000000000000000000000000000a09", false)), "nobody joins an ended conference");
    }

    @Test
    void eventsOfAnotherConferenceWithTheSameNameAreNotThisCall() {
        CallRecord record = connected();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("ConferenceSid", "CF99999999999999999999999999999999");
        form.put("FriendlyName", TASK);
        form.put("StatusCallbackEvent", "conference-end");
        form.put("SequenceNumber", "50");
        assertFalse(record.apply(ConferenceEvent.parse(form)));
        assertFalse(record.ended());
    }

    @Test
    void labelledLegsTakeTheirRoleFromTheLabel() {
        CallRecord record = connected();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("ConferenceSid", CONFERENCE);
        form.put("FriendlyName", TASK);
        form.put("StatusCallbackEvent", "participant-join");
        form.put("SequenceNumber", "8");
        form.put("CallSid", "CA00000000000000000000000000000a03");
        form.put("ParticipantLabel", "supervisor");
        form.put("Muted", "true");
        record.apply(ConferenceEvent.parse(form));
        assertEquals(Role.SUPERVISOR, record.legs.get("CA00000000000000000000000000000a03").role);
        assertTrue(record.legs.get("CA00000000000000000000000000000a03").muted);
    }
}
