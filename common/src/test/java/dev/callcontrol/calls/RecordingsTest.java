package dev.callcontrol.calls;

import dev.callcontrol.agent.CallControlException;
import dev.callcontrol.agent.Principal;
import dev.callcontrol.testing.FakeTelephony;
import dev.callcontrol.testing.InMemoryCallRecords;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.callcontrol.calls.ConnectedCall.ALICE;
import static dev.callcontrol.calls.ConnectedCall.CONFERENCE;
import static dev.callcontrol.calls.ConnectedCall.CUSTOMER_LEG;
import static dev.callcontrol.calls.ConnectedCall.SETTINGS;
import static dev.callcontrol.calls.ConnectedCall.TASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Pausing and resuming the conference's recording against in-memory ports: what is asked of Twilio
 * for the agent's commands and, with pause-on-hold, for the customer's holds.
 */
class RecordingsTest {
    private static final String RECORDING = "RE0123456789abcdef0123456789abcdef";
    private static final Principal AGENT = new Principal(ALICE, false);

    private InMemoryCallRecords records;
    private FakeTelephony telephony;

    /** A five-second-old task without attributes, its conference recorded or not. */
    private CallControl connected(boolean pauseOnHold, boolean recorded) {
        ConnectedCall call = new ConnectedCall(connecting -> {
            connecting.telephony.tasks.put(TASK, new Telephony.TaskContext(TASK, "assigned", CUSTOMER_LEG, ALICE, "support", Map.of(), 5));
            if (recorded) {
                connecting.telephony.recordings.put(CONFERENCE, new Telephony.Recording(RECORDING, "in-progress"));
            }
            return new CallControl(connecting.records, connecting.telephony, SETTINGS.withRecording(new CallControl.RecordingPolicy(pauseOnHold, "skip")));
        });
        records = call.records;
        telephony = call.telephony;
        return call.calls;
    }

    @Test
    void thePauseIsSentOnceAndTheRepeatOnlyLooks() {
        CallControl calls = connected(false, true);
        CallRecord paused = calls.recording(TASK, AGENT, true);
        CallRecord again = calls.recording(TASK, AGENT, true);

        assertEquals(List.of("activeRecording " + CONFERENCE, "updateRecording " + RECORDING + " paused skip", "activeRecording " + CONFERENCE),
                telephony.requests);
        assertEquals("paused", paused.recording.status);
        @SuppressWarnings("unchecked")
        Map<String, Object> view = (Map<String, Object>) again.view().get("recording");
        assertEquals("paused", view.get("status"));
        assertEquals("agent", view.get("pausedBy"));
        assertEquals(RECORDING, view.get("sid"));

        CallRecord resumed = calls.recording(TASK, AGENT, false);
        assertEquals("in-progress", resumed.recording.status);
        assertNull(((Map<?, ?>) resumed.view().get("recording")).get("pausedBy"));
        assertEquals("updateRecording " + RECORDING + " in-progress", telephony.requests.get(telephony.requests.size() - 1));
    }

    @Test
    void aCallWithNoRecordingRunningIsAConflictAndTheViewSaysSo() {
        CallControl calls = connected(false, false);
        CallControlException refused = assertThrows(CallControlException.class, () -> calls.recording(TASK, AGENT, true));
        assertEquals(409, refused.status());
        assertEquals("no_recording", refused.code());
        assertEquals(List.of(), telephony.requests("updateRecording"));
        assertEquals(Recordings.NONE, records.find(TASK).orElseThrow().recording.status);
    }

    @Test
    void onlyTheConnectedAgentMayPauseIt() {
        CallControl calls = connected(false, true);
        CallControlException refused = assertThrows(CallControlException.class,
                () -> calls.recording(TASK, new Principal("WK00000000000000000000000000000009", false), true));
        assertEquals(403, refused.status());
        assertEquals(List.of(), telephony.requests);
    }

    @Test
    void withPauseOnHoldTheHoldPausesAndTheResumeResumesWhoeverTookTheCustomerOffHold() {
        CallControl calls = connected(true, true);
        calls.hold(TASK, AGENT, true);
        assertEquals(List.of("hold " + CUSTOMER_LEG + " true", "activeRecording " + CONFERENCE, "updateRecording " + RECORDING + " paused skip"),
                telephony.requests);
        // Twilio's participant-hold finds the recording paused already: nothing more is sent.
        calls.onConferenceEvent(CallRecordTest.event("participant-hold", 3, CUSTOMER_LEG, true));
        assertEquals(1, telephony.requests("updateRecording").size());
        assertEquals("hold", ((Map<?, ?>) records.find(TASK).orElseThrow().view().get("recording")).get("pausedBy"));

        // Someone else (the watchdog, a transfer target joining) takes the customer off hold: the event resumes the recording.
        calls.onConferenceEvent(CallRecordTest.event("participant-unhold", 4, CUSTOMER_LEG, false));
        assertEquals("updateRecording " + RECORDING + " in-progress", telephony.requests.get(telephony.requests.size() - 1));
        assertEquals("in-progress", records.find(TASK).orElseThrow().recording.status);
    }

    @Test
    void theAgentsPauseOutlastsAHoldAndTheirResumeDuringAHoldIsKept() {
        CallControl calls = connected(true, true);
        calls.recording(TASK, AGENT, true);
        calls.hold(TASK, AGENT, true);
        calls.hold(TASK, AGENT, false);
        assertEquals("paused", records.find(TASK).orElseThrow().recording.status, "the agent's pause is not undone by the unhold");
        assertEquals(1, telephony.requests("updateRecording").size());

        calls.hold(TASK, AGENT, true);
        calls.recording(TASK, AGENT, false);
        calls.onConferenceEvent(CallRecordTest.event("participant-hold", 5, CUSTOMER_LEG, true));
        assertEquals("in-progress", records.find(TASK).orElseThrow().recording.status, "resumed by the agent for this hold, it stays resumed");
        assertEquals(List.of("updateRecording " + RECORDING + " paused skip", "updateRecording " + RECORDING + " in-progress"),
                telephony.requests("updateRecording"));
    }

    @Test
    void withoutPauseOnHoldAHoldSendsNothingAboutTheRecording() {
        CallControl calls = connected(false, true);
        calls.hold(TASK, AGENT, true);
        calls.onConferenceEvent(CallRecordTest.event("participant-hold", 3, CUSTOMER_LEG, true));
        assertEquals(List.of("hold " + CUSTOMER_LEG + " true"), telephony.requests);
    }

    @Test
    void aPauseOnHoldThatFailsIsLeftToTheReconciler() {
        CallControl calls = connected(true, true);
        telephony.failures.put("updateRecording", request -> CallControlException.upstream("Twilio failed"));
        calls.hold(TASK, AGENT, true);
        assertEquals(List.of(CallRecord.EFFECT_SYNC_RECORDING), records.find(TASK).orElseThrow().pendingEffects);

        telephony.failures.clear();
        calls.watch(records.find(TASK).orElseThrow(), java.time.Duration.ofHours(1), java.time.Duration.ofHours(1));
        CallRecord after = records.find(TASK).orElseThrow();
        assertEquals("paused", after.recording.status);
        assertNull(after.pendingEffects);
    }
}
