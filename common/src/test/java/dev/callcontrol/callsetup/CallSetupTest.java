package dev.callcontrol.callsetup;

import dev.callcontrol.twilio.WebhookUrls;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CallSetupTest {
    private final CallSetup setup = new CallSetup("+15005550006", "https://calls.example.com", 25, false);

    private static TaskAssignment assignment(Map<String, Object> task, Map<String, Object> worker) {
        return new TaskAssignment("WT1", "WR1", "WK1", task, worker);
    }

    private static Map<String, Object> voiceTask() {
        Map<String, Object> task = new HashMap<>();
        task.put("call_sid", "CA1");
        task.put("from", "+14155550123");
        task.put("called", "+14155559999");
        return task;
    }

    @Test
    void voiceTaskIsAnsweredWithTheConferenceInstruction() {
        ConferenceInstruction instruction = (ConferenceInstruction) setup.answer(assignment(voiceTask(), Map.of("contact_uri", "client:alice"))).orElseThrow();
        assertEquals("+14155559999", instruction.from());
        assertEquals("client:alice", instruction.to());
        assertEquals(25, instruction.timeoutSeconds());
        assertEquals("https://calls.example.com/twilio/conference-events#" + WebhookUrls.RETRIES, instruction.statusCallbackUrl(),
                "conference events are asked to be retried on 5xx: by default Twilio would not");
        assertTrue(instruction.statusCallbackEvents().containsAll(java.util.List.of("start", "end", "join", "leave", "hold")));
        assertFalse(instruction.endConferenceOnExit(), "the agent leaving must not end the conference: transfers keep it up");
        assertTrue(instruction.endConferenceOnCustomerExit());
        assertFalse(instruction.beep());
        assertFalse(instruction.record());
    }

    @Test
    void callerIdFallsBackToTheConfiguredNumberWhenTheTaskHasNoCalledNumber() {
        Map<String, Object> task = voiceTask();
        task.remove("called");
        assertEquals("+15005550006", setup.answer(assignment(task, Map.of("contact_uri", "client:alice"))).orElseThrow().from());
        task.put("to", "+14155558888");
        assertEquals("+14155558888", setup.answer(assignment(task, Map.of("contact_uri", "client:alice"))).orElseThrow().from());
    }

    @Test
    void recordingFollowsConfiguration() {
        CallSetup recording = new CallSetup("+15005550006", "https://calls.example.com", 25, true);
        assertTrue(((ConferenceInstruction) recording.answer(assignment(voiceTask(), Map.of("contact_uri", "client:alice"))).orElseThrow()).record());
    }

    @Test
    void nonVoiceTasksAreLeftToTheirChannel() {
        assertTrue(setup.answer(assignment(Map.of("channel", "chat"), Map.of("contact_uri", "client:alice"))).isEmpty());
    }

    @Test
    void outboundTasksDialOnlyE164NumbersUnderTheDialPrefixes() {
        CallSetup outbound = new CallSetup("+15005550006", "https://calls.example.com", 25, false, false, java.util.List.of("+1"));
        Map<String, Object> agent = Map.of("contact_uri", "client:alice");
        assertEquals("client:alice", outbound.answer(assignment(Map.of("outbound_to", "+14155550199"), agent)).orElseThrow().to());
        assertEquals(AssignmentRejected.Reason.INVALID_NUMBER, assertThrows(AssignmentRejected.class,
                () -> outbound.answer(assignment(Map.of("outbound_to", "900-555-0100"), agent))).reason());
        assertEquals(AssignmentRejected.Reason.DESTINATION_NOT_ALLOWED, assertThrows(AssignmentRejected.class,
                () -> outbound.answer(assignment(Map.of("outbound_to", "+442071838750"), agent))).reason());
        assertEquals(AssignmentRejected.Reason.DESTINATION_NOT_ALLOWED, assertThrows(AssignmentRejected.class,
                () -> setup.answer(assignment(Map.of("outbound_to", "+14155550199"), agent))).reason(), "no prefixes: no number");
    }

    @Test
    void workerWithoutContactUriIsRejected() {
        AssignmentRejected rejected = assertThrows(AssignmentRejected.class, () -> setup.answer(assignment(voiceTask(), Map.of("name", "Bob"))));
        assertEquals(AssignmentRejected.Reason.MISSING_CONTACT_URI, rejected.reason());
    }

    @Test
    void transferTaskIsAnsweredWithTheCallInstructionThatJoinsTheExistingConference() {
        String callTask = "WT" + "0".repeat(31) + "9";
        Map<String, Object> task = new HashMap<>();
        task.put("called", "+14155559999");
        task.put("transfer", Map.of("call_task_sid", callTask, "conference_sid", "CF1"));
        task.put("requested_agent", "WK1");
        CallInstruction call = (CallInstruction) setup.answer(assignment(task, Map.of("contact_uri", "client:carol"))).orElseThrow();
        assertFalse(call.accept(), "the product accepts the reservation itself, once the worker answers");
        assertEquals("client:carol", call.to());
        assertEquals("+14155559999", call.from());
        assertEquals("https://calls.example.com/twilio/transfer-leg?call=" + callTask + "&task=WT1&worker=WK1&reservation=WR1#" + WebhookUrls.RETRIES, call.url());
        assertEquals("https://calls.example.com/twilio/call-events?call=" + callTask + "&task=WT1&reservation=WR1#" + WebhookUrls.RETRIES, call.statusCallbackUrl());
        assertEquals(25, call.timeoutSeconds());
    }

    @Test
    void transferTaskThatDoesNotNameItsCallIsRejected() {
        Map<String, Object> task = voiceTask();
        task.put("transfer", Map.of("original_task_sid", "WT0"));
        AssignmentRejected rejected = assertThrows(AssignmentRejected.class, () -> setup.answer(assignment(task, Map.of("contact_uri", "client:alice"))));
        assertEquals(AssignmentRejected.Reason.MALFORMED_TRANSFER, rejected.reason());
    }
}
